package history

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// openFile opens the history file for reading and appending, creating it
// with mode 0644 (whatever the umask) if it does not exist.
func openFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o644)
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
	return os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
}

// load reads the records of r into s, which the caller owns. Lines that are
// empty, not a JSON object of a Run, or not a valid run are skipped.
func (s *Store) load(r io.Reader) error {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			s.lines++
			s.needNL = line[len(line)-1] != '\n'
			var run Run
			// Keep only what Add would accept, so that every kept run can
			// be written back by a compaction.
			if json.Unmarshal(line, &run) == nil && encodable(run) {
				s.keep(run)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
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
	var all []entry
	for _, es := range s.jobs {
		all = append(all, es...)
	}
	slices.SortFunc(all, func(a, b entry) int {
		switch {
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
	w := bufio.NewWriter(tmp)
	for _, e := range all {
		line, err := encode(e.run)
		if err != nil {
			return err
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
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
	s.needNL = false
	return syncDir(dir)
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
