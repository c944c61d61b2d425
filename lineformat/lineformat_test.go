package lineformat

import (
	"encoding/json"
	"testing"
	"time"
)

var at = time.Date(2026, 11, 24, 9, 8, 7, 123456789, time.UTC)

func TestPrefix(t *testing.T) {
	for _, c := range []struct {
		name       string
		width      int
		color      string
		timestamps bool
		want       string
	}{
		{"web.1", 5, "", false, "web.1 | "},
		{"web.1", 8, "", false, "web.1    | "},
		{"web.1", 2, "", false, "web.1 | "}, // never cut
		{"web.1", 6, "36", false, "\x1b[36mweb.1  |\x1b[0m "},
		{"web.1", 5, "", true, "09:08:07 web.1 | "},
		{"tend", 6, "1", true, "\x1b[1m09:08:07 tend   |\x1b[0m "},
	} {
		var p Prefix
		p.Set(c.name, c.width, c.color, c.timestamps)
		got := string(p.Append([]byte("<"), at))
		if got != "<"+c.want {
			t.Errorf("Set(%q, %d, %q, %v): Append = %q, want %q", c.name, c.width, c.color, c.timestamps, got[1:], c.want)
		}
		if p.Len() != len(c.want) {
			t.Errorf("Set(%q, %d, %q, %v): Len = %d, want %d", c.name, c.width, c.color, c.timestamps, p.Len(), len(c.want))
		}
	}
}

func TestPrefixSetAgainAndClock(t *testing.T) {
	var p Prefix
	p.Set("web.1", 10, "36", true)
	p.Set("web.1", 5, "", true) // re-padded, colour off: nothing left over
	if got := string(p.Append(nil, at)); got != "09:08:07 web.1 | " {
		t.Errorf("after a second Set: %q", got)
	}
	if got := string(p.Append(nil, at.Add(500*time.Millisecond))); got != "09:08:07 web.1 | " {
		t.Errorf("same second: %q", got)
	}
	if got := string(p.Append(nil, at.Add(time.Second))); got != "09:08:08 web.1 | " {
		t.Errorf("next second: %q", got)
	}
	// The zero time's second is not the zero value's: it is formatted too.
	var q Prefix
	q.Set("a", 1, "", true)
	if got := string(q.Append(nil, time.Unix(0, 0).UTC())); got != "00:00:00 a | " {
		t.Errorf("Unix 0: %q", got)
	}
}

func TestAppendJSON(t *testing.T) {
	stamp := AppendTime(nil, at)
	got := string(AppendJSON([]byte("<"), stamp, "web.1", "stderr", []byte(`say "hi"`)))
	want := `<{"time":"2026-11-24T09:08:07.123456789Z","process":"web.1","stream":"stderr","line":"say \"hi\""}` + "\n"
	if got != want {
		t.Errorf("AppendJSON =\n%q, want\n%q", got, want)
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"\n\r\t", `"\n\r\t"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f\u007f"`},
		{"\x1b[31mred", `"\u001b[31mred"`},
		{"é ☃ 𝄞", `"é ☃ 𝄞"`},
		{"a\xffb", "\"a\ufffdb\""},
		{"\xe2\x98", "\"\ufffd\ufffd\""},           // a cut rune: each byte replaced
		{"\xed\xa0\x80", "\"\ufffd\ufffd\ufffd\""}, // a surrogate is invalid UTF-8
		{"<>&\u2028", "\"<>&\u2028\""},             // left as is, unlike encoding/json
	} {
		got := string(AppendJSONString([]byte("x"), []byte(c.in)))
		if got != "x"+c.want {
			t.Errorf("AppendJSONString(%q) = %q, want %q", c.in, got[1:], c.want)
		}
		var back string
		if err := json.Unmarshal([]byte(got[1:]), &back); err != nil {
			t.Errorf("AppendJSONString(%q) = %q: not JSON: %v", c.in, got[1:], err)
		}
	}
}

func TestAppendLinesJSON(t *testing.T) {
	data := []byte("web.1 | one\nweb.1 | \"two\"\n")
	got := string(AppendLinesJSON(nil, data, len("web.1 | "), at, "web.1", "stdout"))
	want := `{"time":"2026-11-24T09:08:07.123456789Z","process":"web.1","stream":"stdout","line":"one"}` + "\n" +
		`{"time":"2026-11-24T09:08:07.123456789Z","process":"web.1","stream":"stdout","line":"\"two\""}` + "\n"
	if got != want {
		t.Errorf("AppendLinesJSON =\n%q, want\n%q", got, want)
	}
	// A prefix longer than a line leaves its text empty.
	if got := string(AppendLinesJSON(nil, []byte("ab\n"), 10, at, "a", "stdout")); got != `{"time":"2026-11-24T09:08:07.123456789Z","process":"a","stream":"stdout","line":""}`+"\n" {
		t.Errorf("short line: %q", got)
	}
}

func TestAppendLinesWithoutColor(t *testing.T) {
	var p Prefix
	p.Set("web.1", 6, "36", true)
	line := p.Append(nil, at)
	data := append(append(append(line, "\x1b[1mbold\x1b[0m\n"...), line...), "last"...)
	got := string(AppendLinesWithoutColor(nil, data, p.Len()))
	want := "09:08:07 web.1  | \x1b[1mbold\x1b[0m\n09:08:07 web.1  | last"
	if got != want {
		t.Errorf("AppendLinesWithoutColor =\n%q, want\n%q", got, want)
	}
	// An unterminated sequence drops the rest of the prefix.
	if got := string(AppendLinesWithoutColor(nil, []byte("a\x1b[3b | x\n"), 6)); got != "a| x\n" {
		t.Errorf("unterminated SGR: %q", got)
	}
}

func TestAppendAllocates(t *testing.T) {
	var p Prefix
	p.Set("web.1", 8, "36", true)
	stamp := AppendTime(nil, at)
	b := make([]byte, 0, 4096)
	line := []byte("a line of output, \"quoted\", \xff")
	if n := testing.AllocsPerRun(100, func() {
		b = p.Append(b[:0], at)
		b = append(b, line...)
		b = AppendJSON(b, stamp, "web.1", "stdout", line)
	}); n != 0 {
		t.Errorf("Append and AppendJSON allocate %v times per line", n)
	}
}

func BenchmarkPrefixAppend(b *testing.B) {
	var p Prefix
	p.Set("web.1", 8, "36", true)
	buf := make([]byte, 0, 4096)
	for b.Loop() {
		buf = p.Append(buf[:0], at)
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	stamp := AppendTime(nil, at)
	line := []byte(`GET /assets/app.js 200 12.3ms "Mozilla/5.0"`)
	buf := make([]byte, 0, 4096)
	for b.Loop() {
		buf = AppendJSON(buf[:0], stamp, "web.1", "stdout", line)
	}
}
