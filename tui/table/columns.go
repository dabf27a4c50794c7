package table

import (
	"cmp"
	"strconv"
	"strings"
	"time"
	"unicode"

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
	// ages: the cells are the rows' ages, which grow with the clock.
	ages bool
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
			col.ages = true
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

// naturalWidths are the widths the columns need for their heads, with
// room for the sort arrow, and for every row's cell at now; but the ages
// of rows created by now, which widestAge bounds.
func naturalWidths(cols []column, rows []kube.TableRow, now time.Time) []int {
	texts := make([]string, len(cols))
	return columns.Natural(fitted(cols), 1, len(rows), func(row int) []string {
		r := rows[row]
		for i, c := range cols {
			if c.ages && !r.Object.Created.IsZero() && !r.Object.Created.After(now) {
				texts[i] = ""
				continue
			}
			texts[i] = c.cell(r, now)
		}
		return texts
	})
}

// ageWidths are the widths kubectl's ages reach: from 10s 3 cells, from
// 100s 4, from 2m10s 5, from 2 years and 100 days ("2y100d") 6, the most
// any age takes.
var ageWidths = []struct {
	from  time.Duration
	width int
}{{0, 2}, {10 * time.Second, 3}, {100 * time.Second, 4}, {2*time.Minute + 10*time.Second, 5}, {(2*365 + 100) * 24 * time.Hour, 6}}

// widestAge is the width of the widest AGE text of any age up to age (a
// row created later than the oldest never needs more than it).
func widestAge(age time.Duration) int {
	width := ageWidths[0].width
	for _, w := range ageWidths {
		if age >= w.from {
			width = w.width
		}
	}
	return width
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
