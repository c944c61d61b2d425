package proc

import (
	"slices"
	"strings"
)

// shellWords are the first words a shell treats specially: builtins and
// keywords that no executable can stand in for.
var shellWords = []string{
	"!", ".", ":", "[", "[[", "alias", "bg", "break", "case", "cd", "command", "continue", "eval",
	"exec", "exit", "export", "fg", "for", "function", "getopts", "hash", "if", "jobs", "kill", "let", "local",
	"read", "readonly", "return", "select", "set", "shift", "source", "test", "times", "trap", "type",
	"typeset", "ulimit", "umask", "unalias", "unset", "until", "wait", "while", "{", "(",
}

// isPlain reports whether c cannot mean anything special to a shell.
func isPlain(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.ContainsRune("_-./:,+@%=", c) || c == ' ' || c == '\t'
}

// ShellCommand says how to run a Procfile or cron command. A command made
// of plain words only (no quotes, $, globs, operators, redirections or
// assignments, and not a shell builtin) means the same executed directly,
// and saves starting a shell per process; "exec" in front is dropped, as a
// shell would. Anything else runs under /bin/sh -c, untouched.
func ShellCommand(command string) (path string, args []string) {
	words := strings.Fields(command)
	if len(words) > 1 && words[0] == "exec" {
		words = words[1:]
	}
	plain := len(words) > 0 && !strings.ContainsFunc(command, func(c rune) bool { return !isPlain(c) }) &&
		!strings.Contains(words[0], "=") && !slices.Contains(shellWords, words[0])
	if !plain {
		return ShellPath, []string{"sh", "-c", command}
	}
	return words[0], words
}
