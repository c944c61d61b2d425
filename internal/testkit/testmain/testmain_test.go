package testmain

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// The GORACE to start again with keeps the options already set, and there is
// no second start once atexit_sleep_ms is set (by Main or by the user), nor
// in a build without the race detector.
func TestGorace(t *testing.T) {
	for _, c := range []struct {
		race          bool
		current, want string
		again         bool
	}{
		{true, "", "atexit_sleep_ms=0", true},
		{true, "halt_on_error=1", "halt_on_error=1 atexit_sleep_ms=0", true},
		{true, " log_path=/tmp/r  history_size=3 ", "log_path=/tmp/r  history_size=3 atexit_sleep_ms=0", true},
		{true, "atexit_sleep_ms=0", "", false},
		{true, "halt_on_error=1 atexit_sleep_ms=500", "", false},
		{false, "", "", false},
	} {
		got, again := gorace(c.race, c.current)
		if got != c.want || again != c.again {
			t.Errorf("gorace(%v, %q) = %q, %v; want %q, %v", c.race, c.current, got, again, c.want, c.again)
		}
	}
}

func TestWithVarSetsTheNameOnce(t *testing.T) {
	got := withVar([]string{"GORACE=a=1", "HOME=/h", "GORACE=b=2", "GORACEX=1"}, "GORACE", "c=3")
	want := []string{"HOME=/h", "GORACEX=1", "GORACE=c=3"}
	if !slices.Equal(got, want) {
		t.Errorf("withVar = %q, want %q", got, want)
	}
}

// In a race build, the tests run with atexit_sleep_ms=0 in GORACE, and the
// other options the binary was started with are still there.
func TestTheTestsRunWithoutExitSleep(t *testing.T) {
	if !raceEnabled {
		t.Skip("only a race build sleeps at exit")
	}
	g := os.Getenv("GORACE")
	if os.Getenv("TESTMAIN_HELPER") != "" {
		if g != "halt_on_error=0 atexit_sleep_ms=0" {
			t.Fatalf("started with GORACE=halt_on_error=0, the tests run with GORACE=%q", g)
		}
		return
	}
	if !strings.Contains(g, "atexit_sleep_ms=") {
		t.Fatalf("GORACE is %q in the tests", g)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTheTestsRunWithoutExitSleep$", "-test.v")
	cmd.Env = append(os.Environ(), "TESTMAIN_HELPER=1")
	cmd.Env = withVar(cmd.Env, "GORACE", "halt_on_error=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestTheTestsRunWithoutExitSleep") {
		t.Errorf("the tests did not run again: %s", out)
	}
}
