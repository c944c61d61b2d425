package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// releaseFIFO lets an open(2) blocked on path's read end return (the old
// code's hang), so a failing test ends cleanly.
func releaseFIFO(path string) {
	if fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		syscall.Close(fd)
	}
}

// waitExit waits up to d for tend to exit; else it unblocks fifo, kills
// tend and fails.
func (p *tendProc) waitExit(d time.Duration, fifo string) int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(d):
		releaseFIFO(fifo)
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		p.t.Fatalf("tend hangs; stdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
		return -1
	}
}

// A FIFO at one job's lock path (a shared lock dir is writable by others)
// skips that job's runs with an error; the other jobs run and the drain
// ends at once.
func TestCronBrokenLockFileInStart(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: exec sleep 60\n",
		"app.json": `{"cron": [
			{"command": "echo forbidden job", "schedule": "@every 1s", "concurrency_policy": "forbid"},
			{"command": "echo allowed job", "schedule": "@every 1s"}]}`,
	})
	locks := t.TempDir()
	fifo := filepath.Join(locks, cronIDs(t, dir)[0]+".lock")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	p := startTend(t, dir, []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}, "start", "--lock-dir", locks)
	t.Cleanup(func() { releaseFIFO(fifo) })
	p.waitFor("lock file "+fifo+" is a named pipe, not a regular file", p.stderr)
	p.waitOutput("| allowed job")
	p.signal(syscall.SIGTERM)
	if code := p.waitExit(30*time.Second, fifo); code != 0 {
		t.Errorf("exit %d\n%s%s", code, p.stdout, p.stderr)
	}
	if strings.Contains(p.stdout.String(), "forbidden job") {
		t.Errorf("the job with the broken lock ran:\n%s", p.stdout)
	}
}

// `tend cron run` takes the lock the same way: a FIFO or a symlink at the
// lock path, or a symlink where the lock dir should be, is an error (exit
// 1) at once, and the job does not run.
func TestCronRunBrokenLock(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 1\n",
		"app.json": `{"cron": [{"command": "echo ran > ran", "schedule": "@daily", "concurrency_policy": "forbid"}]}`,
	})
	id := cronIDs(t, dir)[0]
	base := t.TempDir()
	fifoDir, linkDir, realDir := filepath.Join(base, "fifo"), filepath.Join(base, "link"), filepath.Join(base, "real")
	for _, d := range []string{fifoDir, realDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fifo := filepath.Join(fifoDir, id+".lock")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(realDir, linkDir); err != nil {
		t.Fatal(err)
	}
	for lockDir, want := range map[string]string{
		fifoDir: "lock file " + fifo + " is a named pipe, not a regular file",
		linkDir: "lock dir " + linkDir + " is a symlink (to " + realDir + ")",
	} {
		p := startTend(t, dir, nil, "cron", "run", "--here", "--lock-dir", lockDir, id)
		if code := p.waitExit(30*time.Second, fifo); code != 1 || !strings.Contains(p.stderr.String(), want) {
			t.Errorf("--lock-dir %s: exit %d, want 1 and %q in:\n%s", lockDir, code, want, p.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
			t.Errorf("--lock-dir %s: the job ran", lockDir)
		}
	}
}

// A lock dir another user's tend cannot open is a clear error naming its
// owner and mode (CI runs as root; nobody plays the other user).
func TestCronRunUnreadableLockDir(t *testing.T) {
	t.Parallel()
	setpriv, err := exec.LookPath("setpriv")
	if os.Getuid() != 0 || err != nil {
		t.Skip("needs root and setpriv")
	}
	// Everything but the lock dir must be reachable by nobody.
	pub, err := os.MkdirTemp("", "tend-lockdir")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(pub) })
	bin := filepath.Join(pub, "tend")
	data, err := os.ReadFile(tendBin)
	if err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(pub, "app")
	locks := filepath.Join(pub, "locks")
	for _, err := range []error{
		os.Chmod(pub, 0o755), os.WriteFile(bin, data, 0o755), os.Mkdir(app, 0o755), os.Mkdir(locks, 0o700),
		os.WriteFile(filepath.Join(app, "Procfile"), []byte("web: sleep 1\n"), 0o644),
		os.WriteFile(filepath.Join(app, "app.json"), []byte(`{"cron": [{"command": "echo ran", "schedule": "@daily", "concurrency_policy": "forbid"}]}`), 0o644),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	id := cronIDs(t, app)[0]
	p := startProgram(t, app, nil, setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin, "cron", "run", "--here", "--lock-dir", locks, id)
	want := "open lock dir " + locks + " (owner uid 0, mode 0700; tend runs as uid 65534): permission denied"
	if code := p.waitExit(30*time.Second, ""); code != 1 || !strings.Contains(p.stderr.String(), want) {
		t.Errorf("exit %d, want 1 and %q in:\n%s", code, want, p.stderr)
	}
}
