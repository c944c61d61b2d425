package app

import (
	"errors"
	"fmt"
)

// MaxProblems is how many errors Load returns, and how many warnings it
// keeps, at most: a 1 MiB app.json can hold 300,000 bad entries, and
// printing every one (on each reload, too) buries the first, which is
// the one to fix. The rest are counted: "… and 299980 more problems".
const MaxProblems = 20

// flatten lists the problems of a tree of joined errors, in order.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// limitErrors joins the first MaxProblems problems of errs (joined errors
// count one per problem) and a count of the others. The kept errors are
// the originals, for errors.Is and errors.As.
func limitErrors(errs ...error) error {
	var all []error
	for _, e := range errs {
		all = append(all, flatten(e)...)
	}
	if len(all) > MaxProblems {
		all = append(all[:MaxProblems], fmt.Errorf("… and %d more problems", len(all)-MaxProblems))
	}
	return errors.Join(all...)
}

// limitLines keeps the first MaxProblems lines and counts the others, as
// "… and N more NOUN".
func limitLines(lines []string, noun string) []string {
	if len(lines) <= MaxProblems {
		return lines
	}
	return append(lines[:MaxProblems:MaxProblems], fmt.Sprintf("… and %d more %s", len(lines)-MaxProblems, noun))
}
