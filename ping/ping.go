// Package ping sends a cron job's start and finish to a monitoring URL in
// healthchecks.io's convention (URL/start, URL on success, URL/fail, URL/N
// with an exit status), off the scheduler: every job has its own queue,
// so its pings arrive in order, and a ping that hangs or fails delays and
// fails no run. Each ping gets Timeout and up to Tries tries.
package ping

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Timeout bounds one try of a ping; Tries is how many a ping gets; Pause
// is the wait between two tries.
const (
	Timeout = 10 * time.Second
	Tries   = 3
	Pause   = time.Second
)

// MaxBody is the most of a run's output a finish ping carries (the end of
// it): healthchecks.io keeps a body of up to 10 KB with the ping.
const MaxBody = 10_000

// queueLen bounds the pings waiting per job; more are dropped (logged).
const queueLen = 16

// Parse checks a ping URL: http or https, with a host.
func Parse(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("want an http:// or https:// URL, not %q", u.Scheme+":")
	}
	if u.Host == "" {
		return nil, errors.New("the URL has no host")
	}
	return u, nil
}

// With is base with "/"+suffix added to its path ("" leaves it as it is).
func With(base *url.URL, suffix string) string {
	if suffix == "" {
		return base.String()
	}
	u := *base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + suffix
	u.RawPath = ""
	return u.String()
}

// Redacted is what messages show of a URL: its scheme and host (the path
// of a ping URL is its secret).
func Redacted(u *url.URL) string { return u.Scheme + "://" + u.Host + "/…" }

type request struct {
	url  string
	what string // for messages: "/start of cron.ab12cd34 to https://host/…"
	body []byte
}

// Pinger sends the pings of every job. Its zero value is not usable; call
// New.
type Pinger struct {
	client *http.Client
	logf   func(format string, args ...any)
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	queues map[string]chan request
	wg     sync.WaitGroup
}

// New returns a Pinger; logf hears of pings that failed or were dropped.
func New(logf func(format string, args ...any)) *Pinger {
	ctx, cancel := context.WithCancel(context.Background())
	return &Pinger{client: &http.Client{Timeout: Timeout}, logf: logf, ctx: ctx, cancel: cancel, queues: map[string]chan request{}}
}

// Send queues a ping of job to base+"/"+suffix with body (POST) and
// returns at once.
func (p *Pinger) Send(job string, base *url.URL, suffix string, body []byte) {
	if len(body) > MaxBody {
		body = body[len(body)-MaxBody:]
	}
	what := "/" + suffix
	if suffix == "" {
		what = "success"
	}
	req := request{url: With(base, suffix), what: fmt.Sprintf("%s ping of cron.%s to %s", what, job, Redacted(base)), body: body}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	q := p.queues[job]
	if q == nil {
		q = make(chan request, queueLen)
		p.queues[job] = q
		p.wg.Add(1)
		go p.serve(q)
	}
	select {
	case q <- req:
	default:
		p.logf("%s dropped: %d pings of the job are still waiting", req.what, queueLen)
	}
}

func (p *Pinger) serve(q chan request) {
	defer p.wg.Done()
	for req := range q {
		p.send(req)
	}
}

// send tries req up to Tries times; any 2xx answer is success.
func (p *Pinger) send(req request) {
	var last error
	for try := 1; try <= Tries; try++ {
		if p.ctx.Err() != nil {
			last = errors.New("tend is stopping")
			break
		}
		if last = p.try(req); last == nil {
			return
		}
		if try < Tries {
			select {
			case <-p.ctx.Done():
			case <-time.After(Pause):
			}
		}
	}
	p.logf("%s failed after %d tries: %v", req.what, Tries, last)
}

func (p *Pinger) try(req request) error {
	hr, err := http.NewRequestWithContext(p.ctx, http.MethodPost, req.url, bytes.NewReader(req.body))
	if err != nil {
		return err
	}
	hr.Header.Set("Content-Type", "text/plain; charset=utf-8")
	hr.Header.Set("User-Agent", "tend")
	resp, err := p.client.Do(hr)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, whose path is the secret
		}
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP status %s", resp.Status)
	}
	return nil
}

// Close stops taking pings, gives those queued up to grace to be sent,
// then cancels the rest and returns once every sender has ended.
func (p *Pinger) Close(grace time.Duration) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	for _, q := range p.queues {
		close(q)
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		p.cancel()
		<-done
	}
	p.cancel()
}
