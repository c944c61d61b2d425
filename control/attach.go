package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/tend-run/tend/console"
	"github.com/tend-run/tend/status"
)

// Attacher connects a session to the terminal of the instance target
// names and says which instance that is (the supervisor's Attach).
type Attacher func(target string) (*console.Session, string, error)

// WindowSize is a terminal's size in characters.
type WindowSize struct {
	Rows uint16 `json:"rows"`
	Cols uint16 `json:"cols"`
}

// AttachReply answers an "attach" request; after one without an error
// the connection carries the instance's terminal output, raw, and the
// caller sends InputFrames.
type AttachReply struct {
	Name  string `json:"name,omitempty"`
	Error string `json:"error,omitempty"`
}

// InputFrame is what an attached caller sends: keys, or a new window size.
type InputFrame struct {
	Keys []byte      `json:"keys,omitempty"`
	Size *WindowSize `json:"size,omitempty"`
}

// serveAttach serves an "attach" request until the caller detaches (closes
// its side) or the instance's output ends (it exited).
func serveAttach(conn net.Conn, dec *json.Decoder, req Request, attach Attacher) {
	if attach == nil {
		_ = json.NewEncoder(conn).Encode(AttachReply{Error: "this tend runs no processes to attach to"})
		return
	}
	session, name, err := attach(req.Target)
	if err != nil {
		_ = json.NewEncoder(conn).Encode(AttachReply{Error: err.Error()})
		return
	}
	defer session.Detach()
	if err := json.NewEncoder(conn).Encode(AttachReply{Name: name}); err != nil {
		return
	}
	if req.Size != nil {
		_ = session.Resize(req.Size.Rows, req.Size.Cols)
	}
	go func() {
		for {
			var f InputFrame
			if err := dec.Decode(&f); err != nil {
				session.Detach() // the caller detached or went away
				return
			}
			if f.Size != nil {
				_ = session.Resize(f.Size.Rows, f.Size.Cols)
			}
			if len(f.Keys) > 0 {
				if _, err := session.Write(f.Keys); err != nil {
					session.Detach()
					return
				}
			}
		}
	}()
	// A caller that stops reading must not hold on to the session for ever:
	// its output is dropped meanwhile (the console never waits), and a write
	// that cannot go out in a minute ends the session.
	for p := range session.Output() {
		_ = conn.SetWriteDeadline(time.Now().Add(time.Minute))
		if _, err := conn.Write(p); err != nil {
			return
		}
	}
}

// Attached is a caller's side of an attach: CopyOutput gives the instance's
// terminal output, Send passes keys and window sizes on.
type Attached struct {
	Name string
	conn net.Conn
	dec  *json.Decoder
	enc  *json.Encoder
}

// Attach connects to the terminal of the instance target names, in the
// tend at path.
func Attach(path, target string, size *WindowSize) (*Attached, error) {
	conn, err := dial(path)
	if err != nil {
		return nil, err
	}
	enc := json.NewEncoder(conn)
	if err := enc.Encode(Request{Op: status.OpAttach, Target: target, Size: size}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("send to %s: %w", path, err)
	}
	dec := json.NewDecoder(conn)
	var reply AttachReply
	if err := dec.Decode(&reply); err != nil {
		conn.Close()
		return nil, fmt.Errorf("read from %s: %w", path, err)
	}
	if reply.Error != "" {
		conn.Close()
		return nil, errors.New(reply.Error)
	}
	return &Attached{Name: reply.Name, conn: conn, dec: dec, enc: enc}, nil
}

// CopyOutput copies the instance's output to w until it ends (the
// instance exited) or Close.
func (a *Attached) CopyOutput(w io.Writer) error {
	_, err := io.Copy(w, io.MultiReader(a.dec.Buffered(), a.conn))
	return err
}

// Send types keys and, if size is not nil, sets the window size.
func (a *Attached) Send(keys []byte, size *WindowSize) error {
	return a.enc.Encode(InputFrame{Keys: keys, Size: size})
}

// Close detaches.
func (a *Attached) Close() error { return a.conn.Close() }
