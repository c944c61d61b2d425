package proc

import (
	"os"
	"os/signal"
	"syscall"
)

// CatchSIGPIPE makes a write to a closed stdout or stderr fail with EPIPE
// instead of killing tend. Without it Go's runtime raises SIGPIPE on such a
// write to fd 1 or 2 (see os/signal, "SIGPIPE"), and tend would die at once,
// leaving its children running (as PID 1, the kernel SIGKILLs them: no
// drain). The Mux turns EPIPE into a stop request instead; exec mode ignores
// it (the command has tend's stdout itself and meets the closed pipe on its
// own). Caught rather than ignored: an ignored signal would stay ignored in
// every child, a caught one is reset to the default by exec. The channel is
// never read; signals that do not fit are dropped.
func CatchSIGPIPE() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}
