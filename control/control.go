// Package control is tend's control socket: a Unix socket through which
// `tend status`, `tend restart` and friends talk to a running `tend start`.
// One JSON request per connection, one JSON response back.
package control

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/tend-run/tend/runner"
)

// Request asks the running tend to do something.
type Request struct {
	// Op is "status", "restart", "stop", "start" or "reload".
	Op     string `json:"op"`
	Target string `json:"target,omitempty"`
}

// Response is the answer: the state after the operation, or an error.
type Response struct {
	Error  string           `json:"error,omitempty"`
	Status *runner.Snapshot `json:"status,omitempty"`
}

// Handler answers requests (the supervisor's Do).
type Handler func(op, target string) (runner.Snapshot, error)

// DefaultPath is the socket of the app at root: in a private per-user
// directory (mode 0700) under $XDG_RUNTIME_DIR or the temp dir, named by a
// hash of the absolute root, so the path stays short, a read-only app root
// is fine and two containers sharing a directory do not collide.
func DefaultPath(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("socket path: %w", err)
	}
	base := os.Getenv("XDG_RUNTIME_DIR")
	if base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, fmt.Sprintf("tend-%d", os.Getuid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("socket dir: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("socket dir: %w", err)
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(dir, hex.EncodeToString(sum[:])[:16]+".sock"), nil
}

// ErrRunning is returned by Listen when a live tend already owns the socket.
var ErrRunning = errors.New("tend is already running for this app")

// Listen binds the socket at path (mode 0600). A stale socket left by a
// crashed tend is replaced; a live one is an error naming its pid.
func Listen(path string) (net.Listener, error) {
	if _, err := os.Lstat(path); err == nil {
		resp, err := Call(path, Request{Op: "status"})
		if err == nil && resp.Status != nil {
			return nil, fmt.Errorf("%w (pid %d, socket %s)", ErrRunning, resp.Status.Pid, path)
		}
		if rmErr := os.Remove(path); rmErr != nil {
			return nil, fmt.Errorf("remove stale socket: %w", rmErr)
		}
	}
	old := syscall.Umask(0o177) // the socket is born 0600, with no window
	l, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	return l, nil
}

// Serve answers requests on l until it is closed; run (may be nil)
// serves "cron-run" requests.
func Serve(l net.Listener, h Handler, run Streamer) {
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		go serveConn(conn, h, run)
	}
}

func serveConn(conn net.Conn, h Handler, run Streamer) {
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	var req Request
	dec := json.NewDecoder(bufio.NewReader(conn))
	if err := dec.Decode(&req); err != nil {
		_ = json.NewEncoder(conn).Encode(Response{Error: "bad request: " + err.Error()})
		return
	}
	if req.Op == "cron-run" {
		_ = conn.SetReadDeadline(time.Time{}) // a run may take hours
		if run == nil {
			_ = json.NewEncoder(conn).Encode(Frame{Error: "this tend runs no cron jobs"})
			return
		}
		stream(conn, dec, req, run)
		return
	}
	snap, err := h(req.Op, req.Target)
	resp := Response{Status: &snap}
	if err != nil {
		resp.Error = err.Error()
	}
	_ = json.NewEncoder(conn).Encode(resp)
}

// Call sends one request to the tend listening at path.
func Call(path string, req Request) (Response, error) {
	conn, err := net.DialTimeout("unix", path, 5*time.Second)
	if err != nil {
		return Response{}, fmt.Errorf("no tend running for this app (socket %s): %w", path, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return Response{}, fmt.Errorf("send to %s: %w", path, err)
	}
	var resp Response
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		return Response{}, fmt.Errorf("read from %s: %w", path, err)
	}
	return resp, nil
}
