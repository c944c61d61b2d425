package runner

import (
	"fmt"
	"os"
	"time"

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
}

// Do sends a request to the supervisor and waits for the answer.
func (s *Supervisor) Do(op, target string) (status.Snapshot, error) {
	c := Control{Op: op, Target: target, reply: make(chan controlReply, 1)}
	select {
	case s.controls <- c:
	case <-s.done:
		return status.Snapshot{}, fmt.Errorf("tend is shutting down")
	}
	select {
	case r := <-c.reply:
		return r.snap, r.err
	case <-s.done:
		return status.Snapshot{}, fmt.Errorf("tend is shutting down")
	}
}

// control handles one request in the supervisor's goroutine.
func (s *Supervisor) control(c Control) {
	var err error
	switch c.Op {
	case status.OpStatus:
	case status.OpReload:
		s.reload(ReloadRequest{Reason: "tend reload"})
	case status.OpRestart, status.OpStop, status.OpStart:
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
	var matched []*instance
	for _, inst := range s.instances {
		if inst.spec.Name == target || inst.spec.Type == target {
			matched = append(matched, inst)
		}
	}
	if len(matched) == 0 {
		var names []string
		for _, inst := range s.instances {
			names = append(names, inst.spec.Name)
		}
		return fmt.Errorf("no process %q; running: %v", target, names)
	}
	for _, inst := range matched {
		switch op {
		case status.OpRestart:
			inst.userStopped = false
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
	s.cfg.Output.Printf("%s %s requested through the control socket", op, target)
	return nil
}

func (s *Supervisor) snapshot() status.Snapshot {
	snap := status.Snapshot{Pid: os.Getpid(), Started: s.started, Draining: s.draining, Processes: []status.Process{}, Cron: []status.Job{}}
	for _, inst := range s.instances {
		p := status.Process{Name: inst.spec.Name, Type: inst.spec.Type, Restarts: inst.restarts, Exits: inst.exits, Since: inst.since}
		switch {
		case inst.retiring:
			p.State = status.Stopping
		case inst.running:
			p.State = status.Running
		case inst.restartTimer != nil:
			p.State = status.Restarting
		case inst.userStopped:
			p.State = status.Stopped
		default:
			p.State = status.Exited
		}
		if inst.running && inst.child != nil {
			p.Pid = inst.child.Pid
		}
		if inst.exits > 0 {
			code := inst.lastStatus.ExitCode()
			p.LastExit = &code
		}
		p.Expected = !s.draining && !inst.userStopped && !(inst.spec.CanDie && !inst.running) && inst.restartTimer == nil
		snap.Processes = append(snap.Processes, p)
	}
	if s.cron != nil {
		snap.Cron = s.cron.Status(time.Now())
	}
	return snap
}
