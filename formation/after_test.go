package formation

import (
	"errors"
	"strings"
	"testing"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/procfile"
)

func TestAfterOrder(t *testing.T) {
	a := &app.App{ProcfilePath: "Procfile"}
	for _, n := range []string{"web", "worker", "clock"} {
		a.Processes = append(a.Processes, procfile.Entry{Name: n, Command: "x"})
	}
	got, err := AfterOrder(app.Settings{After: "worker=web, clock=web,clock=worker,worker=web"}, a)
	if err != nil || strings.Join(got["worker"], ",") != "web" || strings.Join(got["clock"], ",") != "web,worker" || len(got) != 2 {
		t.Fatalf("AfterOrder = %v, %v", got, err)
	}
	for spec, want := range map[string]string{
		"worker=web,web=clock,clock=worker": "--after: clock → worker → web → clock wait for each other, so none would start",
		"worker=worker":                     "--after: worker cannot wait for itself",
		"worker=db":                         `--after: no process type "db" in Procfile`,
		"worker":                            "--after: entry 1 is not TYPE=TYPE",
	} {
		_, err := AfterOrder(app.Settings{After: spec}, a)
		var ue *app.UsageError
		if err == nil || err.Error() != want || !errors.As(err, &ue) {
			t.Errorf("%q: %v, want the usage error %q", spec, err, want)
		}
	}
}
