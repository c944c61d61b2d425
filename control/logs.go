package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/status"
)

// LogQuery is what `tend logs` asks for (Request.Logs).
type LogQuery struct {
	// Names are types, instances, "cron", cron IDs, "tend" or globs of
	// names; none means everything.
	Names []string `json:"names,omitempty"`
	// Since leaves out lines printed before it (zero: none).
	Since time.Time `json:"since,omitzero"`
	// Lines keeps the last Lines lines; negative: all that are kept.
	Lines   int  `json:"lines"`
	Follow  bool `json:"follow,omitempty"`
	JSON    bool `json:"json,omitempty"`
	NoColor bool `json:"no_color,omitempty"`
}

// LogFrame is one message of the answer to a "logs" request: output, the
// count of lines a follower missed, or the end.
type LogFrame struct {
	Data   []byte `json:"data,omitempty"`
	Missed int64  `json:"missed,omitempty"`
	End    bool   `json:"end,omitempty"`
	Error  string `json:"error,omitempty"`
}

// LogSource is where "logs" requests are answered from (the Mux's log
// buffers, output.Mux).
type LogSource interface {
	LogNames() []string
	Logs(q output.LogQuery, send func(data []byte, missed int64) error, stop <-chan struct{}) error
}

// serveLogs answers a "logs" request: frames of output, then the end. The
// caller closing its side (Ctrl-C) ends a follow. A caller that stops
// reading holds up only this connection: the buffers go on without it and
// it is told what it missed.
func serveLogs(conn net.Conn, dec *json.Decoder, req Request, h Handler, logs LogSource) {
	enc := json.NewEncoder(conn)
	q := LogQuery{Lines: -1}
	if req.Logs != nil {
		q = *req.Logs
	}
	match, err := logMatcher(q.Names, knownNames(h, logs))
	if err != nil {
		_ = enc.Encode(LogFrame{End: true, Error: err.Error()})
		return
	}
	stop := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, io.MultiReader(dec.Buffered(), conn))
		close(stop)
	}()
	// The end is sent while tend still counts this reader (End), so a
	// tend that exits right after its drain still tells the follower.
	ended := false
	end := func(err error) {
		ended = true
		last := LogFrame{End: true}
		if err != nil {
			last.Error = err.Error()
		}
		_ = enc.Encode(last)
	}
	err = logs.Logs(output.LogQuery{Match: match, Since: q.Since, Lines: q.Lines, Follow: q.Follow, JSON: q.JSON, NoColor: q.NoColor, End: end},
		func(data []byte, missed int64) error { return enc.Encode(LogFrame{Data: data, Missed: missed}) }, stop)
	if !ended { // no log buffers: Logs returned at once
		end(err)
	}
}

// knownNames are the names a "logs" request may ask for: every name with
// kept output, every instance and cron job of the running tend, and tend's
// own.
func knownNames(h Handler, logs LogSource) []string {
	names := append(logs.LogNames(), "tend")
	if snap, err := h(status.OpStatus, ""); err == nil {
		for _, p := range snap.Processes {
			names = append(names, p.Name)
		}
		for _, j := range snap.Cron {
			names = append(names, "cron."+j.ID)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// logMatcher says which names the patterns select, or names a pattern
// that selects none of the known names.
func logMatcher(patterns, known []string) (func(string) bool, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	for _, p := range patterns {
		if !slices.ContainsFunc(known, func(n string) bool { return logName(p, n) }) {
			return nil, fmt.Errorf("no process or cron job %q; known: %s (or a type, cron, a cron ID, a glob)", p, strings.Join(known, ", "))
		}
	}
	return func(name string) bool {
		return slices.ContainsFunc(patterns, func(p string) bool { return logName(p, name) })
	}, nil
}

// logName reports whether pattern selects name: the name itself ("web.1",
// "cron.5d2e7c11"), its type ("web", and "cron" for every cron run), a
// cron ID ("5d2e7c11"), or a glob of a name or type ("web.*").
func logName(pattern, name string) bool {
	typ, id := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		typ, id = name[:i], name[i+1:]
	}
	if pattern == name || pattern == typ || typ == "cron" && pattern == id {
		return true
	}
	ok1, _ := path.Match(pattern, name)
	ok2, _ := path.Match(pattern, typ)
	return ok1 || ok2
}

// CallLogs asks the tend at path for its kept output and copies it to
// stdout; the count of lines a follower missed goes to stderr, where it
// fell behind. A value on interrupt (Ctrl-C) ends a follow.
func CallLogs(path string, q LogQuery, stdout, stderr io.Writer, interrupt <-chan os.Signal) error {
	conn, err := dial(path)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := json.NewEncoder(conn).Encode(Request{Op: status.OpLogs, Logs: &q}); err != nil {
		return fmt.Errorf("send to %s: %w", path, err)
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
		var f LogFrame
		if err := dec.Decode(&f); err != nil {
			if errors.Is(err, io.EOF) {
				return errors.New("the running tend went away")
			}
			return fmt.Errorf("read from %s: %w", path, err)
		}
		if f.Missed > 0 {
			fmt.Fprintf(stderr, "tend: %d lines missed here: this reader fell behind and tend did not wait for it\n", f.Missed)
		}
		if len(f.Data) > 0 {
			if _, err := stdout.Write(f.Data); err != nil {
				return fmt.Errorf("write the output: %w", err)
			}
		}
		switch {
		case f.Error != "": // also an older tend's "unknown operation"
			return errors.New(f.Error)
		case f.End:
			return nil
		}
	}
}
