package export

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/app"
)

// TestFromApp: the formation's ports, the stop signals, the cron timeout
// and the flags that find the same files come from the app and settings.
func TestFromApp(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"Procfile": "web: serve\nworker: work\n",
		"app.json": `{"cron": [{"command": "tick", "schedule": "@hourly"}], "healthchecks": {"web": [{"path": "/up"}]}}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts := app.Options{Root: dir}
	a, err := app.Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	s := app.Settings{Formation: "web=2,worker=1", Port: 6000, PortSet: true, StopSignal: "worker=QUIT", CronTimeouts: []string{"90s"}, LockDir: "locks"}
	in, err := FromApp(App{Tend: "/bin/tend"}, a, opts, s, "systemd")
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != filepath.Base(dir) || in.Root != dir || in.Tend != "/bin/tend" {
		t.Errorf("name %q root %q tend %q", in.Name, in.Root, in.Tend)
	}
	if len(in.Types) != 2 || !slices.Equal(in.Types[0].Ports, []int{6000, 6001}) || in.Types[1].StopSignal != syscall.SIGQUIT {
		t.Errorf("types %+v", in.Types)
	}
	if len(in.Types[0].Checks) != 1 || in.Types[0].Checks[0].Path != "/up" || len(in.Types[1].Checks) != 0 {
		t.Errorf("health checks %+v", in.Types)
	}
	if len(in.Cron) != 1 || in.Cron[0].Timeout != 90*time.Second {
		t.Errorf("cron %+v", in.Cron)
	}
	wd, _ := os.Getwd()
	want := []string{"-f", filepath.Join(dir, "Procfile"), "-d", dir, "--lock-dir", filepath.Join(wd, "locks")}
	if !slices.Equal(in.Flags, want) {
		t.Errorf("flags %q, want %q", in.Flags, want)
	}
	// A crontab runs no processes: a bad formation does not matter.
	s.Formation = "web=x"
	if _, err := FromApp(App{}, a, opts, s, "crontab"); err != nil {
		t.Errorf("crontab with a bad -m: %v", err)
	}
	if _, err := FromApp(App{}, a, opts, s, "systemd"); err == nil {
		t.Error("systemd with a bad -m: no error")
	}
}
