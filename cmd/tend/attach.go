package main

import (
	"bytes"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/console"
	"github.com/tend-run/tend/control"
)

// detachKey is Ctrl-], as telnet's escape.
const detachKey = 0x1d

func attachCommand() *cli.Command {
	return &cli.Command{
		Name: "attach", Usage: "connect this terminal to a process started with --tty (a debugger's keyboard); Ctrl-] detaches",
		ArgsUsage: "INSTANCE|TYPE",
		Flags:     withAppFlags(),
		Action:    attachAction,
	}
}

func attachAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return &usageError{msg: "tend attach takes one instance (web.1) or a type with one instance", command: "tend attach"}
	}
	path, _, err := control.Resolve(flagString(c, "socket"), app.Root(loadOptions(c, nil)))
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	stdin := os.Stdin
	onTerminal := term.IsTerminal(int(stdin.Fd()))
	att, err := control.Attach(path, c.Args().First(), windowSize(stdin, onTerminal))
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	defer att.Close()
	if onTerminal {
		fmt.Fprintf(c.App.ErrWriter, "tend: attached to %s; Ctrl-] detaches (%s keeps running)\n", att.Name, att.Name)
		old, err := term.MakeRaw(int(stdin.Fd()))
		if err != nil {
			return &exitError{code: 1, err: fmt.Errorf("put the terminal in raw mode: %w", err)}
		}
		defer term.Restore(int(stdin.Fd()), old)
		winch := make(chan os.Signal, 1)
		signal.Notify(winch, syscall.SIGWINCH)
		defer signal.Stop(winch)
		go func() {
			for range winch {
				if size := windowSize(stdin, true); size != nil {
					_ = att.Send(nil, size)
				}
			}
		}()
	} else {
		fmt.Fprintf(c.App.ErrWriter, "tend: attached to %s\n", att.Name)
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
		_ = att.CopyOutput(c.App.Writer)
	}()
	select {
	case <-detached:
		fmt.Fprintf(c.App.ErrWriter, "\r\ntend: detached from %s, which keeps running\r\n", att.Name)
		return nil
	case <-ended:
		fmt.Fprintf(c.App.ErrWriter, "\r\ntend: %s's terminal closed: it exited, or tend stopped\r\n", att.Name)
		return nil
	}
}

// sendKeys passes what is typed to the instance until the detach key (on a
// terminal), and says whether the caller detached. The end of piped keys is
// not a detach: the session lasts until the instance's output ends or
// Ctrl-C.
func sendKeys(stdin *os.File, att *control.Attached, onTerminal bool) (detached bool) {
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
