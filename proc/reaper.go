package proc

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// sweepInterval bounds how long a status could wait if a SIGCHLD were ever
// lost. Coalesced SIGCHLDs lose nothing (each wake-up reaps until none is
// left), so this is a safety net and slow, to keep tend idle when idle.
const sweepInterval = 30 * time.Second

// Command describes one child to start.
type Command struct {
	// Path is the program to execute; a name without a slash is looked up in
	// the PATH of Env.
	Path string
	// Args are the arguments, Args[0] included.
	Args []string
	// Env is the complete environment ("K=V").
	Env []string
	// Dir is the working directory ("" = tend's).
	Dir string
	// Stdin, Stdout and Stderr become fds 0, 1 and 2; nil means /dev/null.
	Stdin, Stdout, Stderr *os.File
	// NewGroup puts the child in a process group of its own.
	NewGroup bool
	// Foreground makes the child's group the terminal's foreground group
	// (Stdin must be the terminal; implies NewGroup).
	Foreground bool
	// Terminal starts the child in a session of its own with Stdin, a
	// pseudo-terminal's slave, as its controlling terminal (--tty; implies
	// a group of its own: the session's).
	Terminal bool
	// OutputDone, if not nil, is closed once the child's piped output has
	// been copied (output.Pipes.Done); Child.OutputDone returns it.
	OutputDone <-chan struct{}
}

// Child is a started process. Its exit status arrives through the Reaper.
type Child struct {
	Pid     int
	Started time.Time
	group   bool

	mu     sync.Mutex
	done   chan struct{}
	status ExitStatus

	output  <-chan struct{}     // closed when its piped output is all copied; nil if not piped
	stopped chan syscall.Signal // the signal that stopped it, when it stops (job control)
}

// Stopped delivers the signal that stopped the child each time it stops
// (Ctrl-Z on its terminal, SIGSTOP); a stop nobody reads in time is dropped.
func (c *Child) Stopped() <-chan syscall.Signal { return c.stopped }

// OutputDone is closed once everything the child (and whoever inherited its
// pipes) wrote has been copied to tend's output; for a child started without
// pipes it is already closed.
func (c *Child) OutputDone() <-chan struct{} {
	if c.output == nil {
		closed := make(chan struct{})
		close(closed)
		return closed
	}
	return c.output
}

// Done is closed when the child has exited and been reaped.
func (c *Child) Done() <-chan struct{} { return c.done }

// Wait blocks until the child has exited and returns its status.
func (c *Child) Wait() ExitStatus {
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// Exited reports whether the child has been reaped.
func (c *Child) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Signal sends sig to the child's process group (group true, when it has
// one) or to the child alone. Signalling a reaped child's pid is skipped, as
// the pid may belong to someone else by now; its group is still signalled,
// since members may outlive the leader and the kernel does not reuse a pid
// while it names a live group.
func (c *Child) Signal(sig syscall.Signal, group bool) error {
	if group && c.group {
		err := syscall.Kill(-c.Pid, sig)
		if errors.Is(err, syscall.ESRCH) {
			return nil
		}
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Exited() {
		return nil
	}
	err := syscall.Kill(c.Pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// StartError is returned by Reaper.Start when the program could not be
// executed; ExitCode is what a shell would report (127 or 126).
type StartError struct {
	Path     string
	ExitCode int
	Err      error
}

func (e *StartError) Error() string { return fmt.Sprintf("%s: %v", e.Path, e.Err) }
func (e *StartError) Unwrap() error { return e.Err }

// Reaper owns every wait for tend's children. Create one per process with
// NewReaper and start every child through it.
type Reaper struct {
	mu       sync.Mutex
	children map[int]*Child
	orphans  int
	onOrphan func(pid int, status ExitStatus)

	sigchld chan os.Signal
	stop    chan struct{}
	stopped chan struct{}
}

// NewReaper starts the reaping loop. onOrphan, if not nil, is called (without
// locks held) for every reaped pid that tend did not start itself.
func NewReaper(onOrphan func(pid int, status ExitStatus)) *Reaper {
	r := &Reaper{
		children: make(map[int]*Child),
		onOrphan: onOrphan,
		sigchld:  make(chan os.Signal, 1),
		stop:     make(chan struct{}),
		stopped:  make(chan struct{}),
	}
	becomeSubreaper()
	signal.Notify(r.sigchld, syscall.SIGCHLD)
	go r.loop()
	return r
}

// Close stops the loop. Children still running are no longer reaped.
func (r *Reaper) Close() {
	signal.Stop(r.sigchld)
	close(r.stop)
	<-r.stopped
}

// Orphans is how many re-parented processes have been reaped so far.
func (r *Reaper) Orphans() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.orphans
}

// Running is how many started children have not been reaped yet.
func (r *Reaper) Running() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.children)
}

// Start forks and executes cmd. The pid is registered before any wait can
// run, so its status always reaches the returned Child.
func (r *Reaper) Start(cmd Command) (*Child, error) {
	path, err := lookPath(cmd.Path, cmd.Env)
	if err != nil {
		return nil, err
	}
	path, args := keepIgnored(path, cmd.Args)
	files, closeNull, err := childFiles(cmd)
	if err != nil {
		return nil, err
	}
	defer closeNull()
	ctty := 0
	if cmd.Foreground && !cmd.Terminal && cmd.Stdin != nil {
		ctty = int(cmd.Stdin.Fd()) // the parent's fd, as SysProcAttr.Foreground wants
	}
	attr := &syscall.ProcAttr{
		Dir:   cmd.Dir,
		Env:   cmd.Env,
		Files: files,
		Sys: &syscall.SysProcAttr{
			Setpgid:    (cmd.NewGroup || cmd.Foreground) && !cmd.Terminal,
			Foreground: cmd.Foreground && !cmd.Terminal,
			Setsid:     cmd.Terminal,
			Setctty:    cmd.Terminal,
			Ctty:       ctty, // for Setctty, fd 0 in the child
		},
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	pid, err := syscall.ForkExec(path, args, attr)
	runtime.KeepAlive(cmd)
	if err != nil {
		return nil, execError(path, err)
	}
	c := &Child{Pid: pid, Started: time.Now(), group: cmd.NewGroup || cmd.Foreground || cmd.Terminal, done: make(chan struct{}),
		stopped: make(chan syscall.Signal, 1), output: cmd.OutputDone}
	r.children[pid] = c
	return c, nil
}

func childFiles(cmd Command) ([]uintptr, func(), error) {
	var null *os.File
	closeNull := func() {
		if null != nil {
			null.Close()
		}
	}
	fds := make([]uintptr, 3)
	for i, f := range []*os.File{cmd.Stdin, cmd.Stdout, cmd.Stderr} {
		if f == nil {
			if null == nil {
				var err error
				if null, err = os.OpenFile(os.DevNull, os.O_RDWR, 0); err != nil {
					return nil, closeNull, fmt.Errorf("open %s: %w", os.DevNull, err)
				}
			}
			f = null
		}
		fds[i] = f.Fd()
	}
	return fds, closeNull, nil
}

func execError(path string, err error) error {
	code := 126
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
		code = 127
	}
	return &StartError{Path: path, ExitCode: code, Err: err}
}

// lookPath finds name in the PATH of env (not tend's own PATH: the app's
// environment decides, as a shell started with it would).
func lookPath(name string, env []string) (string, error) {
	if name == "" {
		return "", &StartError{Path: name, ExitCode: 127, Err: errors.New("empty command")}
	}
	if strings.Contains(name, "/") {
		return name, nil
	}
	pathList := "/usr/local/bin:/usr/bin:/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathList = v
		}
	}
	found := false
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		st, err := os.Stat(p)
		if err != nil || st.IsDir() {
			continue
		}
		found = true
		if st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if found {
		return "", &StartError{Path: name, ExitCode: 126, Err: syscall.EACCES}
	}
	return "", &StartError{Path: name, ExitCode: 127, Err: errors.New("command not found")}
}

func (r *Reaper) loop() {
	defer close(r.stopped)
	sweep := time.NewTicker(sweepInterval)
	defer sweep.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-r.sigchld:
		case <-sweep.C:
		}
		r.reapAll()
	}
}

type reaped struct {
	pid    int
	status ExitStatus
}

// reapAll collects every status that is ready and dispatches it.
func (r *Reaper) reapAll() {
	var orphans []reaped
	r.mu.Lock()
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG|syscall.WUNTRACED, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || pid <= 0 {
			break
		}
		if ws.Stopped() {
			if c, ok := r.children[pid]; ok {
				select {
				case c.stopped <- ws.StopSignal():
				default:
				}
			}
			continue // a stop is not an exit: the pid stays registered
		}
		status := statusFromWait(ws)
		if c, ok := r.children[pid]; ok {
			delete(r.children, pid)
			c.mu.Lock()
			c.status = status
			close(c.done)
			c.mu.Unlock()
			continue
		}
		r.orphans++
		orphans = append(orphans, reaped{pid, status})
	}
	r.mu.Unlock()
	if r.onOrphan != nil {
		for _, o := range orphans {
			r.onOrphan(o.pid, o.status)
		}
	}
}
