// Package linebatch turns one producer's bytes into whole formatted lines
// and hands them on in batches: a prefix ("name | ", with a timestamp and
// a colour) or a JSON object per line (lineformat), a "\r\n" ending made
// "\n", a line longer than MaxLine passed on in MaxLine pieces, and, with
// no prefix, a read's complete lines written straight from the read
// buffer (the raw path). What it writes to, and under which lock, is its
// Sink's business.
package linebatch
