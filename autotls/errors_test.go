package autotls_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/autotls"
	"github.com/certs-dev/certs/store"
)

// offline is a Config whose CA is never contacted: every test using it
// fails before an order would be placed.
func offline() autotls.Config {
	return autotls.Config{
		DirectoryURL: "https://127.0.0.1:1/dir",
		Store:        store.NewMemory(),
		Logger:       slog.New(slog.DiscardHandler),
	}
}

// TestNewRefuses: what a newcomer gets wrong is refused before anything
// listens or any CA is contacted, with a typed error that says what to do.
func TestNewRefuses(t *testing.T) {
	t.Parallel()
	iss, err := acme.New(acme.Config{DirectoryURL: "https://127.0.0.1:1/dir", AgreeTOS: true})
	require.NoError(t, err)
	ln := listenLocal(t)
	tests := []struct {
		name   string
		change func(*autotls.Config)
		names  []string
		want   error  // nil: only the message is checked
		says   string // part of the message
	}{
		{"no names", nil, nil, autotls.ErrNoNames, "give at least one hostname, or turn on Config.OnDemand"},
		{"empty name", nil, []string{""}, certs.ErrInvalidHostname, "empty"},
		{"IP address", nil, []string{"192.0.2.1"}, certs.ErrInvalidHostname, "IP address"},
		{"URL instead of a name", nil, []string{"https://example.com/"}, certs.ErrInvalidHostname, "bare DNS name"},
		{"empty label", nil, []string{"a..example.com"}, certs.ErrInvalidHostname, "a..example.com"},
		{"wildcard", nil, []string{"*.example.com"}, certs.ErrWildcardNeedsDNS01, "DNS provider"},
		{"on-demand without a policy", func(c *autotls.Config) { c.OnDemand = &certs.OnDemandConfig{} }, nil, certs.ErrInvalidConfig, "Decide"},
		{"address and listener", func(c *autotls.Config) { c.HTTPSAddr, c.HTTPSListener = ":8443", ln }, []string{"a.test"}, certs.ErrInvalidConfig, "HTTPSAddr or HTTPSListener"},
		{"port 80 address and listener", func(c *autotls.Config) { c.HTTPAddr, c.HTTPListener = ":8080", ln }, []string{"a.test"}, certs.ErrInvalidConfig, "HTTPAddr or HTTPListener"},
		{"port 80 disabled and chosen", func(c *autotls.Config) { c.DisableHTTP, c.HTTPAddr = true, ":8080" }, []string{"a.test"}, certs.ErrInvalidConfig, "DisableHTTP"},
		{"issuer and email", func(c *autotls.Config) { c.DirectoryURL, c.Issuer, c.Email = "", iss, "ops@example.com" }, []string{"a.test"}, certs.ErrInvalidConfig, "acme.Config"},
		{"negative shutdown timeout", func(c *autotls.Config) { c.ShutdownTimeout = -1 }, []string{"a.test"}, certs.ErrInvalidConfig, "ShutdownTimeout"},
		{"plain http directory", func(c *autotls.Config) { c.DirectoryURL = "http://ca.example/dir" }, []string{"a.test"}, nil, "ACME requires https"},
		{"staging and a directory", func(c *autotls.Config) { c.Staging = true }, []string{"a.test"}, nil, "DirectoryURL or Config.Staging, not both"},
		{"email with a name", func(c *autotls.Config) { c.Email = "Ops <ops@example.com>" }, []string{"a.test"}, nil, "plain address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := offline()
			if tc.change != nil {
				tc.change(&cfg)
			}
			_, err := autotls.New(context.Background(), cfg, tc.names...)
			require.Error(t, err)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			}
			require.ErrorContains(t, err, tc.says)
			require.ErrorContains(t, err, "autotls: ")
		})
	}
}

// TestNewAccepts: names are normalized and deduplicated; on-demand TLS
// needs no names; an email is optional.
func TestNewAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*autotls.Config)
		names  []string
		want   []string
	}{
		{"names normalized", nil, []string{"Example.COM.", "www.example.com", "example.com"}, []string{"example.com", "www.example.com"}},
		{"unicode to punycode", nil, []string{"bücher.example"}, []string{"xn--bcher-kva.example"}},
		{"on demand without names", func(c *autotls.Config) {
			c.OnDemand = &certs.OnDemandConfig{Decide: certs.AllowSuffixes("example.com")}
		}, nil, []string{}},
		{"with an email", func(c *autotls.Config) { c.Email = "ops@example.com" }, []string{"a.test"}, []string{"a.test"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := offline()
			if tc.change != nil {
				tc.change(&cfg)
			}
			s, err := autotls.New(context.Background(), cfg, tc.names...)
			require.NoError(t, err)
			require.Equal(t, tc.want, s.Names())
			require.NotNil(t, s.Manager())
		})
	}
}

// TestAddrInUse: an address another program holds is an ErrAddrInUse
// *ListenError naming the address and the Config field, from Serve and
// Listen alike; the listeners given in Config are closed.
func TestAddrInUse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		field string
		set   func(c *autotls.Config, busy string, given net.Listener)
	}{
		{"https", "HTTPSAddr", func(c *autotls.Config, busy string, given net.Listener) { c.HTTPSAddr, c.HTTPListener = busy, given }},
		{"port 80", "HTTPAddr", func(c *autotls.Config, busy string, given net.Listener) { c.HTTPAddr, c.HTTPSListener = busy, given }},
	}
	for _, tc := range tests {
		for _, call := range []string{"Serve", "Listen"} {
			t.Run(call+" "+tc.name, func(t *testing.T) {
				busy := listenLocal(t).Addr().String()
				given := listenLocal(t)
				cfg := offline()
				tc.set(&cfg, busy, given)
				var err error
				if call == "Serve" {
					err = autotls.ServeConfig(context.Background(), cfg, http.NotFoundHandler(), "a.test")
				} else {
					_, _, err = autotls.Listen(context.Background(), cfg, "a.test")
				}
				require.ErrorIs(t, err, autotls.ErrAddrInUse)
				require.ErrorIs(t, err, syscall.EADDRINUSE)
				require.NotErrorIs(t, err, autotls.ErrPermission)
				var lerr *autotls.ListenError
				require.ErrorAs(t, err, &lerr)
				require.Equal(t, busy, lerr.Addr)
				require.Equal(t, tc.field, lerr.Field)
				require.ErrorContains(t, err, busy+" is already in use by another program: stop that program")
				require.ErrorContains(t, err, "Config."+tc.field)
				requireClosed(t, given.Addr().String())
			})
		}
	}
}

// TestListenErrorClassification: what net.Listen returns, as it wraps it
// (*net.OpError around *os.SyscallError around the errno), is classified
// and explained. TestPermissionDenied does the same with a real bind.
func TestListenErrorClassification(t *testing.T) {
	t.Parallel()
	opErr := func(errno syscall.Errno) error {
		return &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", errno)}
	}
	tests := []struct {
		name       string
		field      string
		err        error
		permission bool
		inUse      bool
		says       []string
	}{
		{"EACCES on 443", "HTTPSAddr", opErr(syscall.EACCES), true, false,
			[]string{"no permission to listen on :443", "run as root", "setcap 'cap_net_bind_service=+ep'", `Config.HTTPSAddr to another address (such as ":8443")`}},
		{"EPERM on 80", "HTTPAddr", opErr(syscall.EPERM), true, false,
			[]string{"no permission to listen on :80", `Config.HTTPAddr to another address (such as ":8080")`}},
		{"EADDRINUSE", "HTTPSAddr", opErr(syscall.EADDRINUSE), false, true,
			[]string{":443 is already in use", "ss -ltnp 'sport = :443'", "Config.HTTPSAddr"}},
		{"another error", "HTTPSAddr", opErr(syscall.EADDRNOTAVAIL), false, false,
			[]string{"autotls: listen on :443 (Config.HTTPSAddr)"}},
		{"not a syscall error", "HTTPSAddr", errors.New("unknown network"), false, false,
			[]string{"unknown network"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := ":443"
			if tc.field == "HTTPAddr" {
				addr = ":80"
			}
			err := error(&autotls.ListenError{Addr: addr, Field: tc.field, Err: tc.err})
			require.Equal(t, tc.permission, errors.Is(err, autotls.ErrPermission))
			require.Equal(t, tc.inUse, errors.Is(err, autotls.ErrAddrInUse))
			require.ErrorIs(t, err, tc.err, "the cause is kept")
			for _, s := range tc.says {
				require.ErrorContains(t, err, s)
			}
		})
	}
}
