package export

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/schedule"
)

func sampleApp(t *testing.T) App {
	t.Helper()
	exe, err := os.Executable() // ExecStart must name an executable file
	if err != nil {
		t.Fatal(err)
	}
	sched := func(spec string) *schedule.Schedule {
		s, err := schedule.Parse(spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return App{
		Name: "shop", Root: "/srv/shop 100%", Tend: exe, Flags: []string{"-f", "/srv/shop 100%/Procfile", "-d", "/srv/shop 100%"},
		Timeout: 25 * time.Second,
		Types: []Type{
			{Name: "web", Command: "bundle exec puma -p $PORT", Ports: []int{5000, 5001}},
			{Name: "worker", Command: "bundle exec sidekiq", Ports: []int{5100}, StopSignal: syscall.SIGQUIT},
			{Name: "release", Command: "rake db:migrate"},
		},
		Cron: []CronJob{
			{ID: "0a1b2c3d", Command: "bin/report 100%", Schedule: sched("0 9 * * 1-5"), Policy: appjson.PolicyForbid, Timeout: time.Hour},
			{ID: "1a1b2c3d", Command: "bin/both", Schedule: sched("0 0 1,15 * 1"), Policy: appjson.PolicyAllow},
			{ID: "2a1b2c3d", Command: "bin/tick", Schedule: sched("@every 90s"), Policy: appjson.PolicyReplace},
			{ID: "3a1b2c3d", Command: "bin/off", Schedule: sched("CRON_TZ=Europe/Berlin 30 2 * * *"), Policy: appjson.PolicyForbid, Maintenance: true},
		},
	}
}

func fileMap(r Result) map[string]string {
	m := map[string]string{}
	for _, f := range r.Files {
		m[f.Name] = string(f.Data)
	}
	return m
}

func TestSystemdUnits(t *testing.T) {
	t.Parallel()
	r, err := Systemd(sampleApp(t))
	if err != nil {
		t.Fatal(err)
	}
	files := fileMap(r)
	web := files["shop-web@.service"]
	for _, want := range []string{
		"Environment=PORT=%i DYNO=web.%i PS=web.%i\n",
		` -f "/srv/shop 100%%/Procfile" -d "/srv/shop 100%%" -t 25 run web` + "\n",
		"WorkingDirectory=/srv/shop 100%%\n", "Restart=always\n", "KillMode=mixed\n",
		"KillSignal=SIGTERM\n", "TimeoutStopSec=25\n", "PartOf=shop.target\n",
	} {
		if !strings.Contains(web, want) {
			t.Errorf("web unit lacks %q:\n%s", want, web)
		}
	}
	if w := files["shop-worker@.service"]; !strings.Contains(w, "KillSignal=SIGQUIT\n") || !strings.Contains(w, "--stop-signal worker=QUIT run worker\n") {
		t.Errorf("worker unit:\n%s", w)
	}
	target := files["shop.target"]
	for _, want := range []string{"Wants=shop-web@5000.service\n", "Wants=shop-web@5001.service\n", "Wants=shop-worker@5100.service\n",
		"Wants=shop-cron-0a1b2c3d.timer\n", "# release: 0 in the formation", "# shop-cron-3a1b2c3d.timer: in maintenance"} {
		if !strings.Contains(target, want) {
			t.Errorf("target lacks %q:\n%s", want, target)
		}
	}
	if strings.Contains(target, "Wants=shop-cron-3a1b2c3d.timer") || strings.Contains(target, "Wants=shop-release") {
		t.Errorf("target starts what it should not:\n%s", target)
	}
	if s := files["shop-cron-0a1b2c3d.service"]; !strings.Contains(s, "--cron-timeout 0a1b2c3d=1h0m0s cron run 0a1b2c3d\n") {
		t.Errorf("cron service:\n%s", s)
	}
	if tm := files["shop-cron-1a1b2c3d.timer"]; !strings.Contains(tm, "OnCalendar=*-*-01,15 00:00:00 UTC\nOnCalendar=Mon *-*-* 00:00:00 UTC\n") || !strings.Contains(tm, "AccuracySec=1s\n") {
		t.Errorf("OR timer:\n%s", tm)
	}
	if tm := files["shop-cron-2a1b2c3d.timer"]; !strings.Contains(tm, "OnActiveSec=1m30s\nOnUnitActiveSec=1m30s\n") {
		t.Errorf("@every timer:\n%s", tm)
	}
	warnings := strings.Join(r.Warnings, "\n")
	for _, want := range []string{"cron 1a1b2c3d: concurrency_policy allow", "cron 2a1b2c3d: concurrency_policy replace", "cron 3a1b2c3d: Europe/Berlin changes its clocks"} {
		if !strings.Contains(warnings, want) {
			t.Errorf("warnings lack %q:\n%s", want, warnings)
		}
	}
}

// systemd-analyze verify reads the units as systemd would (no running
// systemd needed) and must find nothing to say; a broken copy shows that
// it would.
func TestSystemdVerify(t *testing.T) {
	needSystemdAnalyze(t)
	t.Parallel()
	a := sampleApp(t)
	a.User = "root"
	a.Root, a.Flags = t.TempDir(), nil
	r, err := Systemd(a)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Write(dir, r.Files, false); err != nil {
		t.Fatal(err)
	}
	// Template units are verified through an instance.
	if err := os.Symlink("shop-web@.service", filepath.Join(dir, "shop-web@5000.service")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("shop-worker@.service", filepath.Join(dir, "shop-worker@5100.service")); err != nil {
		t.Fatal(err)
	}
	units := []string{"shop.target", "shop-web@5000.service", "shop-worker@5100.service"}
	for _, j := range a.Cron {
		units = append(units, "shop-cron-"+j.ID+".service", "shop-cron-"+j.ID+".timer")
	}
	verify := func(units ...string) (string, error) {
		cmd := exec.Command("systemd-analyze", append([]string{"verify", "--man=no"}, units...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	var paths []string
	for _, u := range units {
		paths = append(paths, "./"+u)
	}
	if out, err := verify(paths...); err != nil || out != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	broken := strings.Replace(fileMap(r)["shop-cron-0a1b2c3d.timer"], "OnCalendar=Mon..Fri", "OnCalendar=Mon..Fry", 1)
	if err := os.WriteFile(filepath.Join(dir, "broken.timer"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := verify("./broken.timer"); err == nil && out == "" {
		t.Errorf("verify finds nothing wrong with a broken OnCalendar=:\n%s", broken)
	}
}

func TestExecLine(t *testing.T) {
	t.Parallel()
	got := execLine([]string{"/usr/bin/tend", "-f", "/a b/Procfile", "it's", `q"x`, "$HOME", "100%"})
	want := `/usr/bin/tend -f "/a b/Procfile" "it's" "q\"x" $$HOME 100%%`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := []File{{Name: "a", Data: []byte("1")}, {Name: "b", Data: []byte("2")}}
	if err := Write(dir, files, false); err != nil {
		t.Fatal(err)
	}
	// One file exists: nothing is written without --force.
	if err := os.Remove(filepath.Join(dir, "a")); err != nil {
		t.Fatal(err)
	}
	files[1].Data = []byte("new")
	if err := Write(dir, files, false); err == nil || !strings.Contains(err.Error(), "b already exists") {
		t.Errorf("err %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); err == nil {
		t.Error("a was written though b exists")
	}
	if err := Write(dir, files, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "b")); string(data) != "new" {
		t.Errorf("b = %q after --force", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
	if err := Write(filepath.Join(dir, "a"), files, true); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("-o into a file: %v", err)
	}
}

func TestValidName(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{"shop": true, "my-app2": true, "": false, "My_App": false, "-x": false, "a.b": false, strings.Repeat("a", 31): false} {
		if err := ValidName(name); (err == nil) != ok {
			t.Errorf("%q: %v", name, err)
		}
	}
	if err := ValidName("My_App"); err == nil || !strings.Contains(err.Error(), "a-z, 0-9 and '-'") {
		t.Errorf("message: %v", err)
	}
}

func needSystemdAnalyze(t *testing.T) {
	t.Helper()
	testkit.NeedProgram(t, "systemd-analyze", "Debian: apt-get install systemd")
}
