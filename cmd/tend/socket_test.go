package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/tend-run/tend/internal/testkit"
)

// The control socket on a shared host: other local users, a read-only
// file system, long paths. These tests play the user nobody and mount file
// systems in private mount namespaces, so they need root (as in CI).

// requireRoot skips the test unless it runs as root with setpriv, unshare
// and nsenter at hand.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: plays the user nobody with setpriv and mounts file systems in a private mount namespace (CI runs as root)")
	}
	for _, tool := range []string{"setpriv", "unshare", "nsenter", "mount"} {
		testkit.NeedProgram(t, tool, "Debian: apt-get install util-linux mount")
	}
}

// asNobody is argv run as the user nobody.
func asNobody(argv ...string) []string {
	return append([]string{"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"}, argv...)
}

// inMountNS is argv run in a private mount namespace after the shell
// commands in setup, whose mounts nothing outside it sees.
func inMountNS(setup string, argv ...string) []string {
	return append([]string{"unshare", "--mount", "--propagation", "private", "sh", "-ec", setup + "\nexec \"$@\"", "sh"}, argv...)
}

// roRun makes /run read-only, as in a container where it is not writable:
// root's default socket directory then falls back to the temp dir (and the
// test never touches the machine's /run/tend).
const roRun = "mount -t tmpfs -o ro tmpfs /run"

// readOnly makes dir read-only (a bind mount remounted ro).
func readOnly(dir string) string {
	return fmt.Sprintf("mount --bind '%s' '%s'\nmount -o remount,bind,ro '%s'", dir, dir, dir)
}

var tendForAll sync.Once

// sharedDir is a fresh directory, mode 0755, that other users can reach
// (t.TempDir's parent is 0700); the tend binary is made reachable too.
func sharedDir(t *testing.T) string {
	t.Helper()
	tendForAll.Do(func() {
		if err := os.Chmod(filepath.Dir(tendBin), 0o755); err != nil {
			t.Fatal(err)
		}
	})
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runArgv runs argv to completion in dir.
func runArgv(t *testing.T, dir string, env []string, argv ...string) (stdout, stderr string, code int) {
	t.Helper()
	p := startProgram(t, dir, env, argv[0], argv[1:]...)
	code = p.wait()
	return p.stdout.String(), p.stderr.String(), code
}

// noXDG unsets XDG_RUNTIME_DIR and points TMPDIR at tmp: the default
// socket is then $TMPDIR/tend-0 (with roRun).
func noXDG(tmp string) []string {
	return []string{"XDG_RUNTIME_DIR=", "TMPDIR=" + tmp}
}

func TestSocketDirPlantedByAnotherUser(t *testing.T) {
	t.Parallel()
	requireRoot(t)
	for _, tc := range []struct {
		name, plant, problem, mode string
	}{
		{"symlink", "ln -s \"$VICTIM\" \"$TMPDIR/tend-0\"", "is a symlink to ", "symlink 0777"},
		{"0777 dir", "mkdir -m 0777 \"$TMPDIR/tend-0\"", "belongs to another user", "mode 0777"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := sharedDir(t)
			if err := os.Chmod(tmp, 0o1777); err != nil { // a shared temp dir, as /tmp
				t.Fatal(err)
			}
			victim := filepath.Join(t.TempDir(), "victim") // stands for "/" or /etc
			if err := os.Mkdir(victim, 0o755); err != nil {
				t.Fatal(err)
			}
			env := append(noXDG(tmp), "VICTIM="+victim)
			if _, stderr, code := runArgv(t, "/", env, asNobody("sh", "-ec", tc.plant)...); code != 0 {
				t.Fatalf("nobody could not plant: %s", stderr)
			}
			planted := filepath.Join(tmp, "tend-0")
			wantErr := func(what, stderr string) {
				t.Helper()
				for _, want := range []string{"refusing " + planted, tc.problem, "owner nobody (uid 65534)", tc.mode, "--socket PATH", "XDG_RUNTIME_DIR"} {
					if !strings.Contains(stderr, want) {
						t.Errorf("%s: no %q in %q", what, want, stderr)
					}
				}
			}

			dir := writeApp(t, map[string]string{"Procfile": "web: echo web up\n"})
			stdout, stderr, code := runArgv(t, dir, env, inMountNS(roRun, tendBin, "start")...)
			if code != 1 || strings.Contains(stdout, "web up") {
				t.Errorf("start: exit %d, stdout %q, want 1 before anything runs", code, stdout)
			}
			wantErr("start", stderr)
			// Every client refuses it too, before connecting.
			for _, args := range [][]string{{"status"}, {"restart", "web"}} {
				_, stderr, code := runArgv(t, dir, env, inMountNS(roRun, append([]string{tendBin}, args...)...)...)
				if code != 1 {
					t.Errorf("%s: exit %d", args[0], code)
				}
				wantErr(args[0], stderr)
			}
			cronApp := writeApp(t, map[string]string{"Procfile": "web: sleep 60\n", "app.json": `{"cron": [{"command": "touch ran", "schedule": "@daily"}]}`})
			id := cronIDs(t, cronApp)[0]
			_, stderr, code = runArgv(t, cronApp, env, inMountNS(roRun, tendBin, "cron", "run", id)...)
			if code != 1 {
				t.Errorf("cron run: exit %d", code)
			}
			wantErr("cron run", stderr)
			if _, err := os.Stat(filepath.Join(cronApp, "ran")); err == nil {
				t.Errorf("cron run ran the job here instead of refusing")
			}

			st, err := os.Stat(victim)
			if err != nil || st.Mode().Perm() != 0o755 {
				t.Errorf("the symlink's target changed: %v, %v", st.Mode(), err)
			}
			if entries, _ := os.ReadDir(victim); len(entries) != 0 {
				t.Errorf("tend put %v in the symlink's target", entries)
			}
		})
	}
}

func TestSocketServerRefusesAnotherUsersRequests(t *testing.T) {
	t.Parallel()
	requireRoot(t)
	shared := sharedDir(t)
	sock := filepath.Join(shared, "s")
	env := []string{"TEND_SOCKET=" + sock}
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web up; sleep 60\n"})
	p := startTend(t, dir, env, "start")
	p.waitOutput("web up")
	waitFor(t, "the control socket", func() bool { _, err := os.Stat(sock); return err == nil })
	// Make it reachable by anyone: only the peer check stands in the way.
	if err := os.Chmod(sock, 0o777); err != nil {
		t.Fatal(err)
	}
	before := pidOf(statusOf(t, dir, env), "web.1")
	for _, args := range [][]string{{"stop", "web"}, {"status"}} {
		argv := asNobody(append(append([]string{tendBin}, args...), "--socket", sock)...)
		stdout, stderr, code := runArgv(t, "/", nil, argv...)
		if code != 1 || !strings.Contains(stderr, "permission denied (uid 65534): this tend takes requests only from uid 0 and root") || strings.Contains(stdout, "web.1") {
			t.Errorf("nobody's %s: exit %d, stdout %q, stderr %q", args[0], code, stdout, stderr)
		}
	}
	snap := statusOf(t, dir, env)
	if pidOf(snap, "web.1") != before || snap.Processes[0].State != "running" {
		t.Errorf("nobody's stop reached the supervisor: %+v", snap.Processes)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}

func TestSocketClientRefusesAnotherUsersServer(t *testing.T) {
	t.Parallel()
	requireRoot(t)
	theirs := sharedDir(t)
	if err := os.Chown(theirs, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(theirs, "s")
	dir := sharedDir(t)
	if err := os.WriteFile(filepath.Join(dir, "Procfile"), []byte("web: echo web up; sleep 60\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	argv := asNobody(tendBin, "start", "--socket", sock)
	srv := startProgram(t, dir, nil, argv[0], argv[1:]...)
	srv.waitOutput("web up")
	waitFor(t, "nobody's control socket", func() bool { _, err := os.Stat(sock); return err == nil })

	for _, args := range [][]string{{"status"}, {"stop", "web"}} {
		_, stderr, code := runTend(t, dir, nil, append(args, "--socket", sock)...)
		if code != 1 || !strings.Contains(stderr, "refusing the control socket "+sock+": it is served by uid 65534, not by us (uid 0) or root") {
			t.Errorf("%s: exit %d, %q", args[0], code, stderr)
		}
	}
	// A root tend started at that path leaves the live socket alone.
	stdout, stderr, code := runTend(t, dir, nil, "start", "--socket", sock)
	if code != 1 || !strings.Contains(stderr, "another user (uid 65534) listens on it") || strings.Contains(stdout, "web up") {
		t.Errorf("second start: exit %d, %q", code, stderr)
	}
	if st, err := os.Lstat(sock); err != nil || st.Mode()&os.ModeSocket == 0 {
		t.Errorf("nobody's socket was replaced: %v", err)
	}
	// nobody's own client is served: the refused stop never reached it.
	stdout, stderr, code = runArgv(t, "/", nil, asNobody(tendBin, "status", "--socket", sock)...)
	if code != 0 || !strings.Contains(stdout, "running") {
		t.Errorf("nobody's status: exit %d, %q %q", code, stdout, stderr)
	}
	srv.signal(syscall.SIGTERM)
	if code := srv.wait(); code != 0 {
		t.Errorf("nobody's tend: exit %d\n%s", code, srv.stderr)
	}
}

func TestSocketFlagReplacesOnlyASocket(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web up\n"})
	for _, tc := range []struct {
		name, kind string
		make       func(path string) error
		check      func(path string) error
	}{
		{"regular file", "regular file",
			func(p string) error { return os.WriteFile(p, []byte("keep me"), 0o644) },
			func(p string) error {
				if b, err := os.ReadFile(p); err != nil || string(b) != "keep me" {
					return fmt.Errorf("notes.txt now %q, %v", b, err)
				}
				return nil
			}},
		{"empty directory", "directory",
			func(p string) error { return os.Mkdir(p, 0o755) },
			func(p string) error {
				if st, err := os.Lstat(p); err != nil || !st.IsDir() {
					return fmt.Errorf("the directory is gone: %v", err)
				}
				return nil
			}},
		{"symlink", "symbolic link",
			func(p string) error { return os.Symlink(filepath.Join(dir, "Procfile"), p) },
			func(p string) error {
				if st, err := os.Lstat(p); err != nil || st.Mode()&os.ModeSymlink == 0 {
					return fmt.Errorf("the symlink is gone: %v", err)
				}
				return nil
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "notes.txt")
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := runTend(t, dir, nil, "start", "--socket", path)
			want := fmt.Sprintf("refusing to replace %s with the control socket: it is a %s, not a socket", path, tc.kind)
			if code != 1 || !strings.Contains(stderr, want) || strings.Contains(stdout, "web up") {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1 and %q", code, stdout, stderr, want)
			}
			if err := tc.check(path); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestStartWithAReadOnlyTempDir(t *testing.T) {
	t.Parallel()
	requireRoot(t)
	tmp := t.TempDir()
	env := noXDG(tmp)
	setup := roRun + "\n" + readOnly("/tmp") + "\n" + readOnly(tmp) // docker run --read-only
	dir := writeApp(t, map[string]string{
		"Procfile": "web: echo web up; sleep 60\n",
		"app.json": `{"cron": [{"command": "echo job ran", "schedule": "@every 1s", "concurrency_policy": "forbid"}]}`,
	})
	argv := inMountNS(setup, tendBin, "start")
	p := startProgram(t, dir, env, argv[0], argv[1:]...)
	p.waitOutput("web up")
	p.waitOutput("job ran") // without a lock dir, as the warning says
	waitStderr(t, p, "warning: running without a lock dir")
	const warning = "warning: running without a control socket"
	waitStderr(t, p, warning)
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d\n%s", code, p.stderr)
	}
	stderr := p.stderr.String()
	if n := strings.Count(stderr, warning); n != 1 || !strings.Contains(stderr, "read-only file system") || !strings.Contains(stderr, "--socket PATH on a writable mount brings it back") {
		t.Errorf("%d warnings:\n%s", n, stderr)
	}
	// A --socket that was asked for and fails is an error.
	stdout, stderr, code := runArgv(t, dir, env, inMountNS(setup, tendBin, "start", "--socket", filepath.Join(tmp, "s"))...)
	if code != 1 || !strings.Contains(stderr, "read-only file system") || strings.Contains(stdout, "web up") {
		t.Errorf("explicit --socket on a read-only mount: exit %d, %q", code, stderr)
	}
}

func TestSocketLongRuntimeDir(t *testing.T) {
	t.Parallel()
	requireRoot(t)
	long := filepath.Join(t.TempDir(), strings.Repeat("x", 110))
	if err := os.Mkdir(long, 0o700); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	env := []string{"XDG_RUNTIME_DIR=" + long, "TMPDIR=" + tmp}
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web up; sleep 60\n"})
	argv := inMountNS(roRun, tendBin, "start")
	p := startProgram(t, dir, env, argv[0], argv[1:]...)
	p.waitOutput("web up")
	// The client computes the same shorter path.
	stdout, stderr, code := runArgv(t, dir, env, inMountNS(roRun, tendBin, "status")...)
	if code != 0 || !strings.Contains(stdout, "web.1") {
		t.Errorf("status: exit %d, %q %q; server: %s", code, stdout, stderr, p.stderr)
	}
	socks, _ := filepath.Glob(filepath.Join(tmp, "tend-0", "*.sock"))
	if len(socks) != 1 {
		t.Errorf("no socket in the temp dir: %v", socks)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
	// An explicit path over the limit is an error naming it.
	_, stderr, code = runTend(t, dir, nil, "start", "--socket", filepath.Join(long, "s"))
	if code != 1 || !strings.Contains(stderr, "longer than the kernel's limit of 107") {
		t.Errorf("long --socket: exit %d, %q", code, stderr)
	}
}

func TestSocketRootPrefersRun(t *testing.T) {
	t.Parallel()
	requireRoot(t)
	tmp := t.TempDir()
	env := noXDG(tmp)
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web up; sleep 60\n"})
	argv := inMountNS("mount -t tmpfs tmpfs /run", tendBin, "start") // a writable /run of its own
	p := startProgram(t, dir, env, argv[0], argv[1:]...)
	p.waitOutput("web up")
	pid := fmt.Sprint(p.cmd.Process.Pid)
	runDir := filepath.Join("/proc", pid, "root", "run", "tend") // its /run, seen from here
	waitFor(t, "the socket in /run/tend", func() bool {
		socks, _ := filepath.Glob(filepath.Join(runDir, "*.sock"))
		return len(socks) == 1
	})
	if st, err := os.Lstat(runDir); err != nil || st.Mode().Perm() != 0o700 || st.Sys().(*syscall.Stat_t).Uid != 0 {
		t.Errorf("/run/tend: %v, %v", st.Mode(), err)
	}
	if _, err := os.Lstat(filepath.Join(tmp, "tend-0")); err == nil {
		t.Errorf("the temp dir was used too")
	}
	stdout, stderr, code := runArgv(t, dir, env, "nsenter", "--target", pid, "--mount", "--wd", tendBin, "status")
	if code != 0 || !strings.Contains(stdout, "web.1") {
		t.Errorf("status: exit %d, %q %q", code, stdout, stderr)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}
