package dblock

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// mask replaces a password wherever it is shown.
const mask = "xxxxx"

// parsedURL is a lock URL taken apart.
type parsedURL struct {
	scheme   string
	user     string
	password string
	host     string // host, or host:port
	db       string
	rawQuery string
	redacted string
}

// parseURL checks a lock URL's form. Its errors never contain the password:
// url.Parse's own do (they quote the whole URL), so they are not passed on.
func parseURL(rawurl string) (parsedURL, error) {
	scheme, _, found := strings.Cut(rawurl, "://")
	if !found {
		return parsedURL{}, errors.New("lock URL: want postgres://, postgresql:// or mysql://USER:PASSWORD@HOST:PORT/DB")
	}
	scheme = strings.ToLower(scheme)
	switch scheme {
	case "postgres", "postgresql", "mysql":
	default:
		return parsedURL{}, fmt.Errorf("lock URL: scheme %q: want postgres://, postgresql:// or mysql://", scheme)
	}
	u, err := url.Parse(rawurl)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		// The inner error can still quote a piece (an invalid port, an
		// escape): mask the password's likely text in it too.
		msg := err.Error()
		if pw := roughPassword(rawurl); pw != "" {
			msg = strings.ReplaceAll(msg, pw, mask)
		}
		return parsedURL{}, fmt.Errorf("lock URL %s://%s…: %s", scheme, mask, msg)
	}
	p := parsedURL{
		scheme:   scheme,
		host:     u.Host,
		db:       strings.TrimPrefix(u.Path, "/"),
		rawQuery: u.RawQuery,
		redacted: u.Redacted(),
	}
	if u.User != nil {
		p.user = u.User.Username()
		p.password, _ = u.User.Password()
	}
	// Query parameters can carry a password too (PostgreSQL's password=).
	if q := u.Query(); q.Has("password") {
		if p.password == "" {
			p.password = q.Get("password")
		}
		q.Set("password", mask)
		r := *u
		r.RawQuery = q.Encode()
		p.redacted = r.Redacted()
	}
	return p, nil
}

// roughPassword is what stands between the first ':' and the last '@' of
// the authority, for masking errors of URLs that do not parse.
func roughPassword(rawurl string) string {
	_, rest, _ := strings.Cut(rawurl, "://")
	if i := strings.IndexAny(rest, "/?#"); i >= 0 && !strings.Contains(rest[i:], "@") {
		rest = rest[:i]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return ""
	}
	_, pw, ok := strings.Cut(rest[:at], ":")
	if !ok {
		return ""
	}
	return pw
}

// scrub masks the password in err's message. The result unwraps to the
// sentinels and *HeldError only, never to the driver's own error, whose
// message may still hold the password.
//
// The message is also made one line: pgx puts each connection attempt on
// a line of its own (two identical ones with sslmode=prefer, the default),
// and a log line or a health check's reason must stay one line.
func (l *Locker) scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := oneLine(err.Error())
	if l.secret == "" && msg == err.Error() {
		return err
	}
	for _, s := range []string{l.secret, url.QueryEscape(l.secret), url.PathEscape(l.secret)} {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, mask)
		}
	}
	e := &scrubbed{msg: msg}
	var held *HeldError
	if errors.As(err, &held) {
		e.errs = append(e.errs, held)
	}
	for _, s := range []error{ErrLocked, ErrUnavailable, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, s) {
			e.errs = append(e.errs, s)
		}
	}
	return e
}

// oneLine joins the lines of msg, dropping repeated ones: after a line
// ending in ':' with a space, else with "; ".
func oneLine(msg string) string {
	if !strings.Contains(msg, "\n") {
		return msg
	}
	var b strings.Builder
	seen := map[string]bool{}
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || seen[line] {
			continue
		}
		seen[line] = true
		if b.Len() > 0 {
			if strings.HasSuffix(b.String(), ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(line)
	}
	return b.String()
}

type scrubbed struct {
	msg  string
	errs []error
}

func (e *scrubbed) Error() string   { return e.msg }
func (e *scrubbed) Unwrap() []error { return e.errs }

// wrap is scrub plus the URL the error is about. A *HeldError is passed as
// it is: its message is about the holder.
func (l *Locker) wrap(err error) error {
	if err == nil {
		return nil
	}
	var held *HeldError
	if errors.As(err, &held) {
		return l.scrub(err)
	}
	if errors.Is(err, ErrUnavailable) {
		return l.scrub(fmt.Errorf("lock database %s unavailable: %w", l.redacted, err))
	}
	return l.scrub(fmt.Errorf("lock database %s: %w", l.redacted, err))
}
