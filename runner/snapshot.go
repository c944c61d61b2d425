package runner

import (
	"fmt"
	"os"
	"time"

	"github.com/tend-run/tend/cron"
)

// ProcessStatus is one instance as `tend status` shows it.
type ProcessStatus struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Pid   int    `json:"pid,omitempty"`
	State string `json:"state"` // running, restarting, stopping, stopped, exited
	// Since is when the current state began (start time while running).
	Since    time.Time `json:"since"`
	Restarts int       `json:"restarts"`
	Exits    int       `json:"exits"`
	// LastExit is the last exit code, if it has exited.
	LastExit *int `json:"last_exit,omitempty"`
	// Expected says the instance should be running now (a --can-die type
	// that exited, or one waiting out its restart back-off, is not).
	Expected bool `json:"expected"`
}

// Snapshot is the supervisor's state at one moment.
type Snapshot struct {
	Pid       int              `json:"pid"`
	Started   time.Time        `json:"started"`
	Draining  bool             `json:"draining"`
	Processes []ProcessStatus  `json:"processes"`
	Cron      []cron.JobStatus `json:"cron"`
}

// Healthy is the liveness verdict: every instance that should run runs.
func (s Snapshot) Healthy() (bool, string) {
	if s.Draining {
		return false, "stopping"
	}
	for _, p := range s.Processes {
		if p.Expected && p.State != "running" {
			return false, fmt.Sprintf("%s is %s", p.Name, p.State)
		}
	}
	return true, "ok"
}

// Control is a request from the control socket, run in the supervisor's
// goroutine.
type Control struct {
	// Op is "status", "restart", "stop", "start" or "reload".
	Op string
	// Target is a type ("web") or an instance ("web.2").
	Target string
	reply  chan controlReply
}

type controlReply struct {
	snap Snapshot
	err  error
}

// Do sends a request to the supervisor and waits for the answer.
func (s *Supervisor) Do(op, target string) (Snapshot, error) {
	c := Control{Op: op, Target: target, reply: make(chan controlReply, 1)}
	select {
	case s.controls <- c:
	case <-s.done:
		return Snapshot{}, fmt.Errorf("tend is shutting down")
	}
	select {
	case r := <-c.reply:
		return r.snap, r.err
	case <-s.done:
		return Snapshot{}, fmt.Errorf("tend is shutting down")
	}
}

// control handles one request in the supervisor's goroutine.
func (s *Supervisor) control(c Control) {
	var err error
	switch c.Op {
	case "status":
	case "reload":
		s.reload(ReloadRequest{Reason: "tend reload"})
	case "restart", "stop", "start":
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
		case "restart":
			inst.userStopped = false
			s.replace(inst, inst.spec)
		case "stop":
			if !inst.userStopped {
				inst.userStopped = true
				s.retire(inst, nil)
			}
		case "start":
			if inst.userStopped || !inst.running && inst.restartTimer == nil && !inst.retiring {
				inst.userStopped = false
				s.start(inst)
			}
		}
	}
	s.cfg.Output.Printf("%s %s requested through the control socket", op, target)
	return nil
}

func (s *Supervisor) snapshot() Snapshot {
	snap := Snapshot{Pid: os.Getpid(), Started: s.started, Draining: s.draining, Processes: []ProcessStatus{}, Cron: []cron.JobStatus{}}
	for _, inst := range s.instances {
		p := ProcessStatus{Name: inst.spec.Name, Type: inst.spec.Type, Restarts: inst.restarts, Exits: inst.exits, Since: inst.since}
		switch {
		case inst.retiring:
			p.State = "stopping"
		case inst.running:
			p.State = "running"
		case inst.restartTimer != nil:
			p.State = "restarting"
		case inst.userStopped:
			p.State = "stopped"
		default:
			p.State = "exited"
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
