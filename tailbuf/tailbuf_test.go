package tailbuf

import (
	"strings"
	"testing"
)

func TestKeep(t *testing.T) {
	var l Last
	if len(l.Bytes()) != 0 || l.Cut() {
		t.Fatalf("zero value: %q, cut %v", l.Bytes(), l.Cut())
	}
	l.Keep([]byte("abc\n"), 8)
	l.Keep([]byte("defg"), 8)
	if got := string(l.Bytes()); got != "abc\ndefg" || l.Cut() {
		t.Errorf("exactly full: %q, cut %v", got, l.Cut())
	}
	l.Keep([]byte("h"), 8)
	if got := string(l.Bytes()); got != "bc\ndefgh" || !l.Cut() {
		t.Errorf("one over: %q, cut %v", got, l.Cut())
	}
	l.Keep([]byte(strings.Repeat("x", 20)+"12345678"), 8)
	if got := string(l.Bytes()); got != "12345678" {
		t.Errorf("a write longer than the bound: %q", got)
	}
	if cap(l.Bytes()) > 16 {
		t.Errorf("a long write grew the buffer to %d", cap(l.Bytes()))
	}
	var bounds Last // the bound may differ between calls (a smaller view)
	bounds.Keep([]byte("0123456789"), 10)
	bounds.Keep(nil, 4)
	if got := string(bounds.Bytes()); got != "6789" || !bounds.Cut() {
		t.Errorf("a smaller bound: %q, cut %v", got, bounds.Cut())
	}
	var none Last
	none.Keep([]byte("x"), 0)
	if len(none.Bytes()) != 0 || !none.Cut() {
		t.Errorf("bound 0: %q, cut %v", none.Bytes(), none.Cut())
	}
}

func TestAfterFirstLine(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"partial":       "partial",
		"tial\nwhole\n": "whole\n",
		"\nrest":        "rest",
	} {
		if got := string(AfterFirstLine([]byte(in))); got != want {
			t.Errorf("AfterFirstLine(%q) = %q, want %q", in, got, want)
		}
	}
}
