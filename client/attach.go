package client

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/tend-run/tend/console"
	"github.com/tend-run/tend/control"
)

// detachKey is Ctrl-], as telnet's escape.
const detachKey = 0x1d

// Attach connects stdin and stdout to the instance target of the running
// tend (one started with --tty) until Ctrl-] on a terminal, or until its
// terminal closes; what happens is told on stderr.
func (t Tend) Attach(target string, stdin *os.File, stdout, stderr io.Writer) error {
	path, err := t.path()
	if err != nil {
		return err
	}
	onTerminal := term.IsTerminal(int(stdin.Fd()))
	att, err := control.Attach(path, target, windowSize(stdin, onTerminal))
	if err != nil {
		return err
	}
	defer att.Close()
	if onTerminal {
		fmt.Fprintf(stderr, "tend: attached to %s; Ctrl-] detaches (%s keeps running)\n", att.Name, att.Name)
		restore, err := rawTerminal(stdin, att)
		if err != nil {
			return err
		}
		defer restore()
	} else {
		fmt.Fprintf(stderr, "tend: attached to %s\n", att.Name)
	}
	detached := make(chan struct{})
	go func() {
		if sendKeys(stdin, att, onTerminal) {
			close(detached)
		}
	}()
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		_ = att.CopyOutput(stdout)
	}()
	select {
	case <-detached:
		fmt.Fprintf(stderr, "\r\ntend: detached from %s, which keeps running\r\n", att.Name)
	case <-ended:
		fmt.Fprintf(stderr, "\r\ntend: %s's terminal closed: it exited, or tend stopped\r\n", att.Name)
	}
	return nil
}

// rawTerminal puts the terminal stdin in raw mode and passes its size
// changes on to the instance; restore undoes both.
func rawTerminal(stdin *os.File, att *control.Attached) (restore func(), err error) {
	old, err := term.MakeRaw(int(stdin.Fd()))
	if err != nil {
		return nil, fmt.Errorf("put the terminal in raw mode: %w", err)
	}
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	go func() {
		for range winch {
			if size := windowSize(stdin, true); size != nil {
				_ = att.Send(nil, size)
			}
		}
	}()
	return func() {
		signal.Stop(winch)
		term.Restore(int(stdin.Fd()), old)
	}, nil
}

// sendKeys passes what is typed to the instance until the detach key (on a
// terminal), and says whether the caller detached. The end of piped keys is
// not a detach: the session lasts until the instance's output ends or
// Ctrl-C.
func sendKeys(stdin io.Reader, att *control.Attached, onTerminal bool) (detached bool) {
	buf := make([]byte, 4096)
	for {
		n, err := stdin.Read(buf)
		keys := buf[:n]
		if onTerminal {
			if i := bytes.IndexByte(keys, detachKey); i >= 0 {
				if i > 0 {
					_ = att.Send(keys[:i], nil)
				}
				return true
			}
		}
		if len(keys) > 0 && att.Send(keys, nil) != nil {
			return false
		}
		if err != nil {
			return onTerminal // a terminal that went away: detach
		}
	}
}

func windowSize(f *os.File, onTerminal bool) *control.WindowSize {
	if !onTerminal {
		return nil
	}
	ws, err := console.SizeOf(f)
	if err != nil {
		return nil
	}
	return &control.WindowSize{Rows: ws.Rows, Cols: ws.Cols}
}
