package privdir

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestMakeCreatesA0700DirDespiteTheUmask(t *testing.T) {
	old := syscall.Umask(0o277) // would turn mkdir's 0700 into 0500
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "tend-x")
	if err := Make(dir); err != nil {
		t.Fatal(err)
	}
	st, err := os.Lstat(dir)
	if err != nil || !st.IsDir() || st.Mode().Perm() != 0o700 {
		t.Fatalf("%v, %v", st.Mode(), err)
	}
	if err := Make(dir); err != nil {
		t.Errorf("our own directory, the second time: %v", err)
	}
}

// asNobody runs a shell script as the user nobody.
func asNobody(t *testing.T, script string, env ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to play the user nobody with setpriv (CI runs as root)")
	}
	cmd := exec.Command("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "sh", "-ec", script)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("as nobody: %v: %s", err, out)
	}
}

// sharedTmp is a world-writable sticky directory, as /tmp.
func sharedTmp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestMakeRefusesWhatIsNotOurs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		plant   func(t *testing.T, path, victim string)
		problem string
		owner   string
		mode    string
	}{
		{"another user's symlink", func(t *testing.T, path, victim string) {
			asNobody(t, `ln -s "$VICTIM" "$P"`, "P="+path, "VICTIM="+victim)
		}, "is a symlink to ", "owner nobody (uid 65534)", "symlink 0777"},
		{"another user's 0777 dir", func(t *testing.T, path, _ string) {
			asNobody(t, `mkdir -m 0777 "$P"`, "P="+path)
		}, "belongs to another user", "owner nobody (uid 65534)", "mode 0777"},
		{"another user's 0700 dir", func(t *testing.T, path, _ string) {
			asNobody(t, `mkdir -m 0700 "$P"`, "P="+path)
		}, "belongs to another user", "owner nobody (uid 65534)", "mode 0700"},
		{"our own 0755 dir", func(t *testing.T, path, _ string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "does not have mode 0700", fmt.Sprintf("(uid %d)", os.Geteuid()), "mode 0755"},
		{"a regular file", func(t *testing.T, path, _ string) {
			if err := os.WriteFile(path, nil, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "is not a directory", fmt.Sprintf("(uid %d)", os.Geteuid()), "mode file 0700"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			victim := filepath.Join(t.TempDir(), "victim")
			if err := os.Mkdir(victim, 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(sharedTmp(t), "tend-0")
			tc.plant(t, path, victim)
			before, _ := os.Lstat(path)
			err := Make(path)
			var unsafe *UnsafeError
			if !errors.As(err, &unsafe) {
				t.Fatalf("Make: %v, want an *UnsafeError", err)
			}
			for _, want := range []string{"refusing " + path, tc.problem, tc.owner, tc.mode, "XDG_RUNTIME_DIR"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("no %q in %q", want, err)
				}
			}
			if after, _ := os.Lstat(path); after.Mode() != before.Mode() {
				t.Errorf("the mode at the path changed: %v → %v", before.Mode(), after.Mode())
			}
			if st, _ := os.Stat(victim); st.Mode().Perm() != 0o755 {
				t.Errorf("the symlink's target changed: %v", st.Mode())
			}
			if _, err := Find([]string{path, t.TempDir()}, nil); !errors.As(err, &unsafe) {
				t.Errorf("Find went past an unsafe candidate: %v", err)
			}
		})
	}
}

func TestFindSkipsWhatCannotBeMade(t *testing.T) {
	base := t.TempDir()
	missing := filepath.Join(base, "no", "parent")
	tooLong := filepath.Join(base, "long")
	good := filepath.Join(base, "good")
	fits := func(dir string) error {
		if dir == tooLong {
			return fmt.Errorf("%s: too long", dir)
		}
		return nil
	}
	dir, err := Find([]string{missing, tooLong, good}, fits)
	if err != nil || dir != good {
		t.Fatalf("Find: %q, %v", dir, err)
	}
	if _, err := os.Stat(filepath.Dir(missing)); err == nil {
		t.Errorf("Find created a missing parent")
	}
	_, err = Find([]string{missing, tooLong}, fits)
	if !errors.Is(err, ErrNoPlace) || !strings.Contains(err.Error(), "mkdir "+missing+": no such file or directory") || !strings.Contains(err.Error(), "too long") {
		t.Errorf("nothing usable: %v", err)
	}
}

func TestCandidates(t *testing.T) {
	uid := os.Geteuid()
	name := fmt.Sprintf("tend-%d", uid)
	var root []string
	if uid == 0 {
		root = []string{"/run/tend"}
	}
	for _, tc := range []struct {
		xdg, tmp string
		want     []string
	}{
		{"/run/user/7", "/var/tmp", append(append([]string{"/run/user/7/" + name}, root...), "/var/tmp/"+name, "/tmp/"+name)},
		{"", "", append(root, "/tmp/"+name)},
		{"relative", "/tmp", append(root, "/tmp/"+name)}, // XDG_RUNTIME_DIR must be absolute
	} {
		t.Setenv("XDG_RUNTIME_DIR", tc.xdg)
		t.Setenv("TMPDIR", tc.tmp)
		if got := Candidates(); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("XDG_RUNTIME_DIR=%q TMPDIR=%q: %v, want %v", tc.xdg, tc.tmp, got, tc.want)
		}
	}
}

func TestAppKey(t *testing.T) {
	a, err := AppKey("/srv/app")
	if err != nil {
		t.Fatal(err)
	}
	// The first 8 bytes of SHA-256("/srv/app"): the socket's name must not
	// change between versions, or a client would not find its server.
	if want := "dae668e4084f07b6"; a != want {
		t.Errorf("AppKey(/srv/app) = %s, want %s", a, want)
	}
	wd, _ := os.Getwd()
	rel, _ := AppKey(".")
	abs, _ := AppKey(wd)
	if rel != abs {
		t.Errorf("AppKey(.) = %s, AppKey(%s) = %s: a relative root must name the same app", rel, wd, abs)
	}
	if other, _ := AppKey("/srv/app2"); other == a {
		t.Error("two roots got the same key")
	}
}
