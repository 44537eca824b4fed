package acme_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"log/slog"
	"testing"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/lego"
	"github.com/go-acme/lego/v4/registration"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// legoUser is a bare lego registration.User.
type legoUser struct {
	key crypto.PrivateKey
	reg *registration.Resource
}

func (u *legoUser) GetEmail() string                        { return "ops@example.com" }
func (u *legoUser) GetRegistration() *registration.Resource { return u.reg }
func (u *legoUser) GetPrivateKey() crypto.PrivateKey        { return u.key }

// legoHTTP01 adapts the test HTTP-01 solver to lego's provider interface.
type legoHTTP01 struct{ s *httpSolver }

func (p legoHTTP01) Present(domain, token, keyAuth string) error {
	return p.s.Present(context.Background(), domain, token, keyAuth)
}

func (p legoHTTP01) CleanUp(domain, token, keyAuth string) error {
	return p.s.CleanUp(context.Background(), domain, token, keyAuth)
}

// BenchmarkIssue obtains one certificate (one name, HTTP-01, EC P-256,
// profile "shortlived") per iteration from the same in-process Pebble,
// through acme.Issuer and through a bare lego client. Both use the
// harness's transport (50 ms pause after challenge and finalize POSTs).
func BenchmarkIssue(b *testing.B) {
	e := newEnv(b, pebbletest.Options{})

	b.Run("acme", func(b *testing.B) {
		iss := e.issuer(b, func(c *acme.Config) { c.Logger = slog.New(slog.DiscardHandler) })
		ctx := context.Background()
		_, err := iss.Issue(ctx, e.request(pebbletest.UniqueDomain(""))) // register the account
		require.NoError(b, err)
		for b.Loop() {
			_, err := iss.Issue(ctx, e.request(pebbletest.UniqueDomain("")))
			require.NoError(b, err)
		}
	})

	b.Run("lego", func(b *testing.B) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(b, err)
		user := &legoUser{key: key}
		cfg := lego.NewConfig(user)
		cfg.CADirURL = e.srv.DirectoryURL
		cfg.HTTPClient = e.srv.HTTPClient()
		cfg.Certificate.KeyType = certcrypto.EC256
		client, err := lego.NewClient(cfg)
		require.NoError(b, err)
		require.NoError(b, client.Challenge.SetHTTP01Provider(legoHTTP01{e.http01}))
		user.reg, err = client.Registration.Register(registration.RegisterOptions{TermsOfServiceAgreed: true})
		require.NoError(b, err)
		for b.Loop() {
			_, err := client.Certificate.Obtain(certificate.ObtainRequest{
				Domains: []string{pebbletest.UniqueDomain("")}, Bundle: true, Profile: "shortlived",
			})
			require.NoError(b, err)
		}
	})
}
