package pgstore

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

// The fleet tests prove the README's promise about replicas with real
// processes: the test binary re-executes itself as TestFleetChild, each
// child a certs.Manager with Start on the same PostgreSQL database, ordering
// from the parent's in-process Pebble over loopback (through a proxy of the
// parent that counts the orders). The parent answers Pebble's HTTP-01
// requests from the shared Store with a Manager of its own, as any replica
// would: the tokens are written there by whichever child orders.

// fleetEnv carries a child's fleetConfig as JSON.
const fleetEnv = "PGSTORE_TEST_FLEET"

// fleetConfig is what a child is told by the parent.
type fleetConfig struct {
	DSN       string   // the shared database
	Directory string   // the ACME directory (the parent's proxy)
	RootsPEM  string   // trusts the proxy's TLS certificate
	Key       string   // the shared encryption key, base64
	Names     []string // ordered all at once
}

// fleetResult is a child's report for one name, one line of its stdout
// after fleetResultPrefix.
type fleetResult struct {
	Name     string
	Err      string    `json:",omitempty"`
	Obtained time.Time // when the child's Obtain returned
	Served   time.Time // when its GetCertificate first returned the certificate
	Serial   string
}

const (
	fleetWorkers      = 50 // every name at once: the Manager bounds its orders
	fleetResultPrefix = "fleet-result "
	fleetDone         = "fleet-done"
)

// TestFleetChild is the child process of the fleet tests: a replica that
// obtains every name of its fleetConfig at once and reports, for each,
// when its Obtain returned and when it first served the certificate.
func TestFleetChild(t *testing.T) {
	raw := os.Getenv(fleetEnv)
	if raw == "" {
		t.Skip("helper process of the fleet tests")
	}
	var cfg fleetConfig
	require.NoError(t, json.Unmarshal([]byte(raw), &cfg))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	st, err := New(ctx, Config{DSN: cfg.DSN, Logger: quiet()})
	require.NoError(t, err)
	defer st.Close()
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM([]byte(cfg.RootsPEM)))
	iss, err := acme.New(acme.Config{
		DirectoryURL: cfg.Directory, AgreeTOS: true, Email: "ops@example.com",
		HTTPClient: &http.Client{Timeout: time.Minute, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, MaxIdleConnsPerHost: 16}},
		Store: store.NewMemory(), Logger: quiet(), DefaultProfile: "shortlived",
		DefaultChallenge: certs.ChallengeHTTP01,
	})
	require.NoError(t, err)
	key, err := store.ParseKey("fleet", cfg.Key)
	require.NoError(t, err)
	m, err := certs.New(certs.Config{Store: st, Issuer: iss, EncryptionKey: &key, Logger: quiet(), DisableOCSPStapling: true})
	require.NoError(t, err)
	require.NoError(t, m.Start(ctx))
	defer m.Stop()

	var (
		outMu sync.Mutex
		wg    sync.WaitGroup
		fails atomic.Int32
	)
	report := func(r fleetResult) {
		b, _ := json.Marshal(r)
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(os.Stdout, "%s%s\n", fleetResultPrefix, b)
	}
	// fleetWorkers goroutines at once (all the names): the Manager itself
	// bounds the orders holding a lock (Config.MaxConcurrentOrders), so
	// that lock connections are left for their writes.
	slots := make(chan struct{}, fleetWorkers)
	for _, name := range cfg.Names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := fleetResult{Name: name}
			served := make(chan struct{})
			go func() { // watches what this process serves
				defer close(served)
				for ctx.Err() == nil {
					c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: name})
					if err == nil && c != nil && c.Leaf != nil {
						r.Served, r.Serial = time.Now(), c.Leaf.SerialNumber.String()
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
			}()
			slots <- struct{}{}
			_, err := m.Obtain(ctx, name, certs.ObtainOptions{})
			r.Obtained = time.Now()
			<-slots
			<-served
			if err == nil {
				err = ctx.Err()
			}
			if err != nil {
				r.Err = err.Error()
				fails.Add(1)
			}
			report(r)
		}()
	}
	wg.Wait()
	fmt.Fprintln(os.Stdout, fleetDone)
	require.Zero(t, fails.Load(), "names not obtained")
}

// fleet is the parent's side: Pebble, the counting proxy, the HTTP-01
// answerer on the shared Store, and the children.
type fleet struct {
	srv    *pebbletest.Server
	dsn    string
	db     string
	proxy  *httptest.Server
	key    store.Key
	m      *certs.Manager // the parent's replica, answering HTTP-01
	orders atomic.Int64   // new orders Pebble created

}

// newFleet starts the parent's side. hold, when not nil, is called on each
// HTTP-01 request of the CA before the Store answers it.
func newFleet(t *testing.T, hold func(host string)) *fleet {
	t.Helper()
	dsn, db := newDB(t)
	f := &fleet{srv: pebbletest.Start(t, pebbletest.Options{}), dsn: dsn, db: db}
	var err error
	f.key, err = store.GenerateKey("fleet")
	require.NoError(t, err)
	f.m, err = certs.New(certs.Config{Store: newStoreDSN(t, dsn, Config{}), EncryptionKey: &f.key, Logger: quiet(), DisableOCSPStapling: true})
	require.NoError(t, err)
	h := f.m.HTTPHandler(nil)
	f.srv.HandleHTTP01(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hold != nil {
			host, _, err := net.SplitHostPort(r.Host)
			if err != nil {
				host = r.Host
			}
			hold(host)
		}
		h.ServeHTTP(w, r)
	}))

	target, err := url.Parse(strings.TrimSuffix(f.srv.DirectoryURL, "/dir"))
	require.NoError(t, err)
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host // Pebble builds its URLs from Host
		},
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: f.srv.Roots}, MaxIdleConnsPerHost: 64},
		ModifyResponse: func(resp *http.Response) error {
			p := resp.Request.URL.Path
			if resp.Request.Method != http.MethodPost {
				return nil
			}
			if p == "/order-plz" && resp.StatusCode == http.StatusCreated {
				f.orders.Add(1)
			}
			// As pebbletest's transport does: let Pebble's asynchronous
			// validation and finalization finish before the client polls
			// (lego backs off 5 s after a pending poll).
			if strings.HasPrefix(p, "/chalZ/") || strings.HasPrefix(p, "/finalize-order/") {
				select {
				case <-time.After(pebbletest.DefaultPause):
				case <-resp.Request.Context().Done():
				}
			}
			return nil
		},
	}
	f.proxy = httptest.NewTLSServer(rp)
	t.Cleanup(f.proxy.Close)
	return f
}

// child is a running TestFleetChild.
type child struct {
	cmd     *exec.Cmd
	results chan fleetResult // closed after fleet-done or at EOF
	done    chan struct{}    // closed when the report is complete
}

// start re-executes the test binary as a replica ordering names, killed
// when the test ends.
func (f *fleet) start(t *testing.T, names []string) *child {
	t.Helper()
	cfg, err := json.Marshal(fleetConfig{
		DSN: f.dsn, Directory: f.proxy.URL + "/dir",
		RootsPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.proxy.Certificate().Raw})),
		Key:      base64.StdEncoding.EncodeToString(f.key.Secret[:]), Names: names,
	})
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^TestFleetChild$", "-test.count=1", "-test.timeout=3m")
	cmd.Env = append(os.Environ(), childDSNEnv+"="+f.dsn, fleetEnv+"="+string(cfg))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	c := &child{cmd: cmd, results: make(chan fleetResult, len(names)), done: make(chan struct{})}
	exited := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	go func() {
		defer close(exited)
		defer func() { _ = cmd.Wait() }()
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		closed := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, fleetResultPrefix) && !closed:
				var r fleetResult
				if json.Unmarshal([]byte(strings.TrimPrefix(line, fleetResultPrefix)), &r) == nil {
					c.results <- r
				}
			case line == fleetDone && !closed:
				closed = true
				close(c.results)
			default:
				fmt.Fprintln(os.Stderr, "fleet child:", line)
			}
		}
		if !closed {
			close(c.results)
		}
	}()
	// cmd.Wait is left to the reader goroutine: it must finish reading
	// first. done tells the tests that the process has exited.
	go func() { <-exited; close(c.done) }()
	return c
}

// collect returns the child's results by name once it reported every one
// (or failing the test after timeout), and checks that it exited cleanly.
func (c *child) collect(t *testing.T, timeout time.Duration) map[string]fleetResult {
	t.Helper()
	got := map[string]fleetResult{}
	deadline := time.After(timeout)
	for {
		select {
		case r, ok := <-c.results:
			if !ok {
				select {
				case <-c.done:
				case <-deadline:
					t.Fatalf("child %d did not exit", c.cmd.Process.Pid)
				}
				require.True(t, c.cmd.ProcessState.Success(), "child %d: %s", c.cmd.Process.Pid, c.cmd.ProcessState)
				return got
			}
			require.Empty(t, r.Err, "child %d: %s", c.cmd.Process.Pid, r.Name)
			got[r.Name] = r
		case <-deadline:
			t.Fatalf("child %d reported %d names within %s", c.cmd.Process.Pid, len(got), timeout)
		}
	}
}

// fleetNames returns n fresh names under one unique domain.
func fleetNames(n int) []string {
	domain := pebbletest.UniqueDomain("")
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("n%02d.%s", i, domain)
	}
	return names
}

// TestFleetOneOrderPerName: 5 replicas (processes) on one database are
// asked at once for the same 50 names. Exactly 50 orders reach the CA,
// every replica serves the same certificate for each name, and each serves
// it within moments of its issuance (the "within 1 s"; asserted
// with a bound generous for -race, the figure logged).
func TestFleetOneOrderPerName(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 5 processes ordering 50 certificates")
	}
	t.Parallel()
	const replicas, n = 5, 50
	f := newFleet(t, nil)
	names := fleetNames(n)
	children := make([]*child, replicas)
	for i := range children {
		shuffled := append([]string(nil), names...)
		rand.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		children[i] = f.start(t, shuffled)
	}
	started := time.Now()
	results := make([]map[string]fleetResult, replicas)
	for i, c := range children {
		results[i] = c.collect(t, 2*time.Minute)
		require.Len(t, results[i], n, "child %d", i)
	}
	t.Logf("%d replicas obtained and served %d names in %s", replicas, n, time.Since(started).Round(time.Millisecond))

	require.EqualValues(t, n, f.orders.Load(), "orders that reached the CA")

	ctx := ctxT(t)
	serials := map[string]bool{}
	var worst time.Duration
	var worstName string
	for _, name := range names {
		issued := results[0][name].Obtained
		var servedByAll time.Time
		for i := range results {
			r := results[i][name]
			require.Equal(t, results[0][name].Serial, r.Serial, "replica %d serves another certificate for %s", i, name)
			if r.Obtained.Before(issued) {
				issued = r.Obtained
			}
			if r.Served.After(servedByAll) {
				servedByAll = r.Served
			}
		}
		if lag := servedByAll.Sub(issued); lag > worst {
			worst, worstName = lag, name
		}
		serials[results[0][name].Serial] = true

		h, err := f.m.Get(ctx, name)
		require.NoError(t, err)
		require.NotNil(t, h.ACME, name)
		leaf := leafOf(t, h.ACME.ChainPEM)
		require.Equal(t, results[0][name].Serial, leaf.SerialNumber.String(), "the stored certificate of %s", name)
	}
	require.Len(t, serials, n, "distinct certificates")
	// Issued is when the first Obtain returned (the orderer's, after it
	// stored the certificate); a replica serves from then on at most
	// after its own 5 ms poll.
	t.Logf("served by every replica at most %s after issuance (%s)", worst.Round(time.Millisecond), worstName)
	require.Less(t, worst, 5*time.Second, "the issue asks for 1 s; this bound allows for -race")
}

// TestFleetKilledOrderHolder: a replica is SIGKILLed while it holds a
// name's order lock mid-order (the CA's HTTP-01 request for it is held by
// the parent); another replica, waiting on that lock, completes the name.
func TestFleetKilledOrderHolder(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes ordering certificates")
	}
	t.Parallel()
	name := fleetNames(1)[0]
	blocked, release := make(chan struct{}), make(chan struct{})
	var first sync.Once
	f := newFleet(t, func(host string) {
		if host != name {
			return
		}
		first.Do(func() {
			close(blocked)
			select {
			case <-release:
			case <-time.After(time.Minute):
			}
		})
	})

	victim := f.start(t, []string{name})
	select {
	case <-blocked:
	case <-victim.done:
		t.Fatal("the first replica exited before validation")
	case <-time.After(time.Minute):
		t.Fatal("the CA's HTTP-01 request never came")
	}

	survivor := f.start(t, []string{name})
	admin := adminConn(t, f.db)
	ctx := ctxT(t)
	require.Eventually(t, func() bool { // the survivor waits on the lock
		var waiting int
		err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").Scan(&waiting)
		return err == nil && waiting > 0
	}, 30*time.Second, 20*time.Millisecond, "the second replica never waited for the order lock")

	killed := time.Now()
	require.NoError(t, victim.cmd.Process.Signal(syscall.SIGKILL))
	<-victim.done
	close(release) // the CA's held request is answered now, from the Store
	ws, ok := victim.cmd.ProcessState.Sys().(syscall.WaitStatus)
	require.True(t, ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL, "victim: %s", victim.cmd.ProcessState)

	got := survivor.collect(t, 2*time.Minute)
	require.Contains(t, got, name)
	t.Logf("the surviving replica served %s %s after the holder's SIGKILL", name, got[name].Served.Sub(killed).Round(time.Millisecond))

	h, err := f.m.Get(ctx, name)
	require.NoError(t, err)
	require.NotNil(t, h.ACME)
	require.Equal(t, got[name].Serial, leafOf(t, h.ACME.ChainPEM).SerialNumber.String())
}

// leafOf parses the first certificate of chainPEM.
func leafOf(t *testing.T, chainPEM string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(chainPEM))
	require.NotNil(t, b, "no PEM block")
	c, err := x509.ParseCertificate(b.Bytes)
	require.NoError(t, err)
	return c
}
