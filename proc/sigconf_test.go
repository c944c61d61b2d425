package proc

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestKeepIgnoredWrapsOnlyWhenSomethingWasIgnored(t *testing.T) {
	defer func(saved string) { ignoredAtStart = saved }(ignoredAtStart)
	ignoredAtStart = ""
	if path, args := keepIgnored("/bin/echo", []string{"echo", "hi"}); path != "/bin/echo" || !slices.Equal(args, []string{"echo", "hi"}) {
		t.Errorf("nothing ignored: %s %q", path, args)
	}
	ignoredAtStart = "HUP INT"
	path, args := keepIgnored("/bin/echo", []string{"echo", "a b", "$HOME"})
	want := []string{"sh", "-c", `trap '' HUP INT; exec "$0" "$@"`, "/bin/echo", "a b", "$HOME"}
	if path != ShellPath || !slices.Equal(args, want) {
		t.Errorf("wrapped: %s %q, want %q", path, args, want)
	}
	path, args = keepIgnored(ShellPath, []string{"sh", "-c", "echo $1", "x", "y"})
	want = []string{"sh", "-c", "trap '' HUP INT; echo $1", "x", "y"}
	if path != ShellPath || !slices.Equal(args, want) {
		t.Errorf("shell command: %s %q, want %q", path, args, want)
	}
}

// The wrapped command gets its arguments unchanged and the signals ignored.
func TestKeepIgnoredRunsTheCommandWithItsArguments(t *testing.T) {
	defer func(saved string) { ignoredAtStart = saved }(ignoredAtStart)
	ignoredAtStart = "HUP"
	r := NewReaper(nil)
	defer r.Close()
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Start(Command{Path: "sh", Args: []string{"sh", "-c", `printf '%s|' "$@"; grep SigIgn /proc/self/status`, "-", "a b", "$HOME", ""},
		Env: os.Environ(), Stdout: out})
	if err != nil {
		t.Fatal(err)
	}
	if st := c.Wait(); st.ExitCode() != 0 {
		t.Fatalf("exit %v", st)
	}
	data, _ := os.ReadFile(out.Name())
	got := string(data)
	if !strings.HasPrefix(got, "a b|$HOME||SigIgn:") {
		t.Errorf("arguments changed: %q", got)
	}
	var mask uint64
	if _, err := fmt.Sscanf(strings.TrimSpace(got[strings.Index(got, ":")+1:]), "%x", &mask); err != nil || mask&1 == 0 {
		t.Errorf("SIGHUP not ignored in the child: %q", got)
	}
}

// What keeping ignored signals costs per start: a plain command exec'd
// directly, the same under the wrapper shell, and a shell command (whose
// trap is free, as it runs under a shell anyway).
func BenchmarkStartKeepingIgnored(b *testing.B) {
	defer func(saved string) { ignoredAtStart = saved }(ignoredAtStart)
	r := NewReaper(nil)
	defer r.Close()
	for _, c := range []struct {
		name, ignored string
		cmd           Command
	}{
		{"plain exec", "", Command{Path: "/bin/true", Args: []string{"true"}}},
		{"ignored exec", "HUP INT", Command{Path: "/bin/true", Args: []string{"true"}}},
		{"plain shell", "", Command{Path: ShellPath, Args: []string{"sh", "-c", "true; true"}}},
		{"ignored shell", "HUP INT", Command{Path: ShellPath, Args: []string{"sh", "-c", "true; true"}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			ignoredAtStart = c.ignored
			for b.Loop() {
				child, err := r.Start(c.cmd)
				if err != nil {
					b.Fatal(err)
				}
				child.Wait()
			}
		})
	}
}
