package proc

import (
	"slices"
	"testing"
)

func TestShellCommand(t *testing.T) {
	for _, tc := range []struct {
		command string
		direct  []string // nil: through the shell
	}{
		{"bundle exec puma -C config/puma.rb", []string{"bundle", "exec", "puma", "-C", "config/puma.rb"}},
		{"exec bin/worker --queue=mail", []string{"bin/worker", "--queue=mail"}},
		{"./web -p 5000", []string{"./web", "-p", "5000"}},
		{"puma -p $PORT", nil},
		{"RAILS_ENV=production rails s", nil},
		{`echo "a #b"`, nil},
		{"cd app && rails s", nil},
		{"exit 3", nil},
		{"trap '' TERM; sleep 1", nil},
		{"sleep 1 # comment", nil},
		{"ls *.txt", nil},
		{"cmd > log", nil},
		{"exec", nil},
		{"wait", nil},
	} {
		path, args := ShellCommand(tc.command)
		if tc.direct == nil {
			if path != "/bin/sh" || !slices.Equal(args, []string{"sh", "-c", tc.command}) {
				t.Errorf("%q: %s %q, want the shell", tc.command, path, args)
			}
			continue
		}
		if path != tc.direct[0] || !slices.Equal(args, tc.direct) {
			t.Errorf("%q: %s %q, want %q", tc.command, path, args, tc.direct)
		}
	}
}
