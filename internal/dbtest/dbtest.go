// Package dbtest starts real PostgreSQL and MariaDB servers for tests:
// once per test binary, in a temp dir on a loopback port, as an
// unprivileged user where the server demands it. Call StopAll from
// TestMain. A test skips (fails when CI is set) when the server binaries
// are missing, saying how to install them.
package dbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// Password is the test user's password; it has characters that need
// escaping in a URL, so the masking of its escaped forms is tested too.
const Password = "s3cr3t@Pw:x%9"

// StopAll stops the servers started so far and removes their files.
func StopAll() {
	for _, s := range []*Server{pg.srv, my.srv} {
		if s != nil {
			s.Stop()
			os.RemoveAll(s.Dir)
		}
	}
}

// Server is one database server process, restartable.
type Server struct {
	Kind string // "postgres" or "mariadb"
	Dir  string
	Port int
	argv []string
	cred *syscall.Credential
	cmd  *exec.Cmd
	done chan struct{}
	// URL is the lock URL for the unprivileged test user.
	URL string
	// ready checks the server answers.
	ready func(ctx context.Context) error
}

type once struct {
	sync.Once
	srv *Server
	err error
}

var pg, my once

// need skips the test (fails it in CI) with an install hint.
func need(t testing.TB, what, hint string) {
	t.Helper()
	msg := fmt.Sprintf("%s not found: install it with `%s` to run this test", what, hint)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// asUser is the credential to run a server as when tests run as root
// (initdb and mariadbd refuse root), and chowns dir to it.
func asUser(t testing.TB, dir string, names ...string) *syscall.Credential {
	if os.Geteuid() != 0 {
		return nil
	}
	for _, n := range names {
		u, err := user.Lookup(n)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		err = filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, uid, gid)
		})
		if err != nil {
			t.Fatal(err)
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	t.Fatalf("running as root and none of the users %v exists to run the server as", names)
	return nil
}

func run(t testing.TB, cred *syscall.Credential, dir string, argv ...string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "HOME=" + dir}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out)
	}
}

// Start starts the server and waits until it answers.
func (s *Server) Start() error {
	logf, err := os.OpenFile(filepath.Join(s.Dir, "server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	cmd.Dir = s.Dir
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "HOME=" + s.Dir}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	logf.Close()
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(s.done) }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		err := s.ready(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			log, _ := os.ReadFile(filepath.Join(s.Dir, "server.log"))
			return fmt.Errorf("%s exited: %s", s.Kind, log)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %v", s.Kind, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop shuts the server down (fast: open connections are closed) and
// waits for it; its port refuses connections afterwards.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	sig := syscall.SIGTERM
	if s.Kind == "postgres" {
		sig = syscall.SIGINT // fast shutdown; SIGTERM waits for clients
	}
	s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	s.cmd = nil
}

// Postgres is the shared PostgreSQL server; the test skips if
// Debian's postgresql is not installed.
func Postgres(t testing.TB) *Server {
	t.Helper()
	initdb := findPostgres("initdb")
	if initdb == "" {
		need(t, "PostgreSQL (initdb under /usr/lib/postgresql/*/bin)", "apt-get install postgresql")
	}
	pg.Do(func() { pg.srv, pg.err = startPostgres(t, filepath.Dir(initdb)) })
	if pg.err != nil {
		t.Fatal(pg.err)
	}
	return pg.srv
}

// Private starts a server of kind ("postgres" or "mariadb") for t alone,
// stopped and removed when t ends: a test that stops and starts its
// server must not take the shared one from tests running beside it.
func Private(t testing.TB, kind string) *Server {
	t.Helper()
	var (
		s   *Server
		err error
	)
	switch kind {
	case "postgres":
		initdb := findPostgres("initdb")
		if initdb == "" {
			need(t, "PostgreSQL (initdb under /usr/lib/postgresql/*/bin)", "apt-get install postgresql")
		}
		s, err = startPostgres(t, filepath.Dir(initdb))
	case "mariadb":
		if _, lerr := exec.LookPath("mariadbd"); lerr != nil {
			need(t, "MariaDB (mariadbd, mariadb-install-db)", "apt-get install mariadb-server")
		}
		s, err = startMariaDB(t)
	default:
		t.Fatalf("dbtest: no server kind %q", kind)
	}
	if s != nil {
		t.Cleanup(func() {
			s.Stop()
			os.RemoveAll(s.Dir)
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func findPostgres(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	sort.Slice(m, func(i, j int) bool { return versionOf(m[i]) > versionOf(m[j]) })
	if len(m) == 0 {
		return ""
	}
	return m[0]
}

func versionOf(p string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
	return n
}

func startPostgres(t testing.TB, bin string) (*Server, error) {
	dir, err := os.MkdirTemp("", "tend-dblock-pg-")
	if err != nil {
		return nil, err
	}
	os.Chmod(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte(Password+"\n"), 0o600); err != nil {
		return nil, err
	}
	cred := asUser(t, dir, "postgres", "nobody")
	data := filepath.Join(dir, "data")
	run(t, cred, dir, filepath.Join(bin, "initdb"), "-D", data, "-U", "tend", "--pwfile="+filepath.Join(dir, "pw"),
		"--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	s := &Server{Kind: "postgres", Dir: dir, Port: freePort(t), cred: cred}
	s.argv = []string{filepath.Join(bin, "postgres"), "-D", data,
		"-c", "listen_addresses=127.0.0.1", "-c", "port=" + strconv.Itoa(s.Port),
		"-c", "unix_socket_directories=" + dir, "-c", "fsync=off", "-c", "max_connections=300",
		"-c", "shared_buffers=16MB", "-c", "logging_collector=off"}
	u := url.URL{Scheme: "postgres", User: url.UserPassword("tend", Password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)), Path: "/postgres", RawQuery: "sslmode=disable"}
	s.URL = u.String()
	s.ready = func(ctx context.Context) error {
		c, err := pgx.Connect(ctx, s.URL)
		if err != nil {
			return err
		}
		return c.Close(ctx)
	}
	return s, s.Start()
}

// MariaDB is the shared MariaDB server; the test skips if Debian's
// mariadb-server is not installed.
func MariaDB(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("mariadbd"); err != nil {
		need(t, "MariaDB (mariadbd, mariadb-install-db)", "apt-get install mariadb-server")
	}
	my.Do(func() { my.srv, my.err = startMariaDB(t) })
	if my.err != nil {
		t.Fatal(my.err)
	}
	return my.srv
}

func startMariaDB(t testing.TB) (*Server, error) {
	dir, err := os.MkdirTemp("", "tend-dblock-my-")
	if err != nil {
		return nil, err
	}
	os.Chmod(dir, 0o755)
	// A temp dir of its own: two servers set up at once in /tmp clash
	// over their temporary tables' files.
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, err
	}
	cred := asUser(t, dir, "mysql", "nobody")
	data := filepath.Join(dir, "data")
	sock := filepath.Join(dir, "sock")
	run(t, cred, dir, "mariadb-install-db", "--no-defaults", "--datadir="+data, "--tmpdir="+tmp,
		"--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve")
	s := &Server{Kind: "mariadb", Dir: dir, Port: freePort(t), cred: cred}
	s.argv = []string{"mariadbd", "--no-defaults", "--datadir=" + data, "--tmpdir=" + tmp, "--socket=" + sock,
		"--port=" + strconv.Itoa(s.Port), "--bind-address=127.0.0.1", "--skip-name-resolve",
		"--pid-file=" + filepath.Join(dir, "pid"), "--log-error=" + filepath.Join(dir, "server.log"),
		"--innodb-buffer-pool-size=16M", "--skip-log-bin", "--max-connections=300"}
	s.URL = (&url.URL{Scheme: "mysql", User: url.UserPassword("tend", Password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)), Path: "/tend"}).String()
	var setUp bool
	s.ready = func(ctx context.Context) error {
		if setUp {
			db, err := sql.Open("mysql", (&mysql.Config{User: "tend", Passwd: Password, Net: "tcp",
				Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)), AllowNativePasswords: true}).FormatDSN())
			if err != nil {
				return err
			}
			defer db.Close()
			return db.PingContext(ctx)
		}
		db := MariaDBRoot(s)
		defer db.Close()
		if err := db.PingContext(ctx); err != nil {
			return err
		}
		for _, q := range []string{
			"CREATE USER 'tend'@'127.0.0.1' IDENTIFIED BY '" + Password + "'",
			"CREATE DATABASE tend",
			"GRANT ALL ON *.* TO 'tend'@'127.0.0.1'",
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return errors.New(q + ": " + err.Error())
			}
		}
		setUp = true
		return nil
	}
	return s, s.Start()
}

// MariaDBRoot is an admin connection over the Unix socket.
func MariaDBRoot(s *Server) *sql.DB {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "unix", filepath.Join(s.Dir, "sock")
	db, _ := sql.Open("mysql", cfg.FormatDSN())
	return db
}

// Pid is the running server's process id (0 when stopped).
func (s *Server) Pid() int {
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}
