package app

import (
	"slices"
	"testing"

	"github.com/tend-run/tend/procfile"
)

func TestCommandLine(t *testing.T) {
	a := &App{Processes: []procfile.Entry{{Name: "web", Command: "bin/web --port $PORT"}, {Name: "worker", Command: "exec bin/worker -q"}}}
	sh := func(script string) []string { return []string{"/bin/sh", "sh", "-c", script} }
	for _, tc := range []struct {
		args []string
		want []string // path, then argv
	}{
		{[]string{"web", "--debug"}, sh("bin/web --port $PORT --debug")},
		{[]string{"worker"}, []string{"bin/worker", "bin/worker", "-q"}}, // plain: as tend start runs it
		{[]string{"echo hi; env"}, sh("echo hi; env")},
		{[]string{"ls -l /tmp"}, []string{"ls", "ls", "-l", "/tmp"}},
		{[]string{"cd"}, sh("cd")},     // a builtin: only a shell can run it
		{[]string{"foo!"}, sh("foo!")}, // ! is not a plain character
		{[]string{"ls"}, []string{"ls", "ls"}},
		{[]string{"ls", "-l", "a b"}, []string{"ls", "ls", "-l", "a b"}},
		{[]string{"make", "&&", "make", "install"}, sh("make && make install")},
		{[]string{"echo", "a>b"}, []string{"echo", "echo", "a>b"}}, // glued: not an operator
		{[]string{"a", ">>", "log"}, sh("a >> log")},
	} {
		path, argv := a.CommandLine(tc.args)
		if got := append([]string{path}, argv...); !slices.Equal(got, tc.want) {
			t.Errorf("%q: %q, want %q", tc.args, got, tc.want)
		}
	}
}
