package startup

import (
	"errors"
	"os"
	"slices"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
)

// OutputSettings are the output flags of `tend start`.
type OutputSettings struct {
	Format                 string // --log-format: text or json
	Timestamp, NoTimestamp bool
	NoPrefix               bool
	// KeepTail keeps recent output per name (the hook's TEND_OUTPUT_TAIL,
	// the status page).
	KeepTail bool
	// LogBuffer is --log-buffer: the bytes of recent output kept per name
	// for `tend logs` (0: none).
	LogBuffer int
}

// NewOutput builds the multiplexer on tend's stdout and stderr: timestamps
// and colour by default only on a terminal (colour also not with NO_COLOR
// or TERM=dumb), unless the flags say otherwise.
func NewOutput(s OutputSettings) (*output.Mux, error) {
	if !slices.Contains([]string{"text", "json"}, s.Format) {
		return nil, &app.UsageError{Err: errors.New("invalid --log-format: want text or json")}
	}
	stdoutTTY := proc.IsTerminal(os.Stdout)
	timestamps := (stdoutTTY || s.Timestamp) && !s.NoTimestamp
	color := stdoutTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	return output.NewMux(output.OutputOptions{
		Stdout: os.Stdout, Stderr: os.Stderr, Timestamps: timestamps,
		Prefix: !s.NoPrefix, Color: color, JSON: s.Format == "json", KeepTail: s.KeepTail,
		LogBuffer: s.LogBuffer,
	}), nil
}
