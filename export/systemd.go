package export

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/export/oncalendar"
)

// Systemd writes per type a template unit APP-TYPE@.service whose
// instances are named by their PORT (as foreman does), APP.target wanting
// every instance of the formation and every timer, and per cron entry
// APP-cron-ID.service and APP-cron-ID.timer. Restart=always does what a
// crontab line running `systemctl is-active || systemctl start` did.
func Systemd(a App) (Result, error) {
	var r Result
	var wants []string
	for _, t := range a.Types {
		name := a.Name + "-" + t.Name + "@.service"
		r.Files = append(r.Files, File{Name: name, Data: a.processUnit(t, r.checksLeftOut("systemd", "#", t))})
		for _, p := range t.Ports {
			wants = append(wants, fmt.Sprintf("%s-%s@%d.service", a.Name, t.Name, p))
		}
	}
	lockNote := r.lockURLLeftOut(a, "#", fmt.Sprintf("give the cron services TEND_LOCK_URL, e.g. in a drop-in (systemctl edit %s-cron-ID.service) with EnvironmentFile= naming a file only root can read", a.Name))
	var disabled []string
	for _, j := range a.Cron {
		service, timer, err := a.cronUnits(j, &r, lockNote)
		if err != nil {
			return Result{}, err
		}
		base := a.Name + "-cron-" + j.ID
		r.Files = append(r.Files, File{Name: base + ".service", Data: service}, File{Name: base + ".timer", Data: timer})
		if j.Maintenance {
			disabled = append(disabled, base+".timer")
		} else {
			wants = append(wants, base+".timer")
		}
	}
	var b bytes.Buffer
	a.header(&b)
	for _, t := range a.Types {
		if len(t.Ports) == 0 {
			fmt.Fprintf(&b, "# %s: 0 in the formation, not started (systemctl start %s-%s@PORT.service)\n", t.Name, a.Name, t.Name)
		}
	}
	for _, d := range disabled {
		fmt.Fprintf(&b, "# %s: in maintenance, not started (systemctl start %s)\n", d, d)
	}
	fmt.Fprintf(&b, "[Unit]\nDescription=%s, run by tend\n", a.Name)
	for _, w := range wants {
		fmt.Fprintf(&b, "Wants=%s\n", w)
	}
	fmt.Fprintf(&b, "\n[Install]\nWantedBy=multi-user.target\n")
	r.Files = append(r.Files, File{Name: a.Name + ".target", Data: b.Bytes()})
	return r, nil
}

func (a App) header(b *bytes.Buffer) {
	fmt.Fprintf(b, "# Written by tend export from the app in %s; edit the app and export again.\n", a.Root)
}

func (a App) processUnit(t Type, note string) []byte {
	var b bytes.Buffer
	a.header(&b)
	fmt.Fprintf(&b, "# %s: %s\n%s", t.Name, oneLine(t.Command), note)
	fmt.Fprintf(&b, "[Unit]\nDescription=%s %s on port %%i\nPartOf=%s.target\nAfter=network.target\n\n", a.Name, t.Name, a.Name)
	fmt.Fprintf(&b, "[Service]\n")
	a.serviceCommon(&b)
	// DYNO names the instance as tend start would, with the port for the
	// number; tend run then applies the type's settings.
	fmt.Fprintf(&b, "Environment=PORT=%%i DYNO=%s.%%i PS=%s.%%i\n", t.Name, t.Name)
	args := []string{"-t", strconv.FormatInt(seconds(a.Timeout), 10)}
	if t.StopSignal != 0 {
		args = append(args, "--stop-signal", t.Name+"="+strings.TrimPrefix(signalName(t.StopSignal), "SIG"))
	}
	fmt.Fprintf(&b, "ExecStart=%s\n", execLine(a.tendArgs(append(args, "run", t.Name)...)))
	fmt.Fprintf(&b, "Restart=always\nRestartSec=1\nKillMode=mixed\nKillSignal=%s\nTimeoutStopSec=%d\n", signalName(t.StopSignal), seconds(a.Timeout))
	return b.Bytes()
}

func (a App) serviceCommon(b *bytes.Buffer) {
	if a.User != "" {
		fmt.Fprintf(b, "User=%s\n", a.User)
	}
	fmt.Fprintf(b, "WorkingDirectory=%s\n", unitPath(a.Root))
}

// cronUnits is cron entry j's service and timer units.
func (a App) cronUnits(j CronJob, r *Result, note string) (service, timer []byte, err error) {
	service = a.cronService(j, r, note)
	timer, err = a.cronTimer(j, r)
	if err != nil {
		return nil, nil, err
	}
	return service, timer, nil
}

// cronService is the unit that runs cron entry j once (`tend cron run`).
func (a App) cronService(j CronJob, r *Result, note string) []byte {
	var s bytes.Buffer
	a.header(&s)
	fmt.Fprintf(&s, "# cron %s: %q: %s\n%s", j.ID, j.Schedule.Spec, oneLine(j.Command), note)
	switch j.Policy {
	case appjson.PolicyAllow:
		fmt.Fprintf(&s, "# concurrency_policy allow: systemd never starts a unit that still runs, so a run due meanwhile is skipped, as with forbid\n")
		r.warn("cron %s: concurrency_policy allow: a systemd timer skips a run while the last one still runs (forbid)", j.ID)
	case appjson.PolicyReplace:
		fmt.Fprintf(&s, "# concurrency_policy replace: systemd never starts a unit that still runs, so a run due meanwhile is skipped rather than replacing it\n")
		r.warn("cron %s: concurrency_policy replace: a systemd timer skips a run while the last one still runs (forbid)", j.ID)
	}
	fmt.Fprintf(&s, "[Unit]\nDescription=%s cron %s: %s\nPartOf=%s.target\n\n[Service]\nType=exec\n", a.Name, j.ID, unitText(oneLine(j.Command)), a.Name)
	a.serviceCommon(&s)
	args := []string{"-t", strconv.FormatInt(seconds(a.Timeout), 10)}
	if j.Timeout != 0 {
		args = append(args, "--cron-timeout", j.ID+"="+j.Timeout.String())
	}
	if j.StopSignal != 0 {
		args = append(args, "--stop-signal", "cron="+strings.TrimPrefix(signalName(j.StopSignal), "SIG"))
	}
	fmt.Fprintf(&s, "ExecStart=%s\n", execLine(a.tendArgs(append(args, "cron", "run", j.ID)...)))
	fmt.Fprintf(&s, "KillMode=mixed\nKillSignal=%s\nTimeoutStopSec=%d\n", signalName(j.StopSignal), seconds(a.Timeout))
	return s.Bytes()
}

// cronTimer is the timer unit that starts cron entry j's service on its
// schedule.
func (a App) cronTimer(j CronJob, r *Result) ([]byte, error) {
	var t bytes.Buffer
	a.header(&t)
	fmt.Fprintf(&t, "# cron %s: %q", j.ID, j.Schedule.Spec)
	if j.Line > 0 && a.Source != "" {
		fmt.Fprintf(&t, " (%s:%d)", a.Source, j.Line)
	}
	fmt.Fprintf(&t, "\n")
	if j.Maintenance {
		fmt.Fprintf(&t, "# In maintenance: %s.target does not start this timer.\n", a.Name)
	}
	if j.Schedule.AtStart() {
		a.atStartTimer(&t, j)
		return t.Bytes(), nil
	}
	cal, err := oncalendar.Convert(j.Schedule)
	if err != nil {
		return nil, fmt.Errorf("cron %s: %w", j.ID, err)
	}
	for _, n := range cal.Notes {
		fmt.Fprintf(&t, "# Note: %s.\n", n)
		r.warn("cron %s: %s", j.ID, n)
	}
	if len(cal.OnCalendar) == 2 {
		fmt.Fprintf(&t, "# Day of month and day of week are both restricted: cron runs on either, hence two OnCalendar= lines.\n")
	}
	if j.Schedule.Next(timeNow()).IsZero() && cal.Every == 0 {
		fmt.Fprintf(&t, "# This schedule never fires.\n")
		r.warn("cron %s: %q never fires", j.ID, j.Schedule.Spec)
	}
	fmt.Fprintf(&t, "[Unit]\nDescription=%s cron %s (%s)\nPartOf=%s.target\n\n[Timer]\n", a.Name, j.ID, unitText(j.Schedule.Spec), a.Name)
	if cal.Every > 0 {
		fmt.Fprintf(&t, "OnActiveSec=%s\nOnUnitActiveSec=%s\n", cal.Every, cal.Every)
	}
	for _, c := range cal.OnCalendar {
		fmt.Fprintf(&t, "OnCalendar=%s\n", c)
	}
	if a.CatchUp > 0 && len(cal.OnCalendar) > 0 {
		a.persistent(&t, j, r)
	}
	fmt.Fprintf(&t, "AccuracySec=1s\n")
	return t.Bytes(), nil
}

// persistent is --cron-catch-up in a calendar timer: systemd catches up
// on any missed time, not only within a window, which it says.
func (a App) persistent(t *bytes.Buffer, j CronJob, r *Result) {
	fmt.Fprintf(t, "# --cron-catch-up %v: systemd runs a missed time once when the timer starts again, however long ago it was.\n", a.CatchUp)
	fmt.Fprintf(t, "Persistent=true\n")
	r.warn("cron %s: --cron-catch-up %v: systemd's Persistent= runs a missed time however long ago it was", j.ID, a.CatchUp)
}

// atStartTimer is the [Timer] of an "@reboot" job: it fires once, as the
// app's target starts it, as tend start runs @reboot once.
func (a App) atStartTimer(t *bytes.Buffer, j CronJob) {
	fmt.Fprintf(t, "# @reboot: once when %s.target starts.\n", a.Name)
	fmt.Fprintf(t, "[Unit]\nDescription=%s cron %s (%s)\nPartOf=%s.target\n\n[Timer]\nOnActiveSec=0\nAccuracySec=1s\n", a.Name, j.ID, unitText(j.Schedule.Spec), a.Name)
}

// execLine quotes argv for ExecStart=: words with more than safe
// characters go in double quotes; '%' (specifiers) and '$' (variables)
// are doubled everywhere.
func execLine(argv []string) string {
	var words []string
	for _, w := range argv {
		w = strings.ReplaceAll(strings.ReplaceAll(w, "%", "%%"), "$", "$$")
		if w == "" || strings.ContainsAny(w, " \t\"'\\;") {
			w = `"` + strings.ReplaceAll(strings.ReplaceAll(w, `\`, `\\`), `"`, `\"`) + `"`
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// unitPath is a path in a unit file, '%' doubled.
func unitPath(p string) string { return strings.ReplaceAll(p, "%", "%%") }

// unitText is free text in a unit file: '%' doubled, one line.
func unitText(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "%", "%%")
}
