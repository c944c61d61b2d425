package runner

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// StartPiped starts cmd with its stdout and stderr on pipes that the
// Mux copies under name. copiers counts the copying goroutines, which end
// when every holder of the pipes (the child and any descendant that
// inherited them) has closed them.
func StartPiped(r *Reaper, out *Mux, copiers *sync.WaitGroup, name string, cmd Command) (*Child, error) {
	return startPipedTee(r, out, copiers, name, cmd, nil)
}

func startPipedTee(r *Reaper, out *Mux, copiers *sync.WaitGroup, name string, cmd Command, tee *Tee) (*Child, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("create stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("create stderr pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	child, err := r.Start(cmd)
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return nil, err
	}
	copiers.Add(2)
	child.output = make(chan struct{})
	var copying atomic.Int32 // the last copier to finish closes child.output
	copying.Store(2)
	var teeOut, teeErr io.Writer
	if tee != nil {
		teeOut, teeErr = tee.Stdout, tee.Stderr
	}
	for _, p := range []struct {
		r   *os.File
		s   Stream
		tee io.Writer
	}{{outR, Stdout, teeOut}, {errR, Stderr, teeErr}} {
		go func() {
			defer copiers.Done()
			defer p.r.Close()
			var src io.Reader = p.r
			if p.tee != nil {
				src = io.TeeReader(p.r, &bestEffort{w: p.tee, written: &tee.written})
			}
			_ = out.Copy(name, p.s, src)
			if copying.Add(-1) == 0 {
				close(child.output)
			}
		}()
	}
	return child, nil
}

// bestEffort writes to w until the first error, then drops: a caller that
// went away must not stall the job's output.
type bestEffort struct {
	w       io.Writer
	err     error
	written *atomic.Int64 // counts what was passed on
}

func (b *bestEffort) Write(p []byte) (int, error) {
	if b.err == nil {
		_, b.err = b.w.Write(p)
		b.written.Add(int64(len(p)))
	}
	return len(p), nil
}

// StartPiped starts cmd with its output through the supervisor's Mux and
// counted among the output the supervisor waits for before it exits (cron
// runs use it).
func (s *Supervisor) StartPiped(name string, cmd Command, tee *Tee) (*Child, error) {
	return startPipedTee(s.cfg.Reaper, s.cfg.Output, &s.copiers, name, cmd, tee)
}
