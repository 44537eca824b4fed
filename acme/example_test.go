package acme_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"time"

	legolog "github.com/go-acme/lego/v4/log"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/store"
)

// An Issuer for Let's Encrypt; Issue places an HTTP-01 order.
func ExampleNew() {
	iss, err := acme.New(acme.Config{
		Email:    "ops@example.com",
		AgreeTOS: true,
		Store:    store.NewMemory(), // store.NewFS(dir) keeps the account across restarts
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(iss.DirectoryURL())
	// Output: https://acme-v02.api.letsencrypt.org/directory
}

// A CA that requires External Account Binding, such as ZeroSSL.
func ExampleExternalAccountBinding() {
	eab := &acme.ExternalAccountBinding{KeyID: "kid-from-your-ca", HMACKey: "aG1hYy1mcm9tLXlvdXItY2E"}
	_, err := acme.New(acme.Config{
		DirectoryURL: "https://acme.zerossl.com/v2/DV90",
		AgreeTOS:     true,
		EAB:          eab,
		Store:        store.NewMemory(),
	})
	fmt.Println(err, eab)
	// Output: <nil> ExternalAccountBinding{KeyID: "kid-from-your-ca", HMACKey: redacted}
}

// Issue a certificate and react to the errors a user can act on.
func ExampleIssuer_Issue() {
	iss, _ := acme.New(acme.Config{AgreeTOS: true, Staging: true, Store: store.NewMemory()})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var solver certs.ChallengeSolver // serves /.well-known/acme-challenge/ tokens
	_, err := iss.Issue(ctx, certs.IssueRequest{
		Names:   []string{"example.com", "www.example.com"},
		Profile: "shortlived",
		HTTP01:  solver,
	})
	var (
		rl *certs.RateLimitError
		ve *certs.ValidationError
	)
	switch {
	case errors.As(err, &rl):
		fmt.Println("retry after", rl.RetryAfter)
	case errors.As(err, &ve):
		for _, p := range ve.Problems {
			fmt.Println(p.Domain, p.Detail, "fix:", p.Hint)
		}
	case errors.Is(err, acme.ErrNoHTTP01Solver):
		fmt.Println("no HTTP-01 solver")
	}
	// Output: no HTTP-01 solver
}

// Revoke a certificate that the Issuer's account obtained.
func ExampleIssuer_Revoke() {
	iss, _ := acme.New(acme.Config{AgreeTOS: true, Store: store.NewMemory()})
	err := iss.Revoke(context.Background(), nil, 2) // 2 is not a reason ACME accepts
	fmt.Println(errors.Is(err, certs.ErrInvalidReason))
	// Output: true
}

// Ask the CA when to renew (ACME ARI).
func ExampleIssuer_RenewalInfo() {
	iss, _ := acme.New(acme.Config{AgreeTOS: true, Store: store.NewMemory()})
	var leaf *x509.Certificate // the certificate to renew
	if _, err := iss.RenewalInfo(context.Background(), leaf); err != nil {
		fmt.Println("no window:", err)
	}
	// Output: no window: acme: renewal info: nil certificate
}

// Route lego's own log lines into slog, once at program start.
func ExampleLegoLogger() {
	legolog.Logger = acme.LegoLogger(slog.Default())
}
