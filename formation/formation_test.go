package formation

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tend-run/tend/spec"
)

func TestPlanPortsAndNames(t *testing.T) {
	types := []ProcessType{{"worker", "w"}, {"release", "r"}, {"web", "s"}, {"clock", "c"}}
	f, err := ParseFormation("web=2,worker=1,all=1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	specs, err := Plan(types, PlanOptions{Formation: f, BasePort: 5000, Env: []string{"PORT=9", "A=1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range specs {
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

// portsOf maps instance names to ports, failing on a shared port.
func portsOf(t *testing.T, specs []spec.Instance) map[string]int {
	t.Helper()
	out := map[string]int{}
	owner := map[int]string{}
	for _, s := range specs {
		if other, ok := owner[s.Port]; ok {
			t.Fatalf("%s and %s share port %d", other, s.Name, s.Port)
		}
		owner[s.Port] = s.Name
		out[s.Name] = s.Port
	}
	return out
}

func TestPlanPortsNeverShared(t *testing.T) {
	types := []ProcessType{{"worker", "w"}, {"web", "s"}, {"clock", "c"}}
	for _, tc := range []struct {
		formation string
		want      map[string]int // a few instances' ports
	}{
		{"web=101,worker=1", map[string]int{"web.1": 5000, "web.101": 5100, "worker.1": 5200}},
		{"web=1,worker=101,clock=1", map[string]int{"worker.1": 5100, "worker.101": 5200, "clock.1": 5300}},
		{"web=250,worker=150,clock=3", map[string]int{"web.250": 5249, "worker.1": 5300, "worker.150": 5449, "clock.3": 5502}},
		{"web=100,worker=100,clock=1", map[string]int{"web.100": 5099, "worker.1": 5100, "clock.1": 5200}}, // foreman's
		{"worker=101,clock=1", map[string]int{"worker.1": 5100, "clock.1": 5300}},
	} {
		f, err := ParseFormation(tc.formation)
		if err != nil {
			t.Fatal(err)
		}
		specs, err := Plan(types, PlanOptions{Formation: f, BasePort: 5000})
		if err != nil {
			t.Fatalf("%s: %v", tc.formation, err)
		}
		got := portsOf(t, specs)
		for name, port := range tc.want {
			if got[name] != port {
				t.Errorf("%s: %s got port %d, want %d", tc.formation, name, got[name], port)
			}
		}
	}
}

func TestPlanPortsAcrossReloads(t *testing.T) {
	ports := NewPorts()
	plan := func(types []ProcessType, formation string) (map[string]int, error) {
		t.Helper()
		f, err := ParseFormation(formation)
		if err != nil {
			t.Fatal(err)
		}
		specs, err := Plan(types, PlanOptions{Formation: f, BasePort: 5000, Ports: ports})
		if err != nil {
			return nil, err
		}
		return portsOf(t, specs), nil
	}
	two := []ProcessType{{"web", "s"}, {"worker", "w"}}
	three := append(two, ProcessType{"clock", "c"})
	if got, err := plan(two, "web=1,worker=1"); err != nil || got["worker.1"] != 5100 {
		t.Fatalf("start: %v %v", got, err)
	}
	// A new type takes the next free block.
	if got, err := plan(three, "web=1,worker=1,clock=1"); err != nil || got["clock.1"] != 5200 || got["worker.1"] != 5100 {
		t.Fatalf("clock added: %v %v", got, err)
	}
	// The last type may grow into free blocks, keeping its ports.
	if got, err := plan(three, "web=1,worker=1,clock=150"); err != nil || got["clock.1"] != 5200 || got["clock.150"] != 5349 {
		t.Fatalf("clock grown: %v %v", got, err)
	}
	// worker cannot grow: clock's ports are in use.
	_, err := plan(three, "web=1,worker=150,clock=1")
	if err == nil || !strings.Contains(err.Error(), "150 instances of worker need ports 5100-5299, but clock has had ports 5200-5399") {
		t.Fatalf("worker=150 after clock: %v", err)
	}
	// ...nor web, whose range must start at the base port.
	if _, err := plan(three, "web=101,worker=1,clock=1"); err == nil {
		t.Fatal("web=101 accepted over worker's block")
	}
	// A refused plan changed nothing; a type added later goes after clock's two blocks.
	four := append(three, ProcessType{"mail", "m"})
	if got, err := plan(four, "web=1,worker=1,clock=1,mail=1"); err != nil || got["mail.1"] != 5400 || got["clock.1"] != 5200 {
		t.Fatalf("after refusals: %v %v", got, err)
	}
}

// When foreman's blocks of 100 would pass 65535, the blocks are 10 ports,
// then 1; past that it is an error.
func TestPlanPortAbove65535(t *testing.T) {
	f, _ := ParseFormation("web=1,worker=1")
	types := []ProcessType{{"web", "s"}, {"worker", "w"}}
	specs, err := Plan(types, PlanOptions{Formation: f, BasePort: 65500})
	if err != nil || specs[1].Port != 65510 {
		t.Fatalf("base 65500: %v %+v, want worker.1 on 65510 (blocks of 10)", err, specs)
	}
	specs, err = Plan(types, PlanOptions{Formation: f, BasePort: 65534})
	if err != nil || specs[1].Port != 65535 {
		t.Fatalf("base 65534: %v %+v, want worker.1 on 65535 (blocks of 1)", err, specs)
	}
	_, err = Plan(types, PlanOptions{Formation: f, BasePort: 65535})
	if err == nil || !strings.Contains(err.Error(), "worker.1 would get port 65536, above 65535") {
		t.Fatalf("base 65535: got %v", err)
	}
}

// A thousand types fit in blocks of 10; a type with more instances than a
// block takes several, and no two instances share a port.
func TestPlanThousandTypes(t *testing.T) {
	var types []ProcessType
	spec := "p2=25"
	for i := 1; i <= 1000; i++ {
		types = append(types, ProcessType{fmt.Sprintf("p%d", i), "x"})
		if i != 2 {
			spec += fmt.Sprintf(",p%d=1", i)
		}
	}
	f, err := ParseFormation(spec)
	if err != nil {
		t.Fatal(err)
	}
	ports := NewPorts()
	specs, err := Plan(types, PlanOptions{Formation: f, BasePort: 5000, Ports: ports})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]string{}
	for _, s := range specs {
		if other, dup := seen[s.Port]; dup {
			t.Fatalf("%s and %s share port %d", s.Name, other, s.Port)
		}
		seen[s.Port] = s.Name
	}
	want := map[string]int{"p1.1": 5010, "p2.1": 5020, "p2.25": 5044, "p3.1": 5050, "p1000.1": 5000 + 10*1002}
	for _, s := range specs {
		if p, ok := want[s.Name]; ok && s.Port != p {
			t.Errorf("%s on %d, want %d", s.Name, s.Port, p)
		}
	}
	if first, last, _ := ports.Range(5000, "p2"); first != 5020 || last != 5049 {
		t.Errorf("p2's range %d-%d, want 5020-5049", first, last)
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

// BenchmarkPlanThousandTypes is the plan of a Procfile of 1000 types, one
// instance each, with the environment of this process: before the first
// child starts, tend start pays it once (it was 205 ms when every type's
// placement sorted and scanned all the others).
func BenchmarkPlanThousandTypes(b *testing.B) {
	var types []ProcessType
	for i := 1; i <= 1000; i++ {
		types = append(types, ProcessType{fmt.Sprintf("p%d", i), "x"})
	}
	f, err := ParseFormation("all=1")
	if err != nil {
		b.Fatal(err)
	}
	env := os.Environ()
	for b.Loop() {
		if _, err := Plan(types, PlanOptions{Formation: f, BasePort: 5000, Env: env, Ports: NewPorts()}); err != nil {
			b.Fatal(err)
		}
	}
}
