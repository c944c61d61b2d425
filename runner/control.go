package runner

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tend-run/tend/console"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/procfs"
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
	running := map[string]int{} // running instances named, per type
	for _, inst := range matched {
		if inst.running && !inst.retiring {
			running[inst.spec.Type]++
		}
	}
	rolling := false
	for _, inst := range matched {
		switch op {
		case status.OpRestart, status.OpRestartAllAtOnce:
			inst.userStopped = false
			inst.life.Reset(s.cfg.Backoff)
			if op == status.OpRestart && running[inst.spec.Type] > 1 && inst.running && !inst.retiring {
				inst.life.Pending = lifecycle.ReasonManual // one of the type at a time (roll)
				rolling = true
				continue
			}
			if inst.running {
				inst.life.Count(lifecycle.ReasonManual)
			}
			s.replace(inst, inst.spec)
		case status.OpStop:
			if !inst.userStopped {
				inst.userStopped = true
				s.retire(inst, nil)
			}
		case status.OpStart:
			if inst.userStopped || !inst.running && inst.restartTimer == nil && !inst.retiring {
				inst.userStopped = false
				s.start(inst)
			}
		}
	}
	s.cfg.Output.Printf("%s", lifecycle.ControlLine(op, target, rolling))
	return nil
}

// match finds the instances a target names (lifecycle.Match).
func (s *Supervisor) match(target string) ([]*instance, error) {
	var names, types []string
	for _, inst := range s.instances {
		names, types = append(names, inst.spec.Name), append(types, inst.spec.Type)
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
		snap.Processes = append(snap.Processes, inst.facts(usage).Process(s.draining))
	}
	if s.cron != nil {
		snap.Cron = s.cron.Status(time.Now())
	}
	return snap
}

// facts is what the snapshot says of inst; usage holds the groups measured
// for it.
func (inst *instance) facts(usage map[int]procfs.Usage) lifecycle.Facts {
	f := lifecycle.Facts{Name: inst.spec.Name, Type: inst.spec.Type, CanDie: inst.spec.CanDie, MaxMemory: inst.spec.MaxMemory,
		Running: inst.running, Retiring: inst.retiring, Replacing: inst.next != nil, Restarting: inst.restartTimer != nil,
		UserStopped: inst.userStopped, Waiting: inst.waiting, Held: inst.held, Restarts: inst.restarts, Exits: inst.exits,
		Since: inst.since, LastExit: inst.lastStatus.ExitCode(), Health: inst.health, Life: &inst.life}
	if inst.running && inst.child != nil {
		f.Pid = inst.child.Pid
		f.Usage, f.Measured = usage[inst.child.Pid]
	}
	return f
}
