package runner

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestPlanPortsAndNames(t *testing.T) {
	types := []ProcessType{{"worker", "w"}, {"release", "r"}, {"web", "s"}, {"clock", "c"}}
	f, err := ParseFormation("web=2,worker=1,all=1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range Plan(types, PlanOptions{Formation: f, BasePort: 5000, Env: []string{"PORT=9", "A=1"}}) {
		got = append(got, fmt.Sprintf("%s %s %d %s", in.Name, in.Type, in.Port, strings.Join(in.Env, " ")))
	}
	want := []string{
		"worker.1 worker 5100 A=1 PORT=5100 PS=worker.1 DYNO=worker.1",
		"web.1 web 5000 A=1 PORT=5000 PS=web.1 DYNO=web.1",
		"web.2 web 5001 A=1 PORT=5001 PS=web.2 DYNO=web.2",
		"clock.1 clock 5200 A=1 PORT=5200 PS=clock.1 DYNO=clock.1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseFormation(t *testing.T) {
	f, err := ParseFormation("web=2, worker=0")
	if err != nil {
		t.Fatal(err)
	}
	if f.Count("web") != 2 || f.Count("worker") != 0 || f.Count("clock") != 0 {
		t.Errorf("counts: %+v", f)
	}
	for _, bad := range []string{"web", "web=x", "web=-1", "=2"} {
		if _, err := ParseFormation(bad); err == nil {
			t.Errorf("ParseFormation(%q) accepted", bad)
		}
	}
}

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]string{"TERM": "SIGTERM", "sigquit": "SIGQUIT", "9": "SIGKILL", "usr1": "SIGUSR1"} {
		sig, err := ParseSignal(in)
		if err != nil || SignalName(sig) != want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %s", in, sig, err, want)
		}
	}
	for _, bad := range []string{"NOPE", "0", "99", ""} {
		if _, err := ParseSignal(bad); err == nil {
			t.Errorf("ParseSignal(%q) accepted", bad)
		}
	}
}
