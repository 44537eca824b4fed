package certs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

// TestListByLabels: List selects hostnames by their labels, in the Store.
func TestListByLabels(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for host, tenant := range map[string]string{"a1.example.com": "a", "a2.example.com": "a", "b1.example.com": "b"} {
		f.importLeaf(host, f.leaf([]string{host}, testpki.LeafOptions{}))
		_, err := f.m.SetMetadata(ctx, host, Metadata{Labels: map[string]string{"tenant": tenant}})
		require.NoError(t, err)
	}
	for tenant, want := range map[string][]string{"a": {"a1.example.com", "a2.example.com"}, "b": {"b1.example.com"}, "c": nil} {
		page, err := f.m.List(ctx, ListOptions{Labels: map[string]string{"tenant": tenant}})
		require.NoError(t, err)
		var got []string
		for _, h := range page.Hosts {
			got = append(got, h.Hostname)
			require.Equal(t, tenant, h.Labels["tenant"])
		}
		require.Equal(t, want, got)
		require.Equal(t, len(want), page.Total)
	}
}

// caaStub is an Issuer that tells CAA identities (or fails to).
type caaStub struct {
	Issuer
	ids []string
	err error
}

func (c caaStub) CAAIdentities(context.Context) ([]string, error) { return c.ids, c.err }

func TestIssuerListCAAIdentities(t *testing.T) {
	down := errors.New("directory unreachable")
	tests := []struct {
		name    string
		list    *IssuerList
		want    []string
		wantErr bool
	}{
		{"every CA's identities, once", Issuers(caaStub{ids: []string{"letsencrypt.org"}}, caaStub{ids: []string{"sectigo.com", "letsencrypt.org"}}),
			[]string{"letsencrypt.org", "sectigo.com"}, false},
		{"one answers", Issuers(caaStub{err: down}, caaStub{ids: []string{"pki.goog"}}), []string{"pki.goog"}, false},
		{"none answers", Issuers(caaStub{err: down}), nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.list.CAAIdentities(context.Background())
			if tc.wantErr {
				require.ErrorIs(t, err, down)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestMetadataWithTheFirstWrite: labels and a display name given to Import
// or Request are on the hostname from its first write (a platform's tenant
// is never missing, not even for an instant).
func TestMetadataWithTheFirstWrite(t *testing.T) {
	ctx := context.Background()
	f, _ := renewalFixture(t, 90*24*time.Hour, nil)
	var firstLabels []map[string]string
	f.m.Subscribe(func(ev Event) {
		h, err := f.m.Get(ctx, ev.Hostname)
		if err == nil {
			firstLabels = append(firstLabels, h.Labels)
		}
	})
	l := f.leaf([]string{"imp.example.com"}, testpki.LeafOptions{})
	h, err := f.m.Import(ctx, "imp.example.com", input(l), ImportOptions{DisplayName: "Shop", Labels: map[string]string{TenantLabel: "t1"}})
	require.NoError(t, err)
	require.Equal(t, "Shop", h.DisplayName)
	require.Equal(t, map[string]string{TenantLabel: "t1"}, h.Labels)
	h, err = f.m.Request(ctx, "req.example.com", ObtainOptions{Labels: map[string]string{TenantLabel: "t2"}})
	require.NoError(t, err)
	require.Equal(t, "t2", h.Labels[TenantLabel])
	f.m.RenewDue(ctx)
	got := f.mustGet("req.example.com")
	require.NotNil(t, got.ACME, "issued")
	require.Equal(t, "t2", got.Labels[TenantLabel], "kept when issued")
	for _, labels := range firstLabels {
		require.NotEmpty(t, labels[TenantLabel], "every event sees the tenant")
	}
	page, err := f.m.List(ctx, ListOptions{Labels: map[string]string{TenantLabel: "t2"}})
	require.NoError(t, err)
	require.Len(t, page.Hosts, 1)
}
