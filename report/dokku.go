package report

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// dokkuWarning reads "FILE:LINE: WHO: TEXT", WHO being a cron entry
// (`cron[i] ("command")`) or a process type.
var dokkuWarning = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(.+?):(\d+): (?:cron\[\d+\] \(".*"\)|[A-Za-z0-9_-]+): (.+)$`)
})

// maxLines is how many line numbers a grouped warning lists.
const maxLines = 10

// GroupDokku turns one warning per entry into one per kind: "app.json: 3
// cron entries: @every runs under tend, but Dokku's host cron cannot run it
// (lines 4, 7, 9)", in the order the kinds first appear. A line that does
// not have the usual form is kept as it is.
func GroupDokku(warnings []string) []string {
	type group struct {
		file, text string
		lines      []string
	}
	var order []*group
	groups := map[string]*group{}
	var out []string
	for _, w := range warnings {
		m := dokkuWarning().FindStringSubmatch(w)
		if m == nil {
			out = append(out, w)
			continue
		}
		key := m[1] + "\x00" + m[3]
		g := groups[key]
		if g == nil {
			g = &group{file: m[1], text: m[3]}
			groups[key] = g
			order = append(order, g)
		}
		g.lines = append(g.lines, m[2])
	}
	for _, g := range order {
		noun, word := "commands", "lines"
		if strings.HasSuffix(g.file, ".json") {
			noun = "cron entries"
		}
		if len(g.lines) == 1 {
			noun, word = map[string]string{"commands": "command", "cron entries": "cron entry"}[noun], "line"
		}
		lines := g.lines
		more := ""
		if len(lines) > maxLines {
			lines, more = lines[:maxLines], ", …"
		}
		out = append(out, fmt.Sprintf("%s: %d %s: %s (%s %s%s)", g.file, len(g.lines), noun, g.text, word, strings.Join(lines, ", "), more))
	}
	return out
}
