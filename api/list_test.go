package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/api"
)

// TestList: the tenant's hostnames filtered by name, labels and status,
// sorted and paged with total_count on every page; another tenant's never.
func TestList(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.client(tokenA)
	ctx := e.ctx()
	for i, days := range []int{50, 10, 90, 40, 70} {
		name := fmt.Sprintf("h%d.example.com", i)
		in, err := e.local.Issue(time.Duration(days)*24*time.Hour, name)
		require.NoError(t, err)
		team := []string{"red", "blue"}[i%2]
		_, err = c.Import(ctx, api.ImportCustom{Hostname: name, Upload: api.Upload{Fullchain: string(in.Certificate), PrivateKey: string(in.PrivateKey)},
			Labels: map[string]string{"team": team}})
		require.NoError(t, err)
	}
	_, err := c.RequestACME(ctx, api.RequestACME{Hostname: "pending.example.com", Labels: map[string]string{"team": "red"}})
	require.NoError(t, err)
	_, err = e.client(tokenB).Import(ctx, upload("h9.example.com", e.issue("h9.example.com")))
	require.NoError(t, err)

	tests := []struct {
		name  string
		opts  api.ListOptions
		want  []string
		total int
	}{
		{"all by name", api.ListOptions{}, []string{"h0", "h1", "h2", "h3", "h4", "pending"}, 6},
		{"substring", api.ListOptions{Filter: "h3"}, []string{"h3"}, 1},
		{"label", api.ListOptions{Labels: map[string]string{"team": "blue"}}, []string{"h1", "h3"}, 2},
		{"by expiry", api.ListOptions{Sort: "expiry"}, []string{"h1", "h3", "h0", "h4", "h2", "pending"}, 6},
		{"by expiry, latest first", api.ListOptions{Sort: "expiry", Desc: true, Limit: 2}, []string{"pending", "h2"}, 6},
		{"by creation", api.ListOptions{Sort: "created", Limit: 3}, []string{"h0", "h1", "h2"}, 6},
		{"expiring soon", api.ListOptions{Status: []string{"expiring_soon"}}, []string{"h1"}, 1},
		{"status and label", api.ListOptions{Status: []string{"active", "pending_validation"}, Labels: map[string]string{"team": "red"}}, []string{"h0", "h2", "h4", "pending"}, 4},
		{"status, latest expiry first", api.ListOptions{Status: []string{"active"}, Sort: "expiry", Desc: true}, []string{"h2", "h4", "h0", "h3"}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := c.List(ctx, tc.opts)
			require.NoError(t, err)
			require.Equal(t, tc.want, short(page.Certificates))
			require.Equal(t, tc.total, page.TotalCount)
		})
	}
	for _, opts := range []api.ListOptions{{Limit: 2}, {Limit: 1, Status: []string{"active", "expiring_soon"}}, {Limit: 2, Status: []string{"active"}, Sort: "expiry"}} {
		t.Run(fmt.Sprintf("paging %+v", opts), func(t *testing.T) {
			all, err := c.List(ctx, api.ListOptions{Status: opts.Status, Sort: opts.Sort, Limit: 100})
			require.NoError(t, err)
			var got []string
			for pages := 0; ; pages++ {
				require.Less(t, pages, 10)
				page, err := c.List(ctx, opts)
				require.NoError(t, err)
				require.Equal(t, all.TotalCount, page.TotalCount, "total_count on every page")
				require.LessOrEqual(t, len(page.Certificates), opts.Limit)
				got = append(got, short(page.Certificates)...)
				if page.NextCursor == nil {
					break
				}
				opts.Cursor = *page.NextCursor
			}
			require.Equal(t, short(all.Certificates), got)
		})
	}
}

// short is the first labels of the hostnames.
func short(hosts []api.Hostname) []string {
	out := []string{}
	for _, h := range hosts {
		out = append(out, h.Hostname[:len(h.Hostname)-len(".example.com")])
	}
	return out
}
