package console

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/output"
)

// A child on the console: its output reaches the Mux as whole lines with
// the terminal's CR LF as LF, an attached session sees it raw, and the
// output ends (Done) when the child exits, as for pipes.
func TestConsoleOutputLinesAndRawView(t *testing.T) {
	var out testkit.Buffer
	m := output.NewMux(output.OutputOptions{Stdout: &out, Stderr: &out, Prefix: true})
	m.SetNames([]string{"dbg.1"})
	c, err := Open(m, "dbg.1", nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Attach()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Attach(); err == nil || !strings.Contains(err.Error(), "another tend attach") {
		t.Errorf("second attach: %v", err)
	}
	p := c.Pipes()
	cmd := exec.Command("sh", "-c", `read -r line; printf '%s\n' "got $line" "(prompt) "; stty size`)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.Stdout, p.Stdout, p.Stdout
	if err := c.Resize(12, 34); err != nil {
		t.Fatal(err)
	}
	err = cmd.Start()
	p.Started(err)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]byte("hi\n")); err != nil {
		t.Fatal(err)
	}
	var raw strings.Builder
	for chunk := range s.Output() {
		raw.Write(chunk)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the console's output did not end after the child exited")
	}
	m.Drain(time.Now().Add(time.Second))
	if want := "hi\r\ngot hi\r\n(prompt) \r\n12 34\r\n"; raw.String() != want {
		t.Errorf("raw view %q, want %q", raw.String(), want)
	}
	if want := "dbg.1 | hi\ndbg.1 | got hi\ndbg.1 | (prompt) \ndbg.1 | 12 34\n"; out.String() != want {
		t.Errorf("Mux output %q, want %q", out.String(), want)
	}
	if _, err := c.Attach(); err == nil || !strings.Contains(err.Error(), "dbg.1 has exited") {
		t.Errorf("attach after the end: %v", err)
	}
}
