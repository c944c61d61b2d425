// Package control is tend's control socket: a Unix socket through which
// `tend status`, `tend restart` and friends talk to a running `tend start`.
// One JSON request per connection, one JSON response back.
package control

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/tend-run/tend/regfile"
	"github.com/tend-run/tend/status"

	"github.com/tend-run/tend/privdir"
)

// Request asks the running tend to do something.
type Request struct {
	// Op is one of status.Op* ("status", "restart", "stop", "start", "reload"
	// or "cron-run").
	Op     string `json:"op"`
	Target string `json:"target,omitempty"`
	// Logs is the query of a "logs" request.
	Logs *LogQuery `json:"logs,omitempty"`
	// Size is the caller's window size, for "attach".
	Size *WindowSize `json:"size,omitempty"`
}

// Response is the answer: the state after the operation, or an error.
type Response struct {
	Error  string           `json:"error,omitempty"`
	Status *status.Snapshot `json:"status,omitempty"`
}

// Handler answers requests (the supervisor's Do).
type Handler func(op, target string) (status.Snapshot, error)

// MaxPath is the longest socket path the kernel takes: sun_path less its
// NUL (107 bytes on Linux, 103 on macOS). A longer one fails to bind with
// "invalid argument".
const MaxPath = len(syscall.RawSockaddrUnix{}.Path) - 1

// DefaultPath is the socket of the app at root: in tend's private per-user
// directory (see privdir: $XDG_RUNTIME_DIR/tend-UID, /run/tend for root,
// else $TMPDIR/tend-UID; the first whose socket path fits MaxPath), named
// by a hash of the absolute root, so the path stays short, a read-only app
// root is fine and two containers sharing a directory do not collide.
// Servers and clients both call it, so both get the same path; an error
// wrapping privdir.ErrNoPlace means this environment has no place for it.
func DefaultPath(root string) (string, error) {
	key, err := privdir.AppKey(root)
	if err != nil {
		return "", fmt.Errorf("socket path: %w", err)
	}
	name := key + ".sock"
	dir, err := privdir.Find(privdir.Candidates(), func(dir string) error {
		return checkLength(filepath.Join(dir, name))
	})
	if err != nil {
		return "", fmt.Errorf("control socket: %w; or choose one with --socket PATH", err)
	}
	return filepath.Join(dir, name), nil
}

func checkLength(path string) error {
	if len(path) > MaxPath {
		return fmt.Errorf("socket path %s is %d bytes, longer than the kernel's limit of %d (sun_path)", path, len(path), MaxPath)
	}
	return nil
}

// ErrRunning is returned by Listen when a live tend already owns the socket.
var ErrRunning = errors.New("tend is already running for this app")

// ErrNotRunning is returned by the clients when nothing listens at the path.
var ErrNotRunning = errors.New("no tend running for this app")

// Listen binds the socket at path (mode 0600). A stale socket left by a
// crashed tend is replaced; a live one is an error naming its pid; anything
// else at path (a file, a directory, a symlink) is left alone and refused.
func Listen(path string) (net.Listener, error) {
	if err := checkLength(path); err != nil {
		return nil, err
	}
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.Mode()&fs.ModeSocket == 0:
		return nil, fmt.Errorf("refusing to replace %s with the control socket: it is %s, not a socket", path, regfile.Kind(fi.Mode()))
	case err == nil:
		if err := removeStale(path); err != nil {
			return nil, err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("control socket: %w", err)
	}
	old := syscall.Umask(0o177) // the socket is born 0600, with no window
	l, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	return l, nil
}

// removeStale removes the socket at path if nothing listens on it.
func removeStale(path string) error {
	conn, err := net.DialTimeout("unix", path, 5*time.Second)
	switch {
	case err == nil:
		defer conn.Close()
		uid, err := peerUID(conn)
		if err != nil {
			return fmt.Errorf("check who listens on %s: %w", path, err)
		}
		if !trusted(uid) {
			return fmt.Errorf("refusing to replace %s: a process of another user (uid %d) listens on it", path, uid)
		}
		if resp, err := exchange(conn, path, Request{Op: status.OpStatus}); err == nil && resp.Status != nil {
			return fmt.Errorf("%w (pid %d, socket %s)", ErrRunning, resp.Status.Pid, path)
		}
		return fmt.Errorf("refusing to replace %s: something listens on it", path)
	case errors.Is(err, syscall.ENOENT):
		return nil // gone meanwhile
	case !errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("check the socket %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale socket: %w", err)
	}
	return nil
}

// trusted says whether a process of uid may talk to us, as client or as
// server: only our own user and root.
func trusted(uid int) bool {
	return uid == os.Geteuid() || uid == 0
}

// Serve answers requests on l until it is closed; run (may be nil)
// serves "cron-run" requests, logs (may be nil) "logs" requests, attach
// (may be nil) "attach" requests.
func Serve(l net.Listener, h Handler, run Streamer, logs LogSource, attach Attacher) {
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		go serveConn(conn, h, run, logs, attach)
	}
}

func serveConn(conn net.Conn, h Handler, run Streamer, logs LogSource, attach Attacher) {
	defer conn.Close()
	// Whoever can reach the socket (its mode may be looser than ours with
	// --socket) must still be us or root to be answered.
	if uid, err := peerUID(conn); err != nil || !trusted(uid) {
		why := fmt.Sprintf("uid %d", uid)
		if err != nil {
			why = err.Error()
		}
		_ = json.NewEncoder(conn).Encode(Response{Error: fmt.Sprintf("permission denied (%s): this tend takes requests only from uid %d and root", why, os.Geteuid())})
		// Let the caller finish sending (closing now would fail its write
		// before it reads why), but read little and not for long.
		if uc, ok := conn.(*net.UnixConn); ok {
			_ = uc.CloseWrite()
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _ = io.Copy(io.Discard, io.LimitReader(conn, 64<<10))
		return
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	var req Request
	dec := json.NewDecoder(bufio.NewReader(conn))
	if err := dec.Decode(&req); err != nil {
		_ = json.NewEncoder(conn).Encode(Response{Error: "bad request: " + err.Error()})
		return
	}
	if req.Op == status.OpCronRun {
		_ = conn.SetReadDeadline(time.Time{}) // a run may take hours
		if run == nil {
			_ = json.NewEncoder(conn).Encode(Frame{Error: "this tend runs no cron jobs"})
			return
		}
		stream(conn, dec, req, run)
		return
	}
	if req.Op == status.OpAttach {
		_ = conn.SetReadDeadline(time.Time{}) // a debugging session has no end
		serveAttach(conn, dec, req, attach)
		return
	}
	if req.Op == status.OpLogs {
		_ = conn.SetReadDeadline(time.Time{}) // a follow may last all day
		if logs == nil {
			_ = json.NewEncoder(conn).Encode(LogFrame{End: true, Error: "this tend keeps no output"})
			return
		}
		serveLogs(conn, dec, req, h, logs)
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
	conn, err := dial(path)
	if err != nil {
		return Response{}, err
	}
	defer conn.Close()
	return exchange(conn, path, req)
}

func exchange(conn net.Conn, path string, req Request) (Response, error) {
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	sendErr := json.NewEncoder(conn).Encode(req)
	var resp Response
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		if sendErr != nil {
			return Response{}, fmt.Errorf("send to %s: %w", path, sendErr)
		}
		return Response{}, fmt.Errorf("read from %s: %w", path, err)
	}
	return resp, nil // even if sending failed: the server may have said why
}

// dial connects to the tend at path, and only if it is run by us or by
// root: another user could otherwise answer in its place (forged status
// and health checks, swallowed stop and restart requests).
func dial(path string) (net.Conn, error) {
	if err := checkLength(path); err != nil {
		return nil, err
	}
	conn, err := net.DialTimeout("unix", path, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("%w (socket %s): %w", ErrNotRunning, path, err)
	}
	uid, err := peerUID(conn)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("check who listens on %s: %w", path, err)
	}
	if !trusted(uid) {
		conn.Close()
		return nil, fmt.Errorf("refusing the control socket %s: it is served by uid %d, not by us (uid %d) or root; another user may be posing as tend", path, uid, os.Geteuid())
	}
	return conn, nil
}

// Resolve is the socket to use: flag (--socket) when set, which is
// explicit, else the default path for the app root (DefaultPath).
func Resolve(flag, root string) (path string, explicit bool, err error) {
	if flag != "" {
		return flag, true, nil
	}
	path, err = DefaultPath(root)
	return path, false, err
}
