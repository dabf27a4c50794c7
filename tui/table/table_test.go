package table

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/types"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/columns"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// podColumns are the server's columns of pods, the wide ones included.
var podColumns = []kube.TableColumn{{Name: "Name"}, {Name: "Ready"}, {Name: "Status"}, {Name: "Restarts", Type: "integer"}, {Name: "Age"},
	{Name: "IP", Priority: 1}, {Name: "Node", Priority: 1}, {Name: "Nominated Node", Priority: 1}, {Name: "Readiness Gates", Priority: 1}}

func pod(cluster, name, restarts string, age time.Duration) kube.TableRow {
	return kube.TableRow{
		Object: kube.Object{Cluster: cluster, Namespace: "shop-with-a-long-namespace", Name: name, Kind: "Pod", UID: types.UID(cluster + name), Created: now.Add(-age)},
		Cells:  []string{name, "1/1", "CrashLoopBackOff", restarts, "ignored", "10.244.0.1", "kwok-node-0", "<none>", "<none>"},
	}
}

func TestCompareCellsReadsNumbersAndDurations(t *testing.T) {
	ordered := [][]string{
		{"0", "3 (2m ago)", "10 (1m ago)", "112"},
		{"0/1", "1/2", "2/2", "10/10"},
		{"45s", "5m10s", "2h", "3d4h", "2y"},
		{"<none>", "Completed", "Running"},
	}
	for _, want := range ordered {
		got := slices.Clone(want)
		slices.Reverse(got)
		slices.SortFunc(got, compareCells)
		if !slices.Equal(got, want) {
			t.Errorf("sorted %v, want %v", got, want)
		}
	}
}

func TestFitAt80KeepsNameClusterStatusAndAge(t *testing.T) {
	snap := kube.TableSnapshot{Columns: podColumns, Rows: []kube.TableRow{
		pod("cluster1", "checkout-api-7d4b9c8f6-with-a-very-long-generated-suffix", "3 (2m ago)", time.Hour)}}
	cols := columnsOf(snap)
	natural := naturalWidths(cols, snap.Rows, now)
	for _, width := range []int{80, 60, 40} {
		shown, widths := columns.Fit(fitted(cols), natural, width)
		var names []string
		total := -columns.Separator
		for j, i := range shown {
			names = append(names, cols[i].name)
			total += widths[j] + columns.Separator
		}
		for _, must := range essential {
			if !slices.Contains(names, must) {
				t.Errorf("at %d columns %s is gone: %v", width, must, names)
			}
		}
		if slices.Contains(names, "NODE") || total > width {
			t.Errorf("at %d columns: %v, %d cells wide", width, names, total)
		}
	}
	if shown, _ := columns.Fit(fitted(cols), natural, 250); len(shown) != len(cols) {
		t.Errorf("a wide terminal shows %d of the %d columns", len(shown), len(cols))
	}
}

// fakeData is a table whose rows the test sets.
type fakeData struct{ snap kube.TableSnapshot }

func (d *fakeData) Snapshot() kube.TableSnapshot { return d.snap }
func (d *fakeData) Changed() <-chan struct{}     { return nil }
func (d *fakeData) Close()                       {}

func shownNames(m *Model) []string {
	var out []string
	for _, r := range m.rows {
		out = append(out, r.Object.Cluster+"/"+r.Object.Name)
	}
	return out
}

func TestSortingAndLiveUpdatesKeepTheCursorOnItsRow(t *testing.T) {
	data := &fakeData{kube.TableSnapshot{Columns: podColumns, Rows: []kube.TableRow{
		pod("cluster1", "a", "10 (1m ago)", 3*time.Hour), pod("cluster1", "b", "0", time.Minute), pod("cluster2", "c", "3 (5m ago)", 48*time.Hour)}}}
	m := New(kube.NewTree(), theme.For(true))
	m.Now = func() time.Time { return now }
	m.SetSize(200, 10)
	m.Show(data, "pods")
	for _, step := range []struct {
		sortBy string
		want   []string
	}{
		{"RESTARTS", []string{"cluster1/b", "cluster2/c", "cluster1/a"}},
		{"RESTARTS", []string{"cluster1/a", "cluster2/c", "cluster1/b"}},
		{"AGE", []string{"cluster1/b", "cluster1/a", "cluster2/c"}},
	} {
		m.SortBy(step.sortBy)
		if got := shownNames(&m); !slices.Equal(got, step.want) {
			t.Errorf("sorted by %s (descending %v): %v, want %v", step.sortBy, m.descending, got, step.want)
		}
	}
	// The cursor on cluster1/a; a new, younger pod comes first.
	m.list.Select(1)
	data.snap.Rows = append(data.snap.Rows, pod("cluster2", "d", "0", time.Second))
	m.Refresh()
	if o, _ := m.Selected(); o.Name != "a" || m.list.Cursor() != 2 {
		t.Errorf("after an update the cursor is on %s (row %d), not on a", o.Name, m.list.Cursor())
	}
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "AGE↑") || !strings.Contains(view, "3h") || !strings.Contains(view, "RESTARTS") {
		t.Errorf("the view:\n%s", view)
	}
	m.Search("cluster2")
	if got := shownNames(&m); !slices.Equal(got, []string{"cluster2/d", "cluster2/c"}) {
		t.Errorf("/cluster2 shows %v", got)
	}
	m.Search("")
	m.SetFilter(kube.Filter{Clusters: []string{"cluster1"}, ShowSystem: true})
	if got := shownNames(&m); !slices.Equal(got, []string{"cluster1/b", "cluster1/a"}) {
		t.Errorf("the tree's cluster filter shows %v", got)
	}
	m.SetFilter(kube.Filter{Words: []string{"Running"}, ShowSystem: true})
	if got := len(m.rows); got != 0 {
		t.Errorf("status Running shows %d crash-looping pods: %s", got, fmt.Sprint(shownNames(&m)))
	}
}

// header is the line of column heads, plain.
func header(m *Model) string { return ansi.Strip(strings.SplitN(m.View(), "\n", 2)[0]) }

func TestColumnsStayPutAsTheTableScrolls(t *testing.T) {
	rows := []kube.TableRow{}
	for i := range 20 {
		rows = append(rows, pod("cluster1", fmt.Sprintf("web-%d", i), "0", time.Duration(i)*time.Hour))
	}
	wide := pod("cluster-with-a-long-name", "checkout-api-7d4b9c8f6-with-a-long-suffix", "12 (3m ago)", 9*time.Minute+59*time.Second)
	wide.Object.Namespace = "a-namespace-longer-than-the-others"
	wide.Cells[6] = "kwok-node-with-a-long-name-0"
	rows = append(rows, wide)
	m := New(kube.NewTree(), theme.For(true))
	m.Now = func() time.Time { return now }
	m.SetSize(250, 6)
	m.Show(&fakeData{kube.TableSnapshot{Columns: podColumns, Rows: rows}}, "pods")
	top := header(&m)
	m.list.Select(len(rows) - 1)
	if !strings.Contains(ansi.Strip(m.View()), wide.Object.Name) {
		t.Fatalf("the last row is not on screen:\n%s", ansi.Strip(m.View()))
	}
	if bottom := header(&m); bottom != top {
		t.Errorf("the heads moved as the table scrolled:\n%s\n%s", top, bottom)
	}
	m.Search("web-1")
	nameWidth := strings.Index(header(&m), "READY") - strings.Index(header(&m), " NAME ") - 3
	if want := len("web-19"); nameWidth != want {
		t.Errorf("after a search NAME is %d cells wide, want the longest found name's %d: %s", nameWidth, want, header(&m))
	}
}

func TestWidestAgeBoundsEveryAgeUpToIt(t *testing.T) {
	widest := 0
	check := func(age time.Duration) {
		widest = max(widest, len(Age(now.Add(-age), now)))
		if got := widestAge(age); got != widest {
			t.Fatalf("widestAge(%v) = %d, but the ages up to it take up to %d cells (%q)", age, got, widest, Age(now.Add(-age), now))
		}
	}
	for age := time.Duration(0); age < 3*time.Hour; age += time.Second {
		check(age)
	}
	for age := 3 * time.Hour; age < 30*24*time.Hour; age += time.Minute {
		check(age)
	}
	for age := 30 * 24 * time.Hour; age < 12*365*24*time.Hour; age += time.Hour {
		check(age)
	}
}

func TestTheAgeColumnFitsEveryAgeAsTheClockRuns(t *testing.T) {
	start := now
	m := New(kube.NewTree(), theme.For(true))
	m.Now = func() time.Time { return start }
	m.SetSize(250, 10)
	m.Show(&fakeData{kube.TableSnapshot{Columns: podColumns, Rows: []kube.TableRow{
		pod("cluster1", "a", "0", 50*time.Second), pod("cluster1", "b", "0", 5*time.Second), pod("cluster1", "c", "0", 0)}}}, "pods")
	heads := []string{header(&m)}
	for range 600 {
		start = start.Add(time.Second)
		view := ansi.Strip(m.View())
		if strings.Contains(view, "…") {
			t.Fatalf("a cell is cut at %v:\n%s", start.Sub(now), view)
		}
		if head := header(&m); head != heads[len(heads)-1] {
			heads = append(heads, head)
		}
	}
	// The AGE column widens once, as the oldest pod turns 2m10s ("2m10s").
	if len(heads) != 2 {
		t.Errorf("the heads moved %d times in 10 minutes:\n%s", len(heads)-1, strings.Join(heads, "\n"))
	}
}

// BenchmarkView10500Rows is a frame of a table of 10,500 pods (3 clusters
// of 3,500) as the cursor moves down it.
func BenchmarkView10500Rows(b *testing.B) {
	m := table10500Rows()
	i := 0
	for b.Loop() {
		m.list.Select(i % len(m.rows))
		_ = m.View()
		i += 7
	}
}

// BenchmarkRefresh10500Rows is a new snapshot of a table of 10,500 pods
// (3 clusters of 3,500) taken in: filtered, searched and sorted by age.
func BenchmarkRefresh10500Rows(b *testing.B) {
	m := table10500Rows()
	m.SortBy("AGE")
	for b.Loop() {
		m.Refresh()
	}
}

// table10500Rows is a table of 3 clusters' 3,500 pods each, 200 by 50.
func table10500Rows() Model {
	var rows []kube.TableRow
	for c := range 3 {
		for i := range 3500 {
			rows = append(rows, pod(fmt.Sprintf("cluster%d", c+1), fmt.Sprintf("load-%05d-7d4b9c8f6-x2x9q", i), fmt.Sprint(i%7), time.Duration(i)*time.Minute))
		}
	}
	m := New(kube.NewTree(), theme.For(true))
	m.Now = func() time.Time { return now }
	m.SetSize(200, 50)
	m.Show(&fakeData{kube.TableSnapshot{Columns: podColumns, Rows: rows}}, "pods")
	return m
}
