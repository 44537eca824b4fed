package autotls_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/autotls"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/store"
)

// HTTPS in one call: certificates from Let's Encrypt for both names, HTTP
// on :80 redirected to https, renewal, and a graceful shutdown on Ctrl-C
// or SIGTERM. The names must resolve to this machine, and :443 and :80
// must reach it. (Compiled, not run: it needs the internet.)
func ExampleServe() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello over HTTPS")
	})
	if err := autotls.Serve(ctx, mux, "example.com", "www.example.com"); err != nil {
		log.Fatal(err)
	}
}

// A first deployment: Let's Encrypt's staging CA while trying things out
// (its certificates are not trusted by browsers, its rate limits are
// generous), a contact address, a directory of your choice, and the
// typed errors of a machine that does not let the program use :443.
// (Compiled, not run: it needs the internet.)
func ExampleServeConfig() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := store.NewFS("/var/lib/myapp/certs")
	if err != nil {
		log.Fatal(err)
	}
	cfg := autotls.Config{
		Staging: true, // remove once it works
		Email:   "ops@example.com",
		Store:   st,
	}
	err = autotls.ServeConfig(ctx, cfg, http.FileServer(http.Dir("/var/www")), "example.com")
	switch {
	case errors.Is(err, autotls.ErrPermission):
		log.Fatalf("%v\n(for example: sudo setcap 'cap_net_bind_service=+ep' %s)", err, os.Args[0])
	case err != nil:
		log.Fatal(err)
	}
}

// Your own http.Server on a TLS listener that gets and renews its
// certificates; port 80 answers the CA and redirects to https until ctx
// is cancelled. (Compiled, not run: it needs the internet.)
func ExampleListen() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, m, err := autotls.Listen(ctx, autotls.Config{}, "example.com")
	if err != nil {
		log.Fatal(err)
	}
	m.Subscribe(func(e certs.Event) { log.Println(e.Type, e.Hostname, e.Err) })
	srv := &http.Server{Handler: http.NotFoundHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// The same thing offline, against the in-process CA of certstest instead
// of Let's Encrypt: New builds the Server, whose Manager answers the CA's
// challenges and reports the issuance; Serve serves until ctx is
// cancelled. A client that trusts the CA's roots then gets the page over
// HTTP/2.
func ExampleNew() {
	ca, stopCA, err := certstest.Run()
	if err != nil {
		log.Fatal(err)
	}
	defer stopCA()

	ln, err := net.Listen("tcp", "127.0.0.1:0") // as if :443
	if err != nil {
		log.Fatal(err)
	}
	srv, err := autotls.New(context.Background(), autotls.Config{
		DirectoryURL:  ca.DirectoryURL(),
		HTTPClient:    ca.HTTPClient(),
		Store:         store.NewMemory(),
		HTTPSListener: ln,
		HTTPAddr:      "127.0.0.1:0", // as if :80
		Logger:        slog.New(slog.DiscardHandler),
	}, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	m := srv.Manager()
	ca.HandleHTTP01(m.HTTPHandler(nil)) // the CA's HTTP-01 requests reach the Manager
	issued := make(chan string, 1)
	m.Subscribe(func(e certs.Event) {
		if e.Type == certs.EventIssued {
			issued <- e.Hostname
		}
	})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- srv.Serve(ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello from %s over %s", r.TLS.ServerName, r.Proto)
		}))
	}()
	select {
	case name := <-issued:
		fmt.Println("issued", name)
	case <-time.After(time.Minute):
		log.Fatal("no certificate within a minute")
	}

	dialHere := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, ln.Addr().String()) // as if DNS pointed here
	}
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Roots()}, ForceAttemptHTTP2: true, DialContext: dialHere,
	}}
	resp, err := client.Get("https://shop.example.com/")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(os.Stdout, resp.Body)
	fmt.Println()
	client.CloseIdleConnections()

	cancel()
	fmt.Println("Serve returned", <-done)
	// Output:
	// issued shop.example.com
	// hello from shop.example.com over HTTP/2.0
	// Serve returned <nil>
}
