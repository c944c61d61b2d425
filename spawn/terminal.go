package spawn

import (
	"os"
	"sync/atomic"

	"github.com/tend-run/tend/console"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
)

// StartTerminal starts cmd on a pseudo-terminal of its own (--tty), which
// out copies under name and `tend attach` connects to. The terminal takes
// the size of size's, when that is a terminal (nil: none).
func StartTerminal(r *proc.Reaper, out *output.Mux, name string, cmd proc.Command, size *os.File) (*proc.Child, *console.Console, *output.Pipes, error) {
	con, err := console.Open(out, name, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	if size != nil {
		if sz, err := console.SizeOf(size); err == nil {
			_ = con.Resize(sz.Rows, sz.Cols)
		}
	}
	p := con.Pipes()
	cmd.Stdin, cmd.Stdout, cmd.Stderr, cmd.OutputDone = p.Stdout, p.Stdout, p.Stdout, p.Done()
	cmd.Terminal = true
	child, err := r.Start(cmd)
	p.Started(err)
	if err != nil {
		return nil, nil, nil, err
	}
	return child, con, p, nil
}

// Keyboard passes what is typed on tend's own terminal to the newest
// terminal it was given (To).
type Keyboard struct {
	to atomic.Pointer[console.Console]
}

// To makes con the terminal that gets what is typed from now on.
func (k *Keyboard) To(con *console.Console) { k.to.Store(con) }

// Forward copies from (tend's terminal) until it fails.
func (k *Keyboard) Forward(from *os.File) {
	buf := make([]byte, 4096)
	for {
		n, err := from.Read(buf)
		if n > 0 {
			if con := k.to.Load(); con != nil {
				_, _ = con.Write(buf[:n])
			}
		}
		if err != nil {
			return
		}
	}
}
