package metrics

import (
	"encoding/pem"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/certstest"
)

// TestSourceIndex: certificates added by events are found (also after
// recent is folded into base); a collection's base replaces what was
// there, except what events added after its mark.
func TestSourceIndex(t *testing.T) {
	local, err := certstest.NewLocalCA()
	require.NoError(t, err)
	chains := make([]string, 300)
	for i := range chains {
		in, err := local.Issue(time.Hour, fmt.Sprintf("h%d.example.com", i))
		require.NoError(t, err)
		chains[i] = string(in.Certificate)
	}
	der := func(i int) []byte {
		b, _ := pem.Decode([]byte(chains[i]))
		return b.Bytes
	}
	var ix sourceIndex
	ix.init()
	for i := range 200 { // past the fold at 64
		ix.add(chains[i], certs.SourceACME)
	}
	mark := ix.mark()
	ix.add(chains[200], certs.SourceCustom) // during a collection
	collected := map[leafKey]indexed{}
	k, ok := keyOfPEM(chains[250])
	require.True(t, ok)
	collected[k] = indexed{src: srcCustom}
	for _, tc := range []struct {
		name    string
		replace bool
		i       int
		want    uint8
	}{
		{"added first (folded)", false, 0, srcACME},
		{"added last", false, 199, srcACME},
		{"added during the collection", false, 200, srcCustom},
		{"never seen", false, 250, srcUnknown},
		{"after the collection: its own", true, 250, srcCustom},
		{"after the collection: added during it", true, 200, srcCustom},
		{"after the collection: added before it, not collected", true, 0, srcUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.replace {
				ix.replace(collected, mark)
			}
			require.Equal(t, tc.want, ix.load().lookup(der(tc.i)))
		})
	}
	require.Equal(t, srcUnknown, ix.load().lookup([]byte("short")))
	require.NotPanics(t, func() { ix.add("not PEM", certs.SourceACME) })
}

// TestMissReason maps GetCertificate's errors to reasons.
func TestMissReason(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w %q", certs.ErrUnknownHost, "x"), "unknown_host"},
		{certs.ErrNoServerName, "no_server_name"},
		{fmt.Errorf("certs: %w", certs.ErrOnDemandDenied), "on_demand_denied"},
		{certs.ErrOnDemandBusy, "on_demand_busy"},
		{certs.ErrOnDemandPending, "on_demand_pending"},
		{fmt.Errorf("store: boom"), "other"},
		{nil, "other"},
	} {
		require.Equal(t, tc.want, missReasons[missReason(tc.err)].name, fmt.Sprint(tc.err))
	}
}
