package proc

import (
	"os"
	"os/signal"
	"runtime"
	"slices"
	"sync"
	"syscall"
)

// The signals tend can catch and pass on. tini and dumb-init forward every
// signal they can catch; tend does the same, except for the few it acts on
// itself (see Supervisor and Exec):
//
//   - KILL and STOP cannot be caught;
//   - CHLD is the reaper's (a child's exit, not news for the other children);
//   - PIPE is tend's own broken output (see CatchSIGPIPE);
//   - PROF is Go's profiler clock, which the runtime never hands over;
//   - on Linux, 32 and 33 are the C library's and 34 Go's own (the runtime
//     does not let a program catch them: 32 and 34 kill tend, 33 is lost),
//     so real-time signals start at 35.
//
// Faults (SEGV, BUS, FPE, ILL, ABRT, SYS, TRAP) sent with kill(2) are asked
// for with signal.Notify, so they are forwarded like any other signal; a
// real fault in tend itself still crashes it, as Go's runtime tells the two
// apart.
func catchableSignals() []os.Signal {
	var sigs []os.Signal
	for i := syscall.Signal(1); i < 32; i++ {
		switch i {
		case syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, syscall.SIGPIPE, syscall.SIGPROF:
			continue
		}
		sigs = append(sigs, i)
	}
	if runtime.GOOS == "linux" {
		for i := syscall.Signal(35); i <= 64; i++ {
			sigs = append(sigs, i)
		}
	}
	return sigs
}

// jobControlSignals stop a process from a terminal (Ctrl-Z, or reading or
// writing the terminal from the background).
var jobControlSignals = []syscall.Signal{syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU}

func isJobControl(sig syscall.Signal) bool { return slices.Contains(jobControlSignals, sig) }

// without returns sigs minus drop.
func without(sigs []os.Signal, drop ...syscall.Signal) []os.Signal {
	return slices.DeleteFunc(sigs, func(s os.Signal) bool { return slices.Contains(drop, s.(syscall.Signal)) })
}

// canSuspend reports whether tend may stop itself for job control: there is
// a terminal whose shell can resume it, and tend is not PID 1 (which cannot
// be stopped, and which nothing would resume).
func canSuspend() bool {
	if os.Getpid() == 1 {
		return false
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return false
	}
	tty.Close()
	return true
}

// stopSelf stops tend the way a terminal's Ctrl-Z stops a job: with SIGSTOP,
// which tend cannot catch, so its shell sees it stopped and resumes it with
// SIGCONT.
func stopSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGSTOP) }

// ttouListeners are the channels that asked for SIGTTOU through notify, so
// that setForeground can hand it back to them where it has to ignore it.
var ttouListeners struct {
	sync.Mutex
	chans []chan<- os.Signal
}

// Notify is signal.Notify that remembers who wants SIGTTOU (the terminal
// hand-over must ignore it for a moment and then gives it back).
func Notify(c chan<- os.Signal, sigs ...os.Signal) {
	signal.Notify(c, sigs...)
	if slices.Contains(sigs, os.Signal(syscall.SIGTTOU)) {
		ttouListeners.Lock()
		ttouListeners.chans = append(ttouListeners.chans, c)
		ttouListeners.Unlock()
	}
}

// StopNotifyLater undoes Notify in the background: Go's runtime gives
// each signal back one at a time (about 2 ms for the sixty a supervisor
// catches), and whoever stops catching at the end of a run is about to
// exit, which need not wait for it. A signal meanwhile goes to c, which
// nobody reads any more: it is dropped, as it would be after a drain.
func StopNotifyLater(c chan<- os.Signal) { go StopNotify(c) }

// StopNotify undoes Notify.
func StopNotify(c chan<- os.Signal) {
	signal.Stop(c)
	ttouListeners.Lock()
	ttouListeners.chans = slices.DeleteFunc(ttouListeners.chans, func(l chan<- os.Signal) bool { return l == c })
	ttouListeners.Unlock()
}

// HandledSignals are the signals a supervisor catches: every signal tend can
// catch (see catchableSignals) but SIGURG, which Go's runtime sends itself
// to preempt goroutines, so that a busy tend would pass on a stream of them;
// and on a terminal SIGWINCH, which is about tend's terminal, not the
// children's pipes.
func HandledSignals(terminal bool) []os.Signal {
	drop := []syscall.Signal{syscall.SIGURG}
	if terminal {
		drop = append(drop, syscall.SIGWINCH)
	}
	return without(catchableSignals(), drop...)
}

// SuspendSelf stops tend (SIGSTOP) so that its shell sees the job stopped,
// where there is a terminal to come back to and tend is not PID 1.
func SuspendSelf() {
	if canSuspend() {
		stopSelf()
	}
}
