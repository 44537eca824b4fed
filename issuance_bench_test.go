package certs_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"sync"
	"testing"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/lego"
	"github.com/go-acme/lego/v4/registration"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

// benchEnv is a Manager on an in-process Pebble answering HTTP-01 from its
// own HTTPHandler, plus a bare lego client on the same Pebble whose HTTP-01
// tokens the same handler serves (lego's provider writes them to the
// Manager's Store), so both sides do exactly the same work.
func benchEnv(b *testing.B) (*certs.Manager, *lego.Client) {
	b.Helper()
	srv := pebbletest.Start(b, pebbletest.Options{})
	st := store.NewMemory()
	iss, err := acme.New(acme.Config{DirectoryURL: srv.DirectoryURL, AgreeTOS: true, Email: "ops@example.com",
		HTTPClient: srv.HTTPClient(), Store: st, Logger: quiet(), DefaultProfile: "shortlived"})
	if err != nil {
		b.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: st, Issuer: iss, Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	srv.HandleHTTP01(b, m.HTTPHandler(http.NotFoundHandler()))

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	user := &legoUser{key: key}
	cfg := lego.NewConfig(user)
	cfg.CADirURL = srv.DirectoryURL
	cfg.HTTPClient = srv.HTTPClient()
	cfg.Certificate.KeyType = certcrypto.EC256
	client, err := lego.NewClient(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := client.Challenge.SetHTTP01Provider(storeHTTP01{st}); err != nil {
		b.Fatal(err)
	}
	if user.reg, err = client.Registration.Register(registration.RegisterOptions{TermsOfServiceAgreed: true}); err != nil {
		b.Fatal(err)
	}
	// Register the Manager's account too, outside the measurement.
	if _, err := m.Obtain(context.Background(), pebbletest.UniqueDomain(""), certs.ObtainOptions{}); err != nil {
		b.Fatal(err)
	}
	return m, client
}

type legoUser struct {
	key crypto.PrivateKey
	reg *registration.Resource
}

func (u *legoUser) GetEmail() string                        { return "ops@example.com" }
func (u *legoUser) GetRegistration() *registration.Resource { return u.reg }
func (u *legoUser) GetPrivateKey() crypto.PrivateKey        { return u.key }

// storeHTTP01 is lego's HTTP-01 provider writing where the Manager's
// HTTPHandler reads.
type storeHTTP01 struct{ st certs.Store }

func (p storeHTTP01) Present(_, token, keyAuth string) error {
	return p.st.PutBlob(context.Background(), "acme/http-01/"+token, []byte(keyAuth))
}

func (p storeHTTP01) CleanUp(_, token, _ string) error {
	return p.st.DeleteBlob(context.Background(), "acme/http-01/"+token)
}

// BenchmarkObtain obtains one certificate per iteration (one name, HTTP-01,
// EC P-256, profile shortlived) through the Manager and through a bare lego
// client on the same Pebble. Goal: the Manager within 1.1x of lego.
func BenchmarkObtain(b *testing.B) {
	m, client := benchEnv(b)
	ctx := context.Background()
	b.Run("manager", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.Obtain(ctx, pebbletest.UniqueDomain(""), certs.ObtainOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lego", func(b *testing.B) {
		for b.Loop() {
			if _, err := client.Certificate.Obtain(certificate.ObtainRequest{
				Domains: []string{pebbletest.UniqueDomain("")}, Bundle: true, Profile: "shortlived",
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkObtain50 obtains 50 certificates for 50 names per iteration,
// one by one and concurrently, through the Manager. Goal: concurrent at
// least 5x faster. Run it with -benchtime=1x: one iteration is 50 orders.
func BenchmarkObtain50(b *testing.B) {
	m, _ := benchEnv(b)
	ctx := context.Background()
	names := func() []string {
		out := make([]string, 50)
		for i := range out {
			out[i] = pebbletest.UniqueDomain("")
		}
		return out
	}
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			for _, n := range names() {
				if _, err := m.Obtain(ctx, n, certs.ObtainOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("concurrent", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			errs := make(chan error, 50)
			for _, n := range names() {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := m.Obtain(ctx, n, certs.ObtainOptions{}); err != nil {
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
		}
	})
}
