package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The hook's TEND_OUTPUT_TAIL holds the failed process's last line even
// when tend's output is slow and the process exits right after writing it.
func TestFailureHookSeesTheLastLines(t *testing.T) {
	tailFile := filepath.Join(t.TempDir(), "tail")
	out := &slowWriter{}
	m := NewMux(OutputOptions{Stdout: out, Stderr: out, Prefix: true, KeepTail: true})
	reaper := newTestReaper(t)
	hook := &Hook{Command: `printf %s "$TEND_OUTPUT_TAIL" > ` + tailFile, Env: os.Environ(), Timeout: 10 * time.Second, Reaper: reaper, Output: m}
	flaky := testInstance("flaky.1", "seq 1 10000; echo about to fail; exit 4")
	flaky.CanDie = true
	s := NewSupervisor(Config{
		Instances: []InstanceSpec{testInstance("chatty.1", "while :; do echo chatter; done"), flaky},
		Timeout:   5 * time.Second, Output: m, Reaper: reaper, OnFailure: hook,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	var tail []byte
	for len(tail) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		tail, _ = os.ReadFile(tailFile)
	}
	cancel()
	<-done
	if !strings.HasSuffix(string(tail), "about to fail\n") {
		t.Errorf("TEND_OUTPUT_TAIL = %q", tail)
	}
}
