package procfile

import (
	"slices"
	"strings"
)

// shellOperators are the words that, standing alone, make tend run a
// word-split command under a shell.
var shellOperators = []string{"&&", "||", "|", ";", ">", ">>", "<"}

// IsShellOperator reports whether word, standing alone in a word-split
// command (Dokku's ENTRYPOINT mode, `tend run a && b`), is one of the
// operators that make tend re-join the words for /bin/sh -c.
func IsShellOperator(word string) bool { return slices.Contains(shellOperators, word) }

// The warnings SplitWarnings returns, one short sentence each.
const (
	warnQuotes   = "quotes may not survive Dokku's word splitting the way a shell would keep them"
	warnSubst    = "command substitution ($(...) or backticks) needs a shell and is run as plain words"
	warnAssign   = "a leading VAR=value assignment would be executed as the program name"
	warnHostVar  = "$VARS are expanded on the host at deploy time, not in the container"
	warnGlob     = "glob characters (* ? [) are not expanded without a shell"
	warnTilde    = "~ is not expanded without a shell"
	warnAmpAlone = `a stand-alone "&" is not one of tend's shell operators: it is passed as an argument`
)

// SplitWarnings explains, one short sentence per problem, how Dokku's
// ENTRYPOINT mode would change command. With an image ENTRYPOINT, Dokku
// expands $VARS on the host and splits the command into words without a
// shell; tend then execs the words directly, or re-joins them with spaces
// for /bin/sh -c when one word is exactly a shell operator (&& || | ; > >>
// <). It returns nil for commands of plain words and stand-alone operators.
//
// In shell mode (some word is an operator) the re-joined line reaches a
// shell, so globs, ~, $(...), glued operators and assignments work again;
// only the quotes (already split by Dokku) and the host-side $VARS are
// still worth a warning then.
func SplitWarnings(command string) []string {
	var warns []string
	add := func(w string) {
		if !slices.Contains(warns, w) {
			warns = append(warns, w)
		}
	}
	words := strings.Fields(command)
	shellMode := slices.ContainsFunc(words, IsShellOperator)
	if strings.ContainsAny(command, `'"`) {
		add(warnQuotes)
	}
	if hasHostVar(command) {
		add(warnHostVar)
	}
	if shellMode {
		return warns
	}
	if strings.Contains(command, "$(") || strings.Contains(command, "`") {
		add(warnSubst)
	}
	if len(words) > 0 && isAssignment(words[0]) {
		add(warnAssign)
	}
	for _, w := range words {
		switch {
		case w == "&":
			add(warnAmpAlone)
		case strings.ContainsAny(w, "|;<>&"):
			add("an operator glued to a word (" + shorten(w) + ") is not seen as one: put spaces around it")
		}
	}
	if strings.ContainsAny(command, "*?[") {
		add(warnGlob)
	}
	if slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, "~") }) {
		add(warnTilde)
	}
	return warns
}

// hasHostVar reports a $NAME or ${...} reference, the forms Dokku expands
// on the host. "$(" is command substitution, and "$" before anything else
// ("$1", "$$", a lone "$") is left alone by that expansion.
func hasHostVar(command string) bool {
	for i := 0; i+1 < len(command); i++ {
		if command[i] != '$' {
			continue
		}
		c := command[i+1]
		if c == '{' || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}

// isAssignment reports whether word looks like a shell's NAME=value prefix.
func isAssignment(word string) bool {
	name, _, ok := strings.Cut(word, "=")
	if !ok || name == "" || '0' <= name[0] && name[0] <= '9' {
		return false
	}
	for _, c := range name {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
