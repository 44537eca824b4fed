package pgtest

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// findBin returns the directory holding initdb and postgres: the one of
// initdb on PATH (symbolic links resolved), else the newest
// /usr/lib/postgresql/<version>/bin, where Debian puts them.
func findBin() (string, error) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "postgres"} {
			if st, err := os.Stat(filepath.Join(dir, b)); err != nil || st.IsDir() {
				return false
			}
		}
		return true
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
		if has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	return "", ErrNoPostgres
}

// versionOf returns the major version in /usr/lib/postgresql/<version>/bin.
func versionOf(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

// setUser picks the user the server runs as: the current one, or when that
// is root (which PostgreSQL refuses), "postgres" or else "nobody", and
// hands it the directory. It returns the credential for exec, nil when
// there is no switch.
func (s *Server) setUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err == nil {
			s.runAs = u.Username
		}
		return nil, nil
	}
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root and neither user postgres nor nobody exists to run PostgreSQL as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	s.runAs = u.Username
	err = filepath.WalkDir(s.dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		return nil, fmt.Errorf("pgtest: hand %s to user %s: %w", s.dir, u.Username, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// command returns bin/name with args, run as cred in the server directory.
func (s *Server) command(cred *syscall.Credential, bin, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8", "TZ=UTC")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	return cmd
}

// initdb creates the cluster in dir/data, with the admin's password and
// SCRAM authentication. It prefers an ICU collation (en-US), under which
// punctuation does not sort in byte order, so that tests catch queries
// that forget COLLATE "C".
func (s *Server) initdb(bin string, cred *syscall.Credential) error {
	pwfile := filepath.Join(s.dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(s.adminPW+"\n"), 0o600); err != nil {
		return err
	}
	if cred != nil {
		if err := os.Chown(pwfile, int(cred.Uid), int(cred.Gid)); err != nil {
			return err
		}
	}
	if out, err := s.command(nil, bin, "initdb", "--version").Output(); err == nil {
		s.version = strings.TrimSpace(string(out))
	}
	base := []string{"-D", filepath.Join(s.dir, "data"), "-U", AdminUser, "--pwfile", pwfile,
		"--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync"}
	out, err := s.command(cred, bin, "initdb", append(base, "--locale-provider", "icu", "--icu-locale", "en-US")...).CombinedOutput()
	if err != nil { // no ICU in this build, or a server older than 15
		_ = os.RemoveAll(filepath.Join(s.dir, "data"))
		out, err = s.command(cred, bin, "initdb", base...).CombinedOutput()
	}
	if err != nil {
		return fmt.Errorf("pgtest: initdb as %s: %v\n%s", s.runAs, err, out)
	}
	conf := "\n# pgtest: a throwaway server on loopback\n" +
		"listen_addresses = '127.0.0.1'\n" +
		"unix_socket_directories = '" + s.dir + "'\n" +
		"max_connections = 300\n" +
		"shared_buffers = 256MB\n" +
		// fsync off: nothing survives a crash of the machine, but each
		// commit writes its WAL before it returns (synchronous_commit on),
		// so a SIGKILL of the server (Halt) loses no acknowledged commit.
		"fsync = off\nfull_page_writes = off\n"
	f, err := os.OpenFile(filepath.Join(s.dir, "data", "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// start runs the server on a free port, trying another port if it was
// taken in the meantime, and connects the admin pool.
func (s *Server) start(bin string, cred *syscall.Credential) error {
	var err error
	for range 3 {
		if s.port, err = freePort(); err != nil {
			return err
		}
		if err = s.run(bin, cred); err == nil {
			return nil
		}
	}
	return err
}

// run starts postgres on s.port and waits until it accepts the admin.
func (s *Server) run(bin string, cred *syscall.Credential) error {
	logf, err := os.OpenFile(filepath.Join(s.dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := s.command(cred, bin, "postgres", "-D", filepath.Join(s.dir, "data"), "-p", strconv.Itoa(s.port))
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL // dies with the test binary
	cmd.SysProcAttr.Setpgid = true              // its own group, for Halt to kill it whole
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.cmd, s.exited = cmd, exited
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		pool, err := pgxpool.New(ctx, s.AdminDSN("postgres"))
		if err == nil {
			if err = pool.Ping(ctx); err == nil {
				cancel()
				s.admin = pool
				return nil
			}
			pool.Close()
		}
		cancel()
		select {
		case <-exited:
			s.cmd = nil
			return fmt.Errorf("pgtest: postgres exited at start on port %d:\n%s", s.port, s.logTail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			s.cmd = nil
			return fmt.Errorf("pgtest: postgres not ready after 60s (%v):\n%s", err, s.logTail())
		}
	}
}
