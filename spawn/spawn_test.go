package spawn

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
)

func TestWithEnv(t *testing.T) {
	got := WithEnv([]string{"A=1", "PORT=5000", "B=2", "PORTX=9"}, "PORT=5100", "PS=web.2")
	if want := []string{"A=1", "B=2", "PORTX=9", "PORT=5100", "PS=web.2"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A child started on pipes has its output copied under its name, and the
// Mux's Drain waits for it.
func TestStartPiped(t *testing.T) {
	var out testkit.Buffer
	m := output.NewMux(output.OutputOptions{Stdout: &out, Stderr: &out, Prefix: true})
	m.SetNames([]string{"job.1"})
	reaper := testkit.Reaper(t)
	path, args := proc.ShellCommand("echo out; echo err >&2; exit 3")
	child, pipes, err := StartPiped(reaper, m, "job.1", proc.Command{Path: path, Args: args, Env: os.Environ()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := child.Wait(); st.ExitCode() != 3 {
		t.Errorf("status %s", st)
	}
	m.Drain(time.Now().Add(5 * time.Second))
	for _, want := range []string{"job.1 | out\n", "job.1 | err\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in the output:\n%s", want, out.String())
		}
	}
	if pipes == nil {
		t.Error("no pipes")
	}
	if _, _, err := StartPiped(reaper, m, "job.1", proc.Command{Path: "/nonexistent/x"}, nil); err == nil {
		t.Error("a command that does not exist started")
	}
}
