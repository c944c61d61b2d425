// Package lifecycle is the formation's policy, as plain types and functions
// the Supervisor calls from its one goroutine: what it knows of each
// instance (Member: its state, the transitions between them and the
// decisions about it and about the whole formation, such as what a control
// operation does, the roll of recycles, what keeps tend up), the restart
// back-off and when to give up, what counts as a recycle (an exit 0,
// --max-memory, --max-age), the health checks' verdicts, the snapshot's
// lines and usage cache, which instances a control target names, and the
// summary of what a reload changed. Nothing here starts a goroutine or a
// process; the Supervisor owns the children, timers and effects.
package lifecycle

import (
	"cmp"
	"math/rand/v2"
	"time"

	"github.com/tend-run/tend/status"
)

// Backoff is the --restart policy: a delay from Min doubling to Max, reset
// after a run of Healthy; GiveUp quick crashes in a row give up on the
// type. An exit 0 is a recycle, started again at once, unless the last
// HotLoop exits 0 each came within Quick of the start: then it is a crash.
type Backoff struct {
	Min, Max, Healthy time.Duration
	GiveUp            int
	Quick             time.Duration
	HotLoop           int
}

// DefaultBackoff is 1 s doubling to 30 s, reset after a minute up, giving
// up after ten quick crashes in a row; ten exits 0 in a row within a second
// of the start are a hot loop.
var DefaultBackoff = Backoff{Min: time.Second, Max: 30 * time.Second, Healthy: time.Minute, GiveUp: 10, Quick: time.Second, HotLoop: 10}

// WithDefaults fills in the fields left zero from DefaultBackoff.
func (b Backoff) WithDefaults() Backoff {
	d := DefaultBackoff
	return Backoff{Min: cmp.Or(b.Min, d.Min), Max: cmp.Or(b.Max, d.Max), Healthy: cmp.Or(b.Healthy, d.Healthy),
		GiveUp: cmp.Or(b.GiveUp, d.GiveUp), Quick: cmp.Or(b.Quick, d.Quick), HotLoop: cmp.Or(b.HotLoop, d.HotLoop)}
}

// DefaultSampleEvery is how often the memory of instances with a limit is
// sampled.
const DefaultSampleEvery = 5 * time.Second

// The reasons of a recycle (tend_process_recycles_total's reason).
const (
	ReasonMemory   = "memory"
	ReasonAge      = "age"
	ReasonExit0    = "exit0"
	ReasonManual   = "manual"
	ReasonLiveness = "liveness"
)

// State is the policy's memory of one instance, across its runs: its
// back-off, why it was started again, and what is due.
type State struct {
	// QuickCrashes counts its crashes in a row within Backoff.Healthy of
	// the start; Delay is the back-off before the next restart.
	QuickCrashes int
	Delay        time.Duration
	// Failed: tend gave up on its type, which may die (--can-die).
	Failed bool
	// Pending is a recycle waiting for its turn in the type's roll.
	Pending string

	recycles map[string]int
	last     string // the last recycle's reason
	// cleanQuick counts its exits 0 in a row that came within
	// Backoff.Quick of the start (the hot-loop guard).
	cleanQuick int
	// over counts memory samples in a row above the limit.
	over int
}

// NewState is the state of an instance that has not run yet.
func NewState(b Backoff) State { return State{Delay: b.Min} }

// Reset forgets the crashes: the next one is a first one.
func (l *State) Reset(b Backoff) { l.QuickCrashes, l.Delay = 0, b.Min }

// Crashed records a crash after a run of ran: it returns the delay before
// the instance is started again, or giveUp after GiveUp quick crashes in
// a row.
func (l *State) Crashed(b Backoff, ran time.Duration) (delay time.Duration, giveUp bool) {
	if ran >= b.Healthy {
		l.Reset(b)
	}
	l.QuickCrashes++
	if l.QuickCrashes >= b.GiveUp {
		return 0, true
	}
	delay = l.Delay
	l.Delay = min(l.Delay*2, b.Max)
	return delay, false
}

// Recycled decides whether an exit after a run of ran is a recycle;
// clean says it may be (an exit 0 of a restarted type, not while tend
// stops). It is one, started again at once, unless it is a hot loop
// (Backoff.HotLoop exits 0 in a row within Backoff.Quick of the start),
// which gets the crash back-off; hotLoop is true the first time, to say so.
func (l *State) Recycled(b Backoff, clean bool, ran time.Duration) (recycle, hotLoop bool) {
	if !clean || ran >= b.Quick {
		l.cleanQuick = 0
		return clean, false
	}
	l.cleanQuick++
	if l.cleanQuick < b.HotLoop {
		return true, false
	}
	return false, l.cleanQuick == b.HotLoop
}

// Count records a recycle for reason.
func (l *State) Count(reason string) {
	if l.recycles == nil {
		l.recycles = map[string]int{}
	}
	l.recycles[reason]++
	l.last = reason
}

// Sampled records a memory sample of rss bytes against limit: it says to
// recycle once the instance is above it for 2 samples in a row, unless a
// recycle waits already.
func (l *State) Sampled(rss, limit int64) bool {
	if rss <= limit {
		l.over = 0
		return false
	}
	l.over++
	return l.over == 2 && l.Pending == ""
}

// Ended forgets the samples of a run that has ended.
func (l *State) Ended() { l.over = 0 }

// Status fills in the recycles for the snapshot; down says the instance is
// neither running nor stopping, so a type given up on shows failed.
func (l *State) Status(p *status.Process, down bool) {
	if len(l.recycles) > 0 {
		p.Recycles = map[string]int{}
		for k, v := range l.recycles {
			p.Recycles[k] = v
			p.RecycleCount += v
		}
		p.LastRecycle = l.last
	}
	if l.Failed && down {
		p.State = status.Failed
	}
}

// AgeDelay is when a run with --max-age age is recycled: up to 10 % early,
// so instances started together do not recycle together.
func AgeDelay(age time.Duration) time.Duration { return age - rand.N(age/10+1) }
