package history

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/tend-run/tend/regfile"
)

// maxLine is the longest line load parses: a run is a couple of hundred
// bytes, and Add writes none longer. Longer lines are skipped without
// being held in memory (a 300 MB file with no newline once took 614 MB).
const maxLine = 64 << 10

// maxRead is how much of the file load reads: its last 16 MiB, which hold
// the newest runs. Compaction keeps the file at about 200 lines of some
// 200 bytes per job, 40 KiB, so this is hundreds of jobs' worth; a larger
// file (a crash before compaction, or not tend's) is rewritten by the
// next Add.
const maxRead = 16 << 20

// openFile opens the history file for reading and appending, creating it
// with mode 0644 (whatever the umask) if it does not exist. Only a regular
// file (or a symlink to one) is opened: a named pipe or a device there is
// an error wrapping regfile.ErrNotRegular, never a read that blocks.
func openFile(path string) (*os.File, error) {
	f, err := regfile.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o644)
	if err == nil {
		if err := f.Chmod(0o644); err != nil {
			f.Close()
			return nil, err
		}
		return f, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	return regfile.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
}

// loadFile reads the records of f, at most its last maxRead bytes, into s,
// which the caller owns. Where that cuts a line, its end is skipped; the
// next Add compacts the file.
func (s *Store) loadFile(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	var r io.Reader = f
	cut := false
	if skip := fi.Size() - maxRead; skip > 0 {
		r = io.NewSectionReader(f, skip, maxRead)
		s.compactSoon = true
		var before [1]byte
		if _, err := f.ReadAt(before[:], skip-1); err != nil {
			return err
		}
		cut = before[0] != '\n'
	}
	return s.load(r, cut)
}

// load reads the records of r into s, which the caller owns. Lines that are
// empty, longer than maxLine, not a JSON object of a Run, or not a valid
// run are skipped; so is the first line when cut is set (r starts inside
// it).
func (s *Store) load(r io.Reader, cut bool) error {
	br := bufio.NewReaderSize(r, maxLine)
	skip := cut
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			s.needNL = line[len(line)-1] != '\n'
			if err == bufio.ErrBufferFull {
				skip = true // the rest of an over-long line follows
				continue
			}
			s.lines++
			var run Run
			// Keep only what Add would accept, so that every kept run can
			// be written back by a compaction.
			s.size += int64(len(line))
			if !skip && json.Unmarshal(line, &run) == nil && encodable(run) {
				s.keep(run, len(line))
			}
			skip = false
		}
		if err == io.EOF {
			return nil
		}
		if err != nil && err != bufio.ErrBufferFull {
			return err
		}
	}
}

// encodable reports whether r is a valid run that encode accepts.
func encodable(r Run) bool {
	_, err := encode(r)
	return err == nil
}

// append writes line (ending in '\n') at the end of the file and fsyncs it,
// first ending a torn last line if there may be one.
// The caller holds s.mu.
func (s *Store) append(line []byte) error {
	if s.f == nil {
		// An earlier write failed and closed the file.
		f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		s.f = f
	}
	if s.needNL {
		line = append([]byte{'\n'}, line...)
	}
	s.lines++
	s.size += int64(len(line))
	_, err := s.f.Write(line)
	if err == nil {
		err = s.f.Sync()
	}
	if err != nil {
		// Part of the line may be in the file: end it before the next
		// record (an empty line is skipped on load), and reopen the file
		// then, in case this descriptor is what failed.
		s.needNL = true
		s.f.Close()
		s.f = nil
		return err
	}
	s.needNL = false
	return nil
}

// compactAt is the line count past which the file is compacted: four times
// what it holds after compaction, and at least s.minCompact.
// The caller holds s.mu.
func (s *Store) compactAt() int {
	return max(s.minCompact, 4*Keep*len(s.jobs))
}

// compact rewrites the file with only the kept runs, in the order they were
// recorded: it writes a temporary file in the same directory, fsyncs it,
// renames it over the file and fsyncs the directory. On an error before the
// rename the old file is left as it was. The caller holds s.mu.
func (s *Store) compact() (err error) {
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(s.path); err == nil {
		mode = fi.Mode().Perm()
	}
	dir, base := filepath.Split(s.path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(mode); err != nil {
		return err
	}
	all := s.inOrder()
	if err := writeRuns(tmp, all); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return err
	}
	// tmp is now the file, open at its end: keep appending to it.
	if s.f != nil {
		s.f.Close()
	}
	s.f = tmp
	s.lines = len(all)
	s.size = s.kept
	s.needNL = false
	s.compactSoon = false
	return syncDir(dir)
}

// inOrder is every kept run, in the order they were recorded. The caller
// holds s.mu.
func (s *Store) inOrder() []entry {
	var all []entry
	for _, es := range s.jobs {
		all = append(all, es...)
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	return all
}

// writeRuns writes the runs of all to f, one line each.
func writeRuns(f io.Writer, all []entry) error {
	w := bufio.NewWriter(f)
	for _, e := range all {
		line, err := encode(e.run)
		if err != nil {
			return err
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return w.Flush()
}

// syncDir fsyncs a directory so that a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
