package pgstore

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/pgstore/internal/pgtest"
	"github.com/certs-dev/certs/store"
)

// The restart test (issue 10, "PostgreSQL restarted mid-run"): a replica
// in a child process (the test binary re-executed as
// TestRestartReplicaChild), a Manager with Start on a pgstore, serves real
// TLS handshakes on loopback while the test stops PostgreSQL (cleanly, then
// with SIGKILL) and starts it again on the same data directory and port.
// The test uses a PostgreSQL server of its own, not the package's shared
// one, which other tests use meanwhile.

// restartEnv carries a child's restartConfig as JSON.
const restartEnv = "PGSTORE_TEST_RESTART"

// restartAddrPrefix starts the child's line giving its TLS address.
const restartAddrPrefix = "restart-addr "

// restartPoll is the replica's Config.PollInterval: after the server is
// back, Watch listens and reads the feed again at its next poll, so this
// bounds how long the replica takes to catch up.
const restartPoll = time.Second

// restartBound is how soon after a write the replica must serve it, the
// server restarted or not.
const restartBound = 5 * time.Second

type restartConfig struct {
	DSN string // the database
	Key string // the encryption key, base64
}

// TestRestartReplicaChild is the child process of
// TestReplicaSurvivesPostgresRestart: a replica (Manager with Start) on the
// database, serving TLS on a loopback port it prints, until its stdin is
// closed. It logs warnings to stderr.
func TestRestartReplicaChild(t *testing.T) {
	raw := os.Getenv(restartEnv)
	if raw == "" {
		t.Skip("helper process of TestReplicaSurvivesPostgresRestart")
	}
	var cfg restartConfig
	require.NoError(t, json.Unmarshal([]byte(raw), &cfg))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := New(ctx, Config{DSN: cfg.DSN, Logger: log, PollInterval: restartPoll})
	require.NoError(t, err)
	defer st.Close()
	key, err := store.ParseKey("k1", cfg.Key)
	require.NoError(t, err)
	m, err := certs.New(certs.Config{Store: st, EncryptionKey: &key, Logger: log, DisableOCSPStapling: true})
	require.NoError(t, err)
	require.NoError(t, m.Start(ctx))
	defer m.Stop()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: m.GetCertificate, MinVersion: tls.VersionTLS12})
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				_ = c.(*tls.Conn).Handshake()
			}()
		}
	}()
	fmt.Fprintf(os.Stdout, "%s%s\n", restartAddrPrefix, ln.Addr())
	stdin := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(stdin) }()
	select {
	case <-stdin:
	case <-ctx.Done():
		t.Fatal("not told to stop within 3 minutes")
	}
}

// startRestartReplica starts the child and returns its TLS address; it is
// told to stop (and killed if it does not) when the test ends.
func startRestartReplica(t *testing.T, cfg restartConfig) string {
	t.Helper()
	raw, err := json.Marshal(cfg)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^TestRestartReplicaChild$", "-test.count=1", "-test.timeout=4m")
	cmd.Env = append(os.Environ(), childDSNEnv+"="+cfg.DSN, restartEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	addr := make(chan string, 1)
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		defer func() { _ = cmd.Wait() }()
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, restartAddrPrefix); ok {
				addr <- a
				continue
			}
			fmt.Fprintln(os.Stderr, "restart child:", line)
		}
	}()
	t.Cleanup(func() {
		_ = stdin.Close()
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			t.Errorf("restart child %d did not stop within 15s; killing it", cmd.Process.Pid)
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	select {
	case a := <-addr:
		return a
	case <-exited:
		t.Fatal("the restart child exited before serving")
	case <-time.After(time.Minute):
		t.Fatal("the restart child did not serve within a minute")
	}
	return ""
}

// TestReplicaSurvivesPostgresRestart: a replica process serves 20 stored
// hostnames. PostgreSQL is stopped (a clean shutdown, then in a second
// round SIGKILL of all its processes): the replica still completes TLS
// handshakes for every hostname from memory; a write fails with an error
// and leaves nothing behind. PostgreSQL is started again on the same data
// directory and port: a hostname written at once (while the replica is
// still reconnecting) and one written after that are served by the
// replica within 5 s of the write, through the change feed; every record
// stored before is still there and served, and the write that failed
// succeeds when made again.
func TestReplicaSurvivesPostgresRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a PostgreSQL server twice")
	}
	if srv == nil {
		t.Skip(skipReason)
	}
	t.Parallel()
	pg, err := pgtest.Start() // its own server: the shared one must stay up
	require.NoError(t, err)
	t.Cleanup(pg.Stop)
	dsn := pg.AppDSN(pg.NewDatabase(t))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	ca := testpki.NewCA(t)
	key, err := store.GenerateKey("k1")
	require.NoError(t, err)
	wst := newStoreDSN(t, dsn, Config{}) // the writer, another replica
	w, err := certs.New(certs.Config{Store: wst, EncryptionKey: &key, Roots: ca.Pool(), Logger: quiet(), DisableOCSPStapling: true})
	require.NoError(t, err)
	write := func(ctx context.Context, name string) error {
		leaf := ca.Leaf(t, []string{name}, testpki.LeafOptions{})
		_, err := w.Import(ctx, name, certs.Input{Certificate: leaf.ChainPEM(), PrivateKey: leaf.KeyPEM()}, certs.ImportOptions{})
		return err
	}
	var stored []string
	for i := range 20 {
		name := fmt.Sprintf("b%02d.restart.test", i)
		require.NoError(t, write(ctx, name))
		stored = append(stored, name)
	}

	addr := startRestartReplica(t, restartConfig{DSN: dsn, Key: base64.StdEncoding.EncodeToString(key.Secret[:])})
	handshake := func(name string) error {
		d := &net.Dialer{Timeout: 3 * time.Second, Deadline: time.Now().Add(3 * time.Second)}
		c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{ServerName: name, RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12})
		if err != nil {
			return err
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].VerifyHostname(name)
	}
	servesAll := func(what string) {
		t.Helper()
		for _, name := range stored {
			require.NoError(t, handshake(name), "%s: %s", what, name)
		}
	}
	// servedWithin writes name and returns how long the replica took to
	// serve it, failing the test past restartBound.
	servedWithin := func(name string) time.Duration {
		t.Helper()
		wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
		defer wcancel()
		require.NoError(t, write(wctx, name))
		written := time.Now()
		for {
			err := handshake(name)
			if err == nil {
				stored = append(stored, name)
				return time.Since(written)
			}
			if time.Since(written) > restartBound {
				t.Fatalf("the replica does not serve %s %s after it was written: %v", name, restartBound, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	servesAll("before the restart")
	t.Logf("before any restart: served %s after the write", servedWithin("warm.restart.test"))

	for round, kill := range []bool{false, true} {
		how := map[bool]string{false: "clean shutdown", true: "SIGKILL"}[kill]
		require.NoError(t, pg.Halt(kill), how)
		down := time.Now()
		servesAll("PostgreSQL down (" + how + ")")

		lost := fmt.Sprintf("lost%d.restart.test", round)
		wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
		start := time.Now()
		err := write(wctx, lost)
		wcancel()
		require.Error(t, err, "a write with PostgreSQL down")
		t.Logf("%s: the write failed after %s: %v", how, time.Since(start).Round(time.Millisecond), err)

		// Down long enough for the replica's feed to fail a few polls.
		time.Sleep(time.Until(down.Add(3 * restartPoll)))
		servesAll("PostgreSQL down for a while (" + how + ")")

		require.NoError(t, pg.Resume(), how)
		t.Logf("%s: PostgreSQL down %s", how, time.Since(down).Round(time.Millisecond))
		catchUp := servedWithin(fmt.Sprintf("up%d-a.restart.test", round))
		next := servedWithin(fmt.Sprintf("up%d-b.restart.test", round))
		t.Logf("%s: written at once after the restart, served after %s; the next one after %s", how, catchUp, next)

		_, err = wst.Get(ctx, lost)
		require.ErrorIs(t, err, store.ErrNotFound, "the failed write left a record")
		t.Logf("%s: the failed write made again, served after %s", how, servedWithin(lost))
		servesAll("after the restart (" + how + ")")
	}

	// Every record written is in the database, read by a store of its own.
	check, err := store.NewEncrypted(newStoreDSN(t, dsn, Config{}), key)
	require.NoError(t, err)
	for _, name := range stored {
		r, err := check.Get(ctx, name)
		require.NoError(t, err, name)
		require.NotEmpty(t, r.Name)
	}
	require.Len(t, stored, 20+1+2*3)
}
