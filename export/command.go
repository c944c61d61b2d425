package export

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tend-run/tend/app"
)

// Command is what `tend export FORMAT` was asked, its flags read once.
type Command struct {
	Format   string // one of Formats
	Options  app.Options
	Settings app.Settings
	// Name, User and Image are --app, --user and --image.
	Name, User, Image string
	Timeout           string // -t as given
	// Dir is -o ("" or "-": stdout, for one-file formats); Force
	// overwrites files there.
	Dir   string
	Force bool
}

// Run loads the app, exports it and writes the files into c.Dir, or
// returns the one file for stdout; warnings and the files written are told
// on stderr. An error of a flag value is an app.UsageError.
func (c Command) Run(stderr io.Writer) (stdout []byte, err error) {
	a, err := app.Load(c.Options)
	if err != nil {
		return nil, err
	}
	in, err := c.input(a)
	if err != nil {
		return nil, err
	}
	toStdout := c.Dir == "" || c.Dir == "-"
	if c.Format != "crontab" || !toStdout {
		// A crontab on stdout names nothing, as `tend cron export` always did.
		if err := ValidName(in.Name); err != nil {
			return nil, &app.UsageError{Err: err}
		}
	}
	res, err := Export(c.Format, in)
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "tend: warning: %s\n", w)
	}
	if toStdout {
		if len(res.Files) != 1 {
			return nil, &app.UsageError{Err: fmt.Errorf("%s writes %d files: give -o DIR", c.Format, len(res.Files))}
		}
		return res.Files[0].Data, nil
	}
	if err := Write(c.Dir, res.Files, c.Force); err != nil {
		return nil, err
	}
	for _, f := range res.Files {
		fmt.Fprintf(stderr, "tend: wrote %s\n", filepath.Join(c.Dir, f.Name))
	}
	return nil, nil
}

// input is the app as the exporters see it (-t judged first: its error
// comes before app's rules).
func (c Command) input(a *app.App) (App, error) {
	grace, err := app.ParseDuration(c.Timeout, true)
	if err != nil {
		return App{}, &app.UsageError{Err: fmt.Errorf("invalid --timeout: %w", err)}
	}
	self, err := os.Executable()
	if err != nil {
		self = "tend"
	}
	base := App{Name: c.Name, Tend: self, User: c.User, Image: c.Image, Timeout: grace, PATH: os.Getenv("PATH")}
	return FromApp(base, a, c.Options, c.Settings, c.Format)
}
