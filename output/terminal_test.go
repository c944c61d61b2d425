package output

import (
	"io"
	"os"
	"testing"
)

// A terminal ends its lines with CR LF; the Mux gets LF, also when the CR
// and the LF come in different reads, and a lone CR (a progress bar's) is
// kept.
func TestTerminalReaderTurnsCRLFIntoLF(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	tr := &terminalReader{f: r, raw: func(p []byte) { raw = append(raw, p...) }}
	var got []byte
	buf := make([]byte, 64)
	for _, chunk := range []string{"one\r\ntwo\r", "\nthree\r50%\r", "100%\r\n", "\r"} {
		if _, err := w.WriteString(chunk); err != nil {
			t.Fatal(err)
		}
		n, err := tr.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	w.Close()
	for {
		n, err := tr.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if want := "one\ntwo\nthree\r50%\r100%\n\r"; string(got) != want {
		t.Errorf("read %q, want %q", got, want)
	}
	if want := "one\r\ntwo\r\nthree\r50%\r100%\r\n\r"; string(raw) != want {
		t.Errorf("raw view %q, want %q", raw, want)
	}
}
