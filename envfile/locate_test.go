package envfile

import "testing"

// TestParseErrorLines pins the line and message of godotenv's errors in
// the shapes where finding the line is not obvious.
func TestParseErrorLines(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"A=1\nB C-D=2\n", `x.env:2: unexpected character "-" in variable name`},
		{"A=1\nexport  K/EY=2\n", `x.env:2: unexpected character "/" in variable name`},
		{"A=\"multi\nline\" B-C=1\n", `x.env:2: unexpected character "-" in variable name`},
		{"A=\"multi\nline\" junk\nB=1\n", "x.env:2: unexpected text after a quoted value"},
		{"A='x'\n  junk  \nB=1\n", "x.env:2: invalid line (expected KEY=value)"},
		// A's value ends at B's first quote: then `b"` is read as a key.
		{"A=\"a\\\"\nB=\"b\"\nC='open\n", `x.env:2: unexpected character "\"" in variable name`},
		{"A=\"a\"\nB=\"b\"\nC='open\n", "x.env:3: unterminated quoted value"},
		{"A=\"open \\\" still\nB=1\n", "x.env:1: unterminated quoted value"},
		{"A=\"x\"\nB=\"x\n", "x.env:2: unterminated quoted value"},
		{"\n\n# c\n  =secret\n", "x.env:4: invalid line (expected KEY=value)"},
		{"export =secret\n", "x.env:1: invalid line (expected KEY=value)"},
		{"A=1\r\n\r\nB\xa9C=secret\r\n", `x.env:3: unexpected character "\xa9" in variable name`},
	} {
		_, err := parse([]byte(tc.in), "x.env")
		if err == nil || err.Error() != tc.want {
			t.Errorf("parse(%q)\n got %v\nwant %s", tc.in, err, tc.want)
		}
	}
}
