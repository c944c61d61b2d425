package report

import (
	"slices"
	"testing"
)

func TestGroupDokkuOneLinePerKind(t *testing.T) {
	got := GroupDokku([]string{
		`app.json:4: cron[0] ("bin/a"): @every runs under tend, but Dokku's host cron cannot run it`,
		`Procfile:2: web: $VARS are expanded on the host (only with a Dokku ENTRYPOINT)`,
		`app.json:7: cron[1] ("bin/b): x"): @every runs under tend, but Dokku's host cron cannot run it`,
		`Procfile:5: worker: $VARS are expanded on the host (only with a Dokku ENTRYPOINT)`,
		`app.json:9: cron[2] ("bin/c && d"): "&&" needs a shell`,
		`something else`,
	})
	want := []string{
		`something else`,
		`app.json: 2 cron entries: @every runs under tend, but Dokku's host cron cannot run it (lines 4, 7)`,
		`Procfile: 2 commands: $VARS are expanded on the host (only with a Dokku ENTRYPOINT) (lines 2, 5)`,
		`app.json: 1 cron entry: "&&" needs a shell (line 9)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	var many []string
	for i := range 12 {
		many = append(many, "Procfile:"+string(rune('1'+i%9))+": web: x")
	}
	if g := GroupDokku(many); len(g) != 1 || g[0] != "Procfile: 12 commands: x (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, …)" {
		t.Errorf("many: %q", g)
	}
}
