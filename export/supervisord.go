package export

import (
	"bytes"
	"fmt"
	"strings"
)

// Supervisord writes one config file: per type a [program:APP-TYPE] with
// numprocs and process_name %(program_name)s.%(process_num)d, where
// process_num counts from the type's first port, so PORT=%(process_num)d
// gives each process the port tend start would,
// stopsignal, stopwaitsecs from -t, stopasgroup, killasgroup and
// autorestart, and a [group:APP]. Cron entries are not supervisord's job:
// they are comments pointing at the crontab and systemd exports.
//
// Include the file from supervisord.conf ([include] files = ...).
func Supervisord(a App) (Result, error) {
	var r Result
	var b bytes.Buffer
	a.header(&b)
	var programs []string
	for _, t := range a.Types {
		name := a.Name + "-" + t.Name
		if len(t.Ports) == 0 {
			fmt.Fprintf(&b, "\n; %s: 0 in the formation: no program (tend export -m %s=1 adds it)\n", t.Name, t.Name)
			continue
		}
		programs = append(programs, name)
		b.WriteString(r.checksLeftOut("supervisord", "\n;", t))
		first := t.Ports[0]
		for i, p := range t.Ports {
			if p != first+i {
				return Result{}, fmt.Errorf("%s: ports %v are not consecutive, which supervisord's process_num cannot express", t.Name, t.Ports)
			}
		}
		args := []string{"-t", fmt.Sprint(seconds(a.Timeout))}
		if t.StopSignal != 0 {
			args = append(args, "--stop-signal", t.Name+"="+strings.TrimPrefix(signalName(t.StopSignal), "SIG"))
		}
		fmt.Fprintf(&b, "\n; %s: %s\n[program:%s]\n", t.Name, oneLine(t.Command), name)
		fmt.Fprintf(&b, "command=%s\n", supervisorText(shellLine(a.tendArgs(append(args, "run", t.Name)...))))
		// Processes are numbered by their ports, as the systemd units are:
		// process_num is PORT.
		fmt.Fprintf(&b, "process_name=%%(program_name)s.%%(process_num)d\nnumprocs=%d\nnumprocs_start=%d\n", len(t.Ports), first)
		fmt.Fprintf(&b, "directory=%s\n", supervisorText(a.Root))
		if a.User != "" {
			fmt.Fprintf(&b, "user=%s\n", a.User)
		}
		fmt.Fprintf(&b, "environment=PORT=\"%%(process_num)d\",DYNO=\"%s.%%(process_num)d\",PS=\"%s.%%(process_num)d\"\n", t.Name, t.Name)
		fmt.Fprintf(&b, "autostart=true\nautorestart=true\nstartsecs=1\nstopsignal=%s\nstopwaitsecs=%d\nstopasgroup=true\nkillasgroup=true\n",
			strings.TrimPrefix(signalName(t.StopSignal), "SIG"), seconds(a.Timeout))
	}
	if len(programs) > 0 {
		fmt.Fprintf(&b, "\n[group:%s]\nprograms=%s\n", a.Name, strings.Join(programs, ","))
	}
	for _, j := range a.Cron {
		fmt.Fprintf(&b, "\n; cron %s (%s): %s: supervisord runs no schedules; use tend export crontab or systemd\n", j.ID, j.Schedule.Spec, oneLine(j.Command))
	}
	if len(a.Cron) > 0 {
		r.warn("%d cron entries left out: supervisord runs no schedules; use tend export crontab or systemd for them", len(a.Cron))
	}
	r.Files = []File{{Name: a.Name + ".conf", Data: b.Bytes()}}
	return r, nil
}

// supervisorText escapes '%' for supervisord's string expansion.
func supervisorText(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// shellLine quotes argv for supervisord's command=, which splits words
// as a POSIX shell would (shlex) but runs no shell.
func shellLine(argv []string) string {
	words := make([]string, len(argv))
	for i, w := range argv {
		words[i] = ShellQuote(w)
	}
	return strings.Join(words, " ")
}
