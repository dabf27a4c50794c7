package table

import (
	"cmp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui/columns"
)

// column is one column on screen: the fleet's CLUSTER and NAMESPACE, or
// one of the server's.
type column struct {
	name     string
	priority int
	// cell is the column's text for a row at now.
	cell func(r kube.TableRow, now time.Time) string
	// compare orders two rows by the column; nil compares the cells' text.
	compare func(a, b kube.TableRow) int
}

// essential are the columns that stay at any width (NAME, CLUSTER, STATUS,
// AGE), compared upper-case.
var essential = []string{"NAME", "CLUSTER", "STATUS", "AGE"}

// isEssential reports whether a column stays at any width.
func isEssential(name string) bool {
	for _, e := range essential {
		if strings.EqualFold(name, e) {
			return true
		}
	}
	return false
}

// columnsOf are a snapshot's columns as the table shows them: CLUSTER,
// NAMESPACE for a namespaced kind, then the server's. The Age column is
// counted from the creation time, so that it ticks.
func columnsOf(snap kube.TableSnapshot) []column {
	cols := []column{{name: "CLUSTER", cell: func(r kube.TableRow, _ time.Time) string { return r.Object.Cluster }}}
	for _, r := range snap.Rows {
		if r.Object.Namespace != "" {
			cols = append(cols, column{name: "NAMESPACE", cell: func(r kube.TableRow, _ time.Time) string { return r.Object.Namespace }})
			break
		}
	}
	for i, c := range snap.Columns {
		col := column{name: strings.ToUpper(c.Name), priority: c.Priority, cell: func(r kube.TableRow, _ time.Time) string {
			if i < len(r.Cells) {
				return r.Cells[i]
			}
			return ""
		}}
		if strings.EqualFold(c.Name, "Age") {
			col.cell = func(r kube.TableRow, now time.Time) string { return Age(r.Object.Created, now) }
			col.compare = func(a, b kube.TableRow) int { return b.Object.Created.Compare(a.Object.Created) }
		}
		cols = append(cols, col)
	}
	return cols
}

// Age is kubectl's AGE of an object created at created.
func Age(created, now time.Time) string {
	if created.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(created))
}

// fitted are the columns as columns.Fit reads them: the wide ones are
// kubectl's priority above 0; NAME, CLUSTER, STATUS and AGE are kept.
func fitted(cols []column) []columns.Column {
	out := make([]columns.Column, len(cols))
	for i, c := range cols {
		out[i] = columns.Column{Name: c.name, Wide: c.priority > 0, Kept: isEssential(c.name)}
	}
	return out
}

// naturalWidths are the widths the columns need for every row's cell.
func naturalWidths(cols []column, rows []kube.TableRow, now time.Time) []int {
	out := make([]int, len(cols))
	for i, c := range cols {
		out[i] = len(c.name) + 1 // room for the sort arrow
		for _, r := range rows {
			out[i] = max(out[i], ansi.StringWidth(c.cell(r, now)))
		}
	}
	return out
}

// compareCells orders two cells as a reader would: by their leading
// numbers ("3 (2m ago)" by 3, "1/2" by 1 then 2), by their durations
// ("5m" before "2h"), else as text.
func compareCells(a, b string) int {
	if da, okA := parseDuration(a); okA {
		if db, okB := parseDuration(b); okB {
			return cmp.Compare(da, db)
		}
	}
	na, restA, okA := leadingNumber(a)
	nb, restB, okB := leadingNumber(b)
	switch {
	case okA && okB:
		return cmp.Or(cmp.Compare(na, nb), compareCells(strings.TrimLeft(restA, "/"), strings.TrimLeft(restB, "/")))
	case okA:
		return -1
	case okB:
		return 1
	}
	return strings.Compare(a, b)
}

// leadingNumber is the number a cell starts with, and what follows it.
func leadingNumber(s string) (float64, string, bool) {
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' })
	if end < 0 {
		end = len(s)
	}
	n, err := strconv.ParseFloat(s[:end], 64)
	if err != nil {
		return 0, s, false
	}
	return n, s[end:], true
}

// durationUnits are the units of kubectl's human durations.
var durationUnits = map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'y': 365 * 24 * time.Hour}

// parseDuration reads a duration as kubectl prints it: 45s, 5m10s, 2d3h, 3y.
func parseDuration(s string) (time.Duration, bool) {
	if s == "" {
		return 0, false
	}
	var total time.Duration
	for s != "" {
		n, rest, ok := leadingNumber(s)
		if !ok || rest == "" || strings.Contains(s[:len(s)-len(rest)], ".") {
			return 0, false
		}
		unit, ok := durationUnits[rest[0]]
		if !ok {
			return 0, false
		}
		total += time.Duration(n) * unit
		s = rest[1:]
	}
	return total, true
}
