package control

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/tend-run/tend/internal/testkit/testmain"
	"github.com/tend-run/tend/status"
)

// TestMain lets the test binary, run again as another user, be a client
// or a server of its own (TEND_CONTROL_HELPER).
func TestMain(m *testing.M) {
	testmain.NoExitSleep()
	switch os.Getenv("TEND_CONTROL_HELPER") {
	case "call":
		resp, err := Call(os.Getenv("SOCK"), Request{Op: "stop", Target: "web"})
		fmt.Printf("error=%v response=%q\n", err, resp.Error)
		os.Exit(0)
	case "serve":
		l, err := Listen(os.Getenv("SOCK"))
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("listening")
		Serve(l, func(string, string) (status.Snapshot, error) { return status.Snapshot{Pid: 4242}, nil }, nil, nil, nil)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to play the user nobody with setpriv (CI runs as root)")
	}
}

// asNobody starts this test binary as the user nobody in helper mode.
func asNobody(t *testing.T, mode, sock string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(shared(t), "control.test") // reachable by nobody
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin)
	cmd.Env = append(os.Environ(), "TEND_CONTROL_HELPER="+mode, "SOCK="+sock)
	cmd.Dir = "/"
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, bufio.NewReader(out)
}

// shared is a fresh directory, mode 0755, that other users can reach.
func shared(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestServeAnswersOnlyOurUIDAndRoot(t *testing.T) {
	requireRoot(t)
	sock := filepath.Join(shared(t), "s")
	l, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var calls atomic.Int32
	go Serve(l, func(op, target string) (status.Snapshot, error) {
		calls.Add(1)
		return status.Snapshot{Pid: 4242}, nil
	}, nil, nil, nil)
	// Reachable by anyone: only the peer check stands in the way.
	if err := os.Chmod(sock, 0o777); err != nil {
		t.Fatal(err)
	}
	_, out := asNobody(t, "call", sock)
	line, _ := out.ReadString('\n')
	if want := fmt.Sprintf(`response="permission denied (uid 65534): this tend takes requests only from uid %d and root"`, os.Geteuid()); !strings.Contains(line, want) {
		t.Errorf("nobody's request: %q, want %s", line, want)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("nobody's request reached the handler (%d calls)", n)
	}
	resp, err := Call(sock, Request{Op: status.OpStatus})
	if err != nil || resp.Status == nil || resp.Status.Pid != 4242 || calls.Load() != 1 {
		t.Errorf("our own request: %+v, %v", resp, err)
	}
}

func TestClientsRefuseAServerOfAnotherUser(t *testing.T) {
	requireRoot(t)
	theirs := shared(t)
	if err := os.Chown(theirs, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(theirs, "s")
	_, out := asNobody(t, "serve", sock)
	if line, err := out.ReadString('\n'); line != "listening\n" {
		t.Fatalf("nobody's server: %q, %v", line, err)
	}
	want := fmt.Sprintf("refusing the control socket %s: it is served by uid 65534, not by us (uid %d) or root", sock, os.Geteuid())
	if _, err := Call(sock, Request{Op: status.OpStatus}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Call: %v", err)
	}
	if _, err := CallStream(sock, "job", io.Discard, io.Discard, nil); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("CallStream: %v", err)
	}
	if l, err := Listen(sock); err == nil || !strings.Contains(err.Error(), "refusing to replace "+sock+": a process of another user (uid 65534) listens on it") {
		if l != nil {
			l.Close()
		}
		t.Errorf("Listen: %v", err)
	}
	if st, err := os.Lstat(sock); err != nil || st.Mode()&os.ModeSocket == 0 {
		t.Errorf("nobody's socket was replaced: %v", err)
	}
}

func TestListenRefusesWhatIsNotASocket(t *testing.T) {
	for _, tc := range []struct {
		kind string
		make func(path string) error
	}{
		{"regular file", func(p string) error { return os.WriteFile(p, []byte("keep me"), 0o644) }},
		{"directory", func(p string) error { return os.Mkdir(p, 0o755) }},
		{"symbolic link", func(p string) error { return os.Symlink("/etc/passwd", p) }},
		{"named pipe", func(p string) error { return syscall.Mkfifo(p, 0o644) }},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "notes.txt")
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Lstat(path)
			l, err := Listen(path)
			if err == nil {
				l.Close()
			}
			want := fmt.Sprintf("refusing to replace %s with the control socket: it is a %s, not a socket", path, tc.kind)
			if err == nil || err.Error() != want {
				t.Errorf("Listen: %v, want %q", err, want)
			}
			after, err := os.Lstat(path)
			if err != nil || after.Mode() != before.Mode() || after.ModTime() != before.ModTime() {
				t.Errorf("%s changed: %v", path, err)
			}
		})
	}
}

func TestSocketPathLimit(t *testing.T) {
	dir := t.TempDir()
	pad := func(n int) string { // a path of n bytes in dir
		return filepath.Join(dir, strings.Repeat("s", n-len(dir)-1))
	}
	longest := pad(MaxPath)
	l, err := Listen(longest)
	if err != nil {
		t.Fatalf("a %d-byte path: %v", MaxPath, err)
	}
	l.Close()
	tooLong := pad(MaxPath + 1)
	want := fmt.Sprintf("socket path %s is %d bytes, longer than the kernel's limit of %d (sun_path)", tooLong, MaxPath+1, MaxPath)
	if _, err := Listen(tooLong); err == nil || err.Error() != want {
		t.Errorf("Listen: %v", err)
	}
	if _, err := Call(tooLong, Request{Op: status.OpStatus}); err == nil || err.Error() != want {
		t.Errorf("Call: %v", err)
	}
}

func TestCallWithoutAServer(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s")
	l, err := net.Listen("unix", sock) // a socket nobody listens on any more
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := Call(sock, Request{Op: status.OpStatus}); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Call: %v, want ErrNotRunning", err)
	}
	if _, err := CallStream(filepath.Join(t.TempDir(), "none"), "job", io.Discard, io.Discard, nil); !errors.Is(err, ErrNotRunning) {
		t.Errorf("CallStream: %v, want ErrNotRunning", err)
	}
}
