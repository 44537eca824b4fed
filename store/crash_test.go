package store

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Environment of the crash test's child process.
const (
	crashDirEnv   = "CERTS_STORE_CRASH_DIR"   // store directory; set only in the child
	crashStartEnv = "CERTS_STORE_CRASH_START" // first write id of the child
	crashKillsEnv = "CERTS_STORE_CRASH_KILLS" // number of kills (default 200)
	crashRecords  = 8
	crashBlobs    = 4
)

// crashValue is the content written by write id: large enough that a write
// takes several syscalls, and self-checking.
func crashValue(id int) []byte {
	return bytes.Repeat([]byte(strconv.Itoa(id)+";"), 512)
}

// parseCrashValue returns the write id of v, checking that v is whole.
func parseCrashValue(v []byte) (int, error) {
	first, _, ok := bytes.Cut(v, []byte(";"))
	id, err := strconv.Atoi(string(first))
	if !ok || err != nil || !bytes.Equal(v, crashValue(id)) {
		return 0, fmt.Errorf("torn value of %d bytes starting %.20q", len(v), v)
	}
	return id, nil
}

// TestCrashChild is the child process of TestCrash: it writes records and
// blobs in a loop and prints the id of every write once Put returned.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process of TestCrash")
	}
	start, err := strconv.Atoi(os.Getenv(crashStartEnv))
	require.NoError(t, err)
	s, err := NewFS(dir)
	require.NoError(t, err)
	ctx := context.Background()
	os.Stdout.WriteString("ready\n")
	for id := start; ; id++ {
		v := crashValue(id)
		name := fmt.Sprintf("h%d.example.com", id%crashRecords)
		rec := &Record{Name: name, CreatedAt: time.Now(), Data: v, Secrets: map[string][]byte{"k": v}}
		require.NoError(t, s.Put(ctx, rec))
		fmt.Fprintf(os.Stdout, "R %s %d\n", name, id)
		key := fmt.Sprintf("crash/b%d", id%crashBlobs)
		require.NoError(t, s.PutBlob(ctx, key, v))
		fmt.Fprintf(os.Stdout, "B %s %d\n", key, id)
		if id%5 == 0 { // exercise Delete's rename too
			require.NoError(t, s.Put(ctx, &Record{Name: "churn.example.com", Data: v}))
			require.NoError(t, s.Delete(ctx, "churn.example.com"))
		}
	}
}

// TestCrash kills a writing child process with SIGKILL at random moments
// and checks after each kill that every record and blob still loads whole,
// and that every write the child reported as committed is on disk (it or a
// later write). It covers process crashes; power loss additionally relies
// on the fsyncs, which a test cannot cut.
func TestCrash(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("in the child")
	}
	kills := 200
	if v := os.Getenv(crashKillsEnv); v != "" {
		var err error
		kills, err = strconv.Atoi(v)
		require.NoError(t, err)
	}
	dir := t.TempDir()
	s, err := NewFS(dir)
	require.NoError(t, err)
	committed := map[string]int{} // "R name" or "B key" -> highest committed id
	writes := 0
	for kill := range kills {
		lines := runAndKill(t, dir, kill*10_000_000)
		for _, line := range lines {
			f := strings.Fields(line)
			require.Len(t, f, 3, "child output %q", line)
			id, err := strconv.Atoi(f[2])
			require.NoError(t, err)
			committed[f[0]+" "+f[1]] = max(committed[f[0]+" "+f[1]], id)
			writes++
		}
		checkCrashState(t, s, committed, kill)
	}
	temps := 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), tempPrefix) {
			temps++
		}
		return nil
	})
	t.Logf("%d kills, %d committed writes, %d temp files left by kills mid-write", kills, writes, temps)
	require.Greater(t, writes, kills, "the child hardly wrote anything before being killed")
}

// runAndKill starts the child, waits for it to be ready, kills it after 1
// to 20 ms and returns the complete lines it printed after "ready".
func runAndKill(t *testing.T, dir string, start int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashStartEnv+"="+strconv.Itoa(start))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	r := bufio.NewReader(out)
	ready := make(chan error, 1)
	go func() {
		line, err := r.ReadString('\n')
		if err == nil && line != "ready\n" {
			err = fmt.Errorf("unexpected first line %q", line)
		}
		ready <- err
	}()
	select {
	case err = <-ready:
	case <-time.After(30 * time.Second):
		err = errors.New("child not ready after 30s")
	}
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child: %v; stderr: %s", err, stderr.String())
	}
	time.Sleep(time.Millisecond + rand.N(19*time.Millisecond))
	require.NoError(t, cmd.Process.Kill())
	rest, _ := io.ReadAll(r)
	werr := cmd.Wait()
	require.Error(t, werr, "the child exited by itself; stderr: %s", stderr.String())
	var lines []string
	for line := range strings.SplitAfterSeq(string(rest), "\n") {
		if strings.HasSuffix(line, "\n") { // a cut-off last line was not committed
			lines = append(lines, strings.TrimSuffix(line, "\n"))
		}
	}
	return lines
}

// checkCrashState checks that everything on disk loads whole and holds the
// committed writes.
func checkCrashState(t *testing.T, s *FS, committed map[string]int, kill int) {
	t.Helper()
	ctx := context.Background()
	res, err := s.List(ctx, ListOptions{Limit: 1000})
	require.NoError(t, err, "kill %d: a record no longer loads", kill)
	for _, rec := range res.Records {
		if rec.Name == "churn.example.com" {
			continue
		}
		id, err := parseCrashValue(rec.Data)
		require.NoError(t, err, "kill %d: record %s", kill, rec.Name)
		sid, err := parseCrashValue(rec.Secrets["k"])
		require.NoError(t, err, "kill %d: record %s secret", kill, rec.Name)
		require.Equal(t, id, sid, "kill %d: record %s mixes two writes", kill, rec.Name)
	}
	for i := range crashRecords {
		name := fmt.Sprintf("h%d.example.com", i)
		want, ok := committed["R "+name]
		rec, err := s.Get(ctx, name)
		if !ok {
			continue
		}
		require.NoError(t, err, "kill %d: committed record %s lost", kill, name)
		id, err := parseCrashValue(rec.Data)
		require.NoError(t, err)
		require.GreaterOrEqual(t, id, want, "kill %d: record %s went back from committed write %d", kill, name, want)
	}
	for i := range crashBlobs {
		key := fmt.Sprintf("crash/b%d", i)
		b, err := s.GetBlob(ctx, key)
		want, ok := committed["B "+key]
		if errors.Is(err, ErrNotFound) && !ok {
			continue
		}
		require.NoError(t, err, "kill %d: blob %s", kill, key)
		id, err := parseCrashValue(b)
		require.NoError(t, err, "kill %d: blob %s", kill, key)
		require.GreaterOrEqual(t, id, want, "kill %d: blob %s went back from committed write %d", kill, key, want)
	}
}
