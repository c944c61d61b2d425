package cmdline

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
)

func testApp() *cli.App {
	timeout := &cli.StringFlag{Name: "timeout", Aliases: []string{"t"}}
	return &cli.App{
		Name:  "tend",
		Flags: []cli.Flag{&cli.StringFlag{Name: "procfile", Aliases: []string{"f"}}},
		Commands: []*cli.Command{
			{Name: "start", Flags: []cli.Flag{timeout, &cli.BoolFlag{Name: "release"}}},
			{Name: "run", Flags: []cli.Flag{timeout}},
			{Name: ExecCommand, Hidden: true},
			{Name: "cron", Subcommands: []*cli.Command{{Name: "run", Flags: []cli.Flag{&cli.BoolFlag{Name: "here"}}}}},
		},
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "start"},
		{"-f P", "start -f P"},
		{"--", "start"},
		{"-- ls -la", "exec -- ls -la"},
		{"ls -la", "exec -- ls -la"},
		{"exec ls", "exec -- exec ls"},
		{"-f P start web -t 10", "start -f P -t 10 web"},
		{"run -t 5 ls -la", "run -t 5 -- ls -la"},
		{"cron run abc --here", "cron run --here abc"},
		{"--help", "--help"},
	} {
		args := append([]string{"tend"}, strings.Fields(tc.in)...)
		got := strings.Join(Normalize(testApp(), args)[1:], " ")
		if got != tc.want {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUsageMessageUsesTheUsersSpelling(t *testing.T) {
	args := []string{"tend", "start", "--yolo", "-p", "x"}
	if got := usageMessage("flag provided but not defined: -yolo", args); got != "unknown option --yolo" {
		t.Errorf("got %q", got)
	}
	if got := usageMessage(`invalid value "x" for flag -p: parse error`, args); got != `invalid value "x" for option -p: parse error` {
		t.Errorf("got %q", got)
	}
}

func TestReport(t *testing.T) {
	var stderr bytes.Buffer
	for _, tc := range []struct {
		err  error
		code int
		want string
	}{
		{nil, 0, ""},
		{Exit(3), 3, ""},
		{&ExitError{Code: 2, Err: &UsageError{Msg: "missing COMMAND", Command: "tend run"}}, 2, "tend: missing COMMAND\nTry 'tend run --help' for more information.\n"},
		{AppError(&app.UsageError{Err: errors.New("bad -m")}), 2, "tend: bad -m\n"},
		{Ended(0, errors.New("no Procfile")), 1, "tend: no Procfile\n"},
		{fmt.Errorf(`could not parse "secret" as bool value from environment variable "TEND_WATCH" for flag watch: nope`), 2,
			"tend: TEND_WATCH (for --watch) is not a boolean: want 1, true, 0 or false\n"},
	} {
		stderr.Reset()
		if code := Report(tc.err, &stderr); code != tc.code || stderr.String() != tc.want {
			t.Errorf("%v: %d %q, want %d %q", tc.err, code, stderr.String(), tc.code, tc.want)
		}
	}
}

func TestOptionalValueStandsAlone(t *testing.T) {
	var got []string
	newApp := func() *cli.App {
		return &cli.App{
			Flags:  []cli.Flag{&cli.GenericFlag{Name: "restart", Value: &OptionalValue{}, EnvVars: []string{"TEND_RESTART"}}, &cli.StringFlag{Name: "m"}},
			Action: func(c *cli.Context) error { got = []string{Optional(c, "restart"), String(c, "m")}; return nil },
		}
	}
	for in, want := range map[string][]string{"--restart -m web=2": {"true", "web=2"}, "--restart=web": {"web", ""}, "": {"", ""}} {
		a := newApp()
		if err := a.Run(append([]string{"tend"}, strings.Fields(in)...)); err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	if vars := EnvVars(newApp()); !slices.Equal(vars, []string{"TEND_RESTART"}) {
		t.Errorf("env vars %q", vars)
	}
}
