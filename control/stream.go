package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/status"
)

// Streamer runs a cron job now for a caller, copying its output to tee,
// and stops it when cancel is closed (the caller pressed Ctrl-C).
type Streamer func(id string, tee *output.Tee, cancel <-chan struct{}) (exitCode int, err error)

// Frame is one message of a streamed run: output, or the end.
type Frame struct {
	Stdout string `json:"stdout,omitempty"`
	Stderr string `json:"stderr,omitempty"`
	// Exit is set on the last frame.
	Exit    *int   `json:"exit,omitempty"`
	Error   string `json:"error,omitempty"`
	Skipped bool   `json:"skipped,omitempty"`
}

// frameWriter turns writes into frames on a shared encoder.
type frameWriter struct {
	mu     *sync.Mutex
	enc    *json.Encoder
	stderr bool
}

func (f frameWriter) Write(p []byte) (int, error) {
	fr := Frame{Stdout: string(p)}
	if f.stderr {
		fr = Frame{Stderr: string(p)}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enc.Encode(fr); err != nil {
		return 0, err
	}
	return len(p), nil
}

// stream serves a "cron-run" request: frames of output, then the status.
func stream(conn net.Conn, dec *json.Decoder, req Request, run Streamer) {
	var mu sync.Mutex
	enc := json.NewEncoder(conn)
	cancel := make(chan struct{})
	go func() {
		// The caller sends nothing more; its closing (or Ctrl-C, which
		// closes its side) ends this read and cancels the run.
		_, _ = io.Copy(io.Discard, io.MultiReader(dec.Buffered(), conn))
		close(cancel)
	}()
	tee := &output.Tee{Stdout: frameWriter{&mu, enc, false}, Stderr: frameWriter{&mu, enc, true}}
	code, err := run(req.Target, tee, cancel)
	last := Frame{}
	if err != nil {
		last.Error = err.Error()
		last.Skipped = errors.Is(err, status.ErrSkipped)
	} else {
		last.Exit = &code
	}
	mu.Lock()
	_ = enc.Encode(last)
	mu.Unlock()
}

// CallStream asks the tend at path to run a cron job now and copies its
// output to stdout and stderr. A value on interrupt (Ctrl-C) asks tend to
// stop the run; the run's status still comes back.
func CallStream(path, id string, stdout, stderr io.Writer, interrupt <-chan os.Signal) (Frame, error) {
	conn, err := dial(path)
	if err != nil {
		return Frame{}, err
	}
	defer conn.Close()
	if err := json.NewEncoder(conn).Encode(Request{Op: status.OpCronRun, Target: id}); err != nil {
		return Frame{}, fmt.Errorf("send to %s: %w", path, err)
	}
	go func() {
		if _, ok := <-interrupt; ok {
			if uc, ok := conn.(*net.UnixConn); ok {
				_ = uc.CloseWrite()
			}
		}
	}()
	dec := json.NewDecoder(conn)
	for {
		var f Frame
		if err := dec.Decode(&f); err != nil {
			return Frame{}, fmt.Errorf("the running tend went away: %w", err)
		}
		switch {
		case f.Stdout != "":
			_, _ = io.WriteString(stdout, f.Stdout)
		case f.Stderr != "":
			_, _ = io.WriteString(stderr, f.Stderr)
		default:
			return f, nil
		}
	}
}
