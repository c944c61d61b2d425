package spawn

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
)

// A child on a terminal has one (its stdin is a tty), its output is copied
// under its name, and what is typed on the Keyboard reaches it.
func TestStartTerminal(t *testing.T) {
	var out testkit.Buffer
	m := output.NewMux(output.OutputOptions{Stdout: &out, Stderr: &out, Prefix: true})
	m.SetNames([]string{"tty.1"})
	path, args := proc.ShellCommand(`test -t 0 && echo on-a-tty; read line; echo "got $line"`)
	child, con, pipes, err := StartTerminal(testkit.Reaper(t), m, "tty.1", proc.Command{Path: path, Args: args, Env: os.Environ(), NewGroup: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if con == nil || pipes == nil {
		t.Fatalf("console %v, pipes %v", con, pipes)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var k Keyboard
	k.To(con)
	go k.Forward(r)
	out.WaitFor(t, "tty.1 | on-a-tty")
	if _, err := w.WriteString("typed\n"); err != nil {
		t.Fatal(err)
	}
	out.WaitFor(t, "got typed")
	if st := child.Wait(); !st.Success() {
		t.Errorf("status %s", st)
	}
	w.Close()
	m.Drain(time.Now().Add(5 * time.Second))
	if !strings.Contains(out.String(), "tty.1 | got typed") {
		t.Errorf("output:\n%s", out.String())
	}
}
