package health

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tend-run/tend/proc"
)

// Target is the instance a check looks at.
type Target struct {
	// Port is the instance's PORT, checked when the check names none.
	Port int
	// Env and Dir are the environment and directory of a command check:
	// the instance's own.
	Env []string
	Dir string
	// Started is when the instance started; Exited is closed when it
	// exits (an uptime check then fails at once).
	Started time.Time
	Exited  <-chan struct{}
	// Reaper starts command checks, so that their statuses are not taken
	// by tend's reaper (as PID 1 it waits for every child).
	Reaper *proc.Reaper
}

// maxBody is how much of an HTTP answer is read to look for Content.
const maxBody = 1 << 20

// Probe makes one attempt of c against t, bounded by c.Timeout (an uptime
// check waits until the instance has run long enough). nil means healthy.
func Probe(ctx context.Context, c Check, t Target) error {
	if c.Kind == Uptime {
		return probeUptime(ctx, c, t)
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	port := c.Port
	if port == 0 {
		port = t.Port
	}
	var err error
	switch c.Kind {
	case HTTP:
		err = probeHTTP(ctx, c, port)
	case Listening:
		err = probeListening(port)
	case Command:
		err = probeCommand(ctx, c, t)
	}
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("no answer within %s", seconds(c.Timeout))
	}
	return err
}

func probeUptime(ctx context.Context, c Check, t Target) error {
	timer := time.NewTimer(time.Until(t.Started.Add(c.Uptime)))
	defer timer.Stop()
	select {
	case <-t.Exited:
		return fmt.Errorf("exited after %s, before %s of uptime", time.Since(t.Started).Round(time.Millisecond), seconds(c.Uptime))
	case <-timer.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-t.Exited:
		return errors.New("exited")
	default:
		return nil
	}
}

// httpClient never uses a proxy (the instance is on this host) and does not
// verify certificates: the check talks to the instance on 127.0.0.1, which
// no certificate for the app's public name matches.
var httpClient = &http.Client{Transport: &http.Transport{
	Proxy:             nil,
	TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // see above
	DisableKeepAlives: true,
}}

func probeHTTP(ctx context.Context, c Check, port int) error {
	scheme := c.Scheme
	if scheme == "" {
		scheme = "http"
	}
	url := scheme + "://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) + c.Path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "*/*")
	req.Header.Set("User-Agent", "tend-healthcheck")
	for _, h := range c.Headers {
		if strings.EqualFold(h.Name, "Host") {
			req.Host = h.Value
			continue
		}
		req.Header.Set(h.Name, h.Value)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("nothing listens on port %d", port)
		}
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 400 {
		return fmt.Errorf("answered %s", resp.Status)
	}
	if c.Content != "" && !bytes.Contains(body, []byte(c.Content)) {
		return fmt.Errorf("answer does not contain %q", c.Content)
	}
	return nil
}

// maxOutput is how much of a command check's output is kept for its error.
const maxOutput = 4 << 10

func probeCommand(ctx context.Context, c Check, t Target) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	child, err := t.Reaper.Start(proc.Command{Path: c.Command[0], Args: c.Command, Env: t.Env, Dir: t.Dir,
		Stdout: w, Stderr: w, NewGroup: true})
	w.Close()
	if err != nil {
		return err
	}
	out := make(chan []byte, 1)
	go func() { out <- readTail(r) }()
	select {
	case <-child.Done():
	case <-ctx.Done():
		_ = child.Signal(syscall.SIGKILL, true)
		<-child.Done()
	}
	status := child.Wait()
	_ = child.Signal(syscall.SIGKILL, true) // what it left behind goes with it
	_ = r.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	tail := lastLine(<-out)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if status.ExitCode() == 0 {
		return nil
	}
	if tail != "" {
		return fmt.Errorf("%s: %s", status, tail)
	}
	return errors.New(status.String())
}

// readTail reads r to its end, keeping the last maxOutput bytes.
func readTail(r io.Reader) []byte {
	var kept []byte
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		kept = append(kept, buf[:n]...)
		if len(kept) > maxOutput {
			kept = kept[len(kept)-maxOutput:]
		}
		if err != nil {
			return kept
		}
	}
}

func lastLine(b []byte) string {
	s := strings.TrimSpace(string(bytes.ToValidUTF8(b, []byte("?"))))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
