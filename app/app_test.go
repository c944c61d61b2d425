package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/procfile"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoadCapsProblems: 25 bad Procfile lines and 3 bad cron entries give
// the first 20 problems and a count of the rest, still typed.
func TestLoadCapsProblems(t *testing.T) {
	var pf strings.Builder
	for i := range 25 {
		fmt.Fprintf(&pf, "bad %d\n", i)
	}
	dir := writeFiles(t, map[string]string{
		"Procfile": pf.String(),
		"app.json": `{"cron": [1, 2, 3]}`,
	})
	_, err := Load(Options{Root: dir})
	if err == nil {
		t.Fatal("no error")
	}
	got := strings.Split(err.Error(), "\n")
	if len(got) != MaxProblems+1 || got[MaxProblems] != "… and 8 more problems" {
		t.Errorf("%d lines, last %q:\n%s", len(got), got[len(got)-1], err)
	}
	if !errors.Is(err, procfile.ErrInvalidLine) {
		t.Errorf("errors.Is(ErrInvalidLine) lost: %v", err)
	}
	// Exec mode turns them into warnings: capped the same way.
	a, err := Load(Options{Root: dir, Lenient: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Warnings) != MaxProblems+1 || a.Warnings[MaxProblems] != "… and 8 more warnings" {
		t.Errorf("%d warnings: %q", len(a.Warnings), a.Warnings)
	}
}

// TestLoadFewProblemsUncut: under the cap, every problem is there.
func TestLoadFewProblemsUncut(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Procfile": "web: x\nbad\n", "app.json": `{"cron": [1]}`})
	_, err := Load(Options{Root: dir})
	var pe *appjson.ParseError
	if err == nil || strings.Count(err.Error(), "\n") != 1 || !errors.As(err, &pe) || strings.Contains(err.Error(), "more problems") {
		t.Errorf("got %v", err)
	}
}

// TestLoadedAppAccessors: what a loaded app says about its Procfile and
// app.json: the entries by name, the formation, the health checks per
// type, and where Dokku would run it differently.
func TestLoadedAppAccessors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"Procfile": "web: bin/web 'quoted arg'\nworker: bin/worker\n",
		"app.json": `{"cron": [{"command": "bin/tick", "schedule": "@every 5m"}],
			"formation": {"web": {"quantity": 2}},
			"healthchecks": {"web": [{"path": "/up"}]}}`,
	})
	a, err := Load(Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := a.Process("worker"); !ok || p.Command != "bin/worker" {
		t.Errorf("Process(worker) = %+v, %v", p, ok)
	}
	if _, ok := a.Process("clock"); ok {
		t.Error("Process(clock) found a type the Procfile lacks")
	}
	if f := a.Formation(); f["web"] != 2 || len(f) != 1 {
		t.Errorf("Formation = %v", f)
	}
	if c := a.Healthchecks("web"); len(c) != 1 || c[0].Path != "/up" {
		t.Errorf("Healthchecks(web) = %+v", c)
	}
	if c := a.Healthchecks("worker"); c != nil {
		t.Errorf("Healthchecks(worker) = %+v, want none", c)
	}
	ep := a.EntrypointWarnings()
	if len(ep) != 1 || !strings.HasPrefix(ep[0], a.ProcfilePath+":1: web: ") || !strings.HasSuffix(ep[0], "(only with a Dokku ENTRYPOINT)") {
		t.Errorf("EntrypointWarnings = %q", ep)
	}
	dw := a.DokkuWarnings()
	if len(dw) != 2 || !strings.Contains(dw[0], "@every") || dw[1] != ep[0] {
		t.Errorf("DokkuWarnings = %q, want app.json's @every, then the Procfile's", dw)
	}
	bare := &App{}
	if bare.Formation() != nil || bare.Healthchecks("web") != nil || bare.DokkuWarnings() != nil {
		t.Error("an app without app.json has a formation, checks or warnings")
	}
}

func TestInDokku(t *testing.T) {
	for env, want := range map[string]bool{"DYNO=web.1": true, "DOKKU_APP_TYPE=dockerfile": true, "DYNOSAUR=1": false, "PATH=/bin": false} {
		if got := InDokku([]string{"HOME=/", env}); got != want {
			t.Errorf("InDokku(%s) = %v", env, got)
		}
	}
}
