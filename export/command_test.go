package export

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-run/tend/app"
)

// Command.Run returns a one-file export for stdout, writes a many-file one
// into Dir, and gives flag values it cannot use as app.UsageError.
func TestCommandRun(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Procfile"), []byte("web: sleep 1\nworker: sleep 2\n"), 0o644)
	c := Command{Format: "supervisord", Options: app.Options{Root: dir}, Name: "shop", Timeout: "10"}
	data, err := c.Run(io.Discard)
	if err != nil || !strings.Contains(string(data), "[program:shop-web]") {
		t.Errorf("supervisord on stdout: %v\n%s", err, data)
	}
	c.Format, c.Dir = "systemd", t.TempDir()
	if data, err := c.Run(io.Discard); err != nil || data != nil {
		t.Errorf("systemd into a dir: %v %q", err, data)
	}
	if entries, _ := os.ReadDir(c.Dir); len(entries) < 2 {
		t.Errorf("wrote %d files", len(entries))
	}
	var ue *app.UsageError
	c.Dir = ""
	if _, err := c.Run(io.Discard); !errors.As(err, &ue) || !strings.Contains(err.Error(), "give -o DIR") {
		t.Errorf("systemd on stdout: %v", err)
	}
	c.Timeout = "forever"
	if _, err := c.Run(io.Discard); !errors.As(err, &ue) || !strings.Contains(err.Error(), "invalid --timeout") {
		t.Errorf("bad timeout: %v", err)
	}
}
