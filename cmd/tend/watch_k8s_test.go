package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// kubeletSwap writes files into a new timestamped directory of the volume
// at dir and points ..data at it as the kubelet does: a ..data_tmp symlink
// renamed over ..data (mv -T), then the old directory removed.
func kubeletSwap(t *testing.T, dir, stamp string, files map[string]string) {
	t.Helper()
	writeAll := func() error {
		if err := os.Mkdir(filepath.Join(dir, stamp), 0o755); err != nil {
			return err
		}
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(dir, stamp, name), []byte(content), 0o644); err != nil {
				return err
			}
		}
		return os.Symlink(stamp, filepath.Join(dir, "..data_tmp"))
	}
	if err := writeAll(); err != nil {
		t.Fatal(err)
	}
	old, _ := os.Readlink(filepath.Join(dir, "..data"))
	if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if old != "" {
		if err := os.RemoveAll(filepath.Join(dir, old)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWatchKubernetesConfigMap: an env file mounted from a ConfigMap
// (NAME -> ..data/NAME, ..data -> ..TIMESTAMP) is reloaded when the
// kubelet swaps ..data, though NAME itself never changes.
func TestWatchKubernetesConfigMap(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web up $GREETING; exec sleep 60\n"})
	cfg := filepath.Join(dir, "config")
	if err := os.Mkdir(cfg, 0o755); err != nil {
		t.Fatal(err)
	}
	kubeletSwap(t, cfg, "..2026_12_01_10_00_00.123", map[string]string{"app.env": "GREETING=hello\n"})
	if err := os.Symlink("..data/app.env", filepath.Join(cfg, "app.env")); err != nil {
		t.Fatal(err)
	}
	p := startTend(t, dir, nil, "start", "--watch", "-e", "config/app.env")
	p.waitOutput("web.1 | web up hello")
	kubeletSwap(t, cfg, "..2026_12_01_10_05_00.456", map[string]string{"app.env": "GREETING=bonjour\n"})
	p.waitOutput("reload (files changed): environment changed: restarted web")
	p.waitOutput("web.1 | web up bonjour")
	kubeletSwap(t, cfg, "..2026_12_01_10_10_00.789", map[string]string{"app.env": "GREETING=ciao\n"})
	p.waitOutput("web.1 | web up ciao")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d\n%s", code, p.stderr)
	}
}
