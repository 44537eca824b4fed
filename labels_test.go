package certs

import (
	"context"
	"errors"
	"testing"

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
