package startup

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/status"
)

// Serve binds the socket (0600) and the HTTP listener; both answer from do,
// and stop removes them.
func TestServeAnswersOnTheSocketAndHTTP(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "tend.sock")
	addr := testkit.FreeAddr(t)
	do := func(op, target string) (status.Snapshot, error) { return status.Snapshot{Pid: 4242}, nil }
	out := output.NewMux(output.OutputOptions{Stdout: io.Discard, Stderr: io.Discard})
	stop, err := Serve(Serving{Root: t.TempDir(), Socket: sock, MetricsAddr: addr}, do, nil, out)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(sock); err != nil || st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
		t.Errorf("socket %v: %v", st, err)
	}
	resp, err := http.Get("http://" + addr + "/status")
	if err != nil {
		t.Fatal(err)
	}
	var snap status.Snapshot
	err = json.NewDecoder(resp.Body).Decode(&snap)
	resp.Body.Close()
	if err != nil || snap.Pid != 4242 {
		t.Errorf("/status: %+v %v", snap, err)
	}
	stop()
	if _, err := http.Get("http://" + addr + "/status"); err == nil {
		t.Error("the HTTP listener answers after stop")
	}
}

// A changed Procfile asks for a reload; --watch-path without
// --watch-restart is refused.
func TestWatchAsksForAReload(t *testing.T) {
	dir := t.TempDir()
	procfile := filepath.Join(dir, "Procfile")
	if err := os.WriteFile(procfile, []byte("web: sleep 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := app.Load(app.Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	out := output.NewMux(output.OutputOptions{Stdout: io.Discard, Stderr: io.Discard})
	reloads := make(chan spec.ReloadRequest, 1)
	if _, err := Watch(a, Watching{Globs: []string{"*.go"}}, out, reloads); err == nil || !strings.Contains(err.Error(), "--watch-restart") {
		t.Errorf("--watch-path alone: %v", err)
	}
	stop, err := Watch(a, Watching{}, out, reloads)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if err := os.WriteFile(procfile, []byte("web: sleep 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-reloads:
		if r.Reason != "files changed" {
			t.Errorf("reason %q", r.Reason)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no reload after the Procfile changed")
	}
}
