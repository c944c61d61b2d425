package runner

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tend-run/tend/console"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/status"
)

// Control is a request from the control socket, run in the supervisor's
// goroutine.
type Control struct {
	// Op is status.OpStatus, OpRestart, OpStop, OpStart or OpReload.
	Op string
	// Target is a type ("web") or an instance ("web.2").
	Target string
	reply  chan controlReply
}

type controlReply struct {
	snap status.Snapshot
	err  error
	// console and name answer OpAttach.
	console *console.Console
	name    string
}

// Do sends a request to the supervisor and waits for the answer.
func (s *Supervisor) Do(op, target string) (status.Snapshot, error) {
	r := s.ask(op, target)
	return r.snap, r.err
}

// ask hands a request to the supervisor's goroutine and waits for its
// reply.
func (s *Supervisor) ask(op, target string) controlReply {
	c := Control{Op: op, Target: target, reply: make(chan controlReply, 1)}
	select {
	case s.controls <- c:
	case <-s.done:
		return controlReply{err: errShuttingDown}
	}
	select {
	case r := <-c.reply:
		return r
	case <-s.done:
		return controlReply{err: errShuttingDown}
	}
}

var errShuttingDown = errors.New("tend is shutting down")

// control handles one request in the supervisor's goroutine.
func (s *Supervisor) control(c Control) {
	var err error
	switch c.Op {
	case status.OpAttach:
		con, name, err := s.attachable(c.Target)
		c.reply <- controlReply{err: err, console: con, name: name}
		return
	case status.OpStatus:
	case status.OpReload:
		s.reload(spec.ReloadRequest{Reason: "tend reload"})
	case status.OpRestart, status.OpRestartAllAtOnce, status.OpStop, status.OpStart:
		err = s.act(c.Op, c.Target)
	default:
		err = fmt.Errorf("unknown operation %q", c.Op)
	}
	c.reply <- controlReply{snap: s.snapshot(), err: err}
}

// act restarts, stops or starts the instances Target names.
func (s *Supervisor) act(op, target string) error {
	if s.draining {
		return fmt.Errorf("tend is stopping")
	}
	matched, err := s.match(target)
	if err != nil {
		return err
	}
	live := lifecycle.LivePerType(members(matched)) // running instances named
	rolling := false
	for _, inst := range matched {
		switch inst.Control(op, s.cfg.Backoff, live[inst.Spec.Type] > 1) {
		case lifecycle.Queued:
			rolling = true
		case lifecycle.Replace:
			s.replace(inst, inst.Spec)
		case lifecycle.Retire:
			s.retire(inst, nil)
		case lifecycle.Start:
			s.start(inst)
		}
	}
	s.cfg.Output.Printf("%s", lifecycle.ControlLine(op, target, rolling))
	return nil
}

// match finds the instances a target names (lifecycle.Match).
func (s *Supervisor) match(target string) ([]*instance, error) {
	var names, types []string
	for _, inst := range s.instances {
		names, types = append(names, inst.Spec.Name), append(types, inst.Spec.Type)
	}
	found, err := lifecycle.Match(target, names, types)
	if err != nil {
		return nil, err
	}
	matched := make([]*instance, len(found))
	for i, n := range found {
		matched[i] = s.instances[n]
	}
	return matched, nil
}

func (s *Supervisor) snapshot() status.Snapshot {
	snap := status.Snapshot{Pid: os.Getpid(), Started: s.started, Draining: s.draining, Processes: []status.Process{}, Cron: []status.Job{}}
	usage := s.usage()
	for _, inst := range s.instances {
		pid := 0
		if inst.Running && inst.child != nil {
			pid = inst.child.Pid
		}
		snap.Processes = append(snap.Processes, inst.Process(pid, usage, s.draining))
	}
	if s.cron != nil {
		snap.Cron = s.cron.Status(time.Now())
	}
	return snap
}
