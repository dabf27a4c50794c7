// Package logview is the Logs tab: a followed, colourised log of a pod or
// of every pod of a workload (on one WEC or all that have it), kept in a
// ring of lines, with search, filter, save and the usual toggles.
package logview

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/internal/config"
	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/keymap"
)

// Streamer reads logs (a *kube.Fleet).
type Streamer interface {
	StreamLogs(ctx context.Context, o kube.Object, clusters []string, opts kube.LogOptions, out chan<- kube.LogLine)
	LogPods(o kube.Object, cluster string) []kube.Object
	Containers(ctx context.Context, pod kube.Object) ([]kube.Container, error)
}

// DefaultCapacity is how many lines the ring keeps unless configured.
const DefaultCapacity = 10000

// tails are the presets t steps through; -1 is the whole log.
var tails = []int64{100, 500, -1, 50}

// batchWindow gathers the lines of a fast stream into one redraw.
const batchWindow = 33 * time.Millisecond

// maxBatch bounds one redraw's lines.
const maxBatch = 5000

type entry struct {
	line  kube.LogLine
	level Level
	seq   int
}

type linesMsg struct {
	seq    int
	lines  []kube.LogLine
	ch     <-chan kube.LogLine
	closed bool
}

type containersMsg struct {
	target     kube.Object
	containers []kube.Container
	err        error
}

// Model is the Logs tab.
type Model struct {
	streamer Streamer
	styles   theme.Styles
	target   *kube.Object
	// elsewhere are the other clusters that have the same workload.
	elsewhere   []string
	allClusters bool
	containers  []kube.Container
	container   int // index into containers, -1 for all
	tail        int // index into tails
	previous    bool
	ring        ring
	// shown indexes the ring's lines that pass the filter, kept up to date
	// line by line as they arrive and as the ring drops old ones.
	shown   index
	sources map[kube.LogSource]bool
	// following keeps the newest line at the bottom; scrolling up stops it.
	following bool
	// topSeq and topRow are the first row on screen while not following:
	// a row of the line numbered topSeq.
	topSeq, topRow                    int
	timestamps, wrap, numbers, pretty bool
	search, filter                    Matcher
	seq                               int
	cancel                            context.CancelFunc
	status                            string
	width, height                     int
	// SaveDir is where s saves the log.
	SaveDir string
}

// New returns an empty Logs tab keeping up to capacity lines.
func New(s Streamer, styles theme.Styles, capacity int) Model {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return Model{streamer: s, styles: styles, ring: newRing(capacity), container: -1, following: true, SaveDir: filepath.Join(config.StateDir(), "logs")}
}

// SetStyles changes the theme.
func (m *Model) SetStyles(s theme.Styles) { m.styles = s }

// SetSize sets the area.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Showing is the object whose logs are on show, if any.
func (m Model) Showing() (kube.Object, bool) {
	if m.target == nil {
		return kube.Object{}, false
	}
	return *m.target, true
}

// Open starts the logs of o (elsewhere: the other clusters with the same
// workload); the same object again keeps what is there.
func (m *Model) Open(o kube.Object, elsewhere []string) tea.Cmd {
	if m.target != nil && m.target.UID == o.UID && m.target.Cluster == o.Cluster {
		m.elsewhere = elsewhere
		return nil
	}
	m.stop()
	m.target, m.elsewhere, m.allClusters = &o, elsewhere, false
	m.containers, m.container, m.previous = nil, -1, false
	m.search, m.filter = Matcher{}, Matcher{}
	return tea.Batch(m.restart(), m.loadContainers())
}

// Close stops the stream and forgets its object.
func (m *Model) Close() {
	m.stop()
	m.target = nil
}

func (m *Model) stop() {
	m.seq++
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

// restart drops the lines and streams again with the current options.
func (m *Model) restart() tea.Cmd {
	m.stop()
	m.clearLines()
	m.sources = map[kube.LogSource]bool{}
	m.following, m.status = true, ""
	if m.target == nil {
		return nil
	}
	opts := kube.LogOptions{Tail: tails[m.tail], Previous: m.previous, Follow: !m.previous}
	if m.container >= 0 && m.container < len(m.containers) {
		opts.Container = m.containers[m.container].Name
	}
	clusters := []string{m.target.Cluster}
	if m.allClusters {
		clusters = append(clusters, m.elsewhere...)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	ch := make(chan kube.LogLine, 1024)
	go m.streamer.StreamLogs(ctx, *m.target, clusters, opts, ch)
	return listen(m.seq, ch)
}

func (m *Model) loadContainers() tea.Cmd {
	target, streamer := *m.target, m.streamer
	return func() tea.Msg {
		pods := streamer.LogPods(target, target.Cluster)
		if len(pods) == 0 {
			return containersMsg{target: target}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cs, err := streamer.Containers(ctx, pods[0])
		return containersMsg{target: target, containers: cs, err: err}
	}
}

// listen waits for a line, then takes what else arrives within a frame.
func listen(seq int, ch <-chan kube.LogLine) tea.Cmd {
	return func() tea.Msg {
		first, ok := <-ch
		if !ok {
			return linesMsg{seq: seq, closed: true}
		}
		batch := []kube.LogLine{first}
		deadline := time.After(batchWindow)
		for len(batch) < maxBatch {
			select {
			case l, ok := <-ch:
				if !ok {
					return linesMsg{seq: seq, lines: batch, closed: true}
				}
				batch = append(batch, l)
			case <-deadline:
				return linesMsg{seq: seq, lines: batch, ch: ch}
			}
		}
		return linesMsg{seq: seq, lines: batch, ch: ch}
	}
}

// Update handles streamed lines and, with the focus, keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case linesMsg:
		if msg.seq != m.seq {
			return nil
		}
		for _, l := range msg.lines {
			l.Text = termtext.Clean(l.Text)
			m.sources[l.Source] = true
			m.add(l)
		}
		if msg.closed {
			m.add(kube.LogLine{Marker: "end of log"})
			return nil
		}
		return listen(msg.seq, msg.ch)
	case savedMsg:
		if msg.err != nil {
			m.status = "cannot save: " + msg.err.Error()
		} else {
			m.status = fmt.Sprintf("saved %d lines to %s", msg.lines, msg.path)
		}
	case containersMsg:
		if m.target != nil && msg.target.UID == m.target.UID && msg.err == nil {
			m.containers = msg.containers
		}
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(key tea.KeyPressMsg) tea.Cmd {
	cmd, _ := m.keys().Dispatch(m, key)
	return cmd
}

// keys are the Logs tab's bindings.
func (m Model) keys() keymap.Map[Model] {
	do := func(f func(m *Model)) func(*Model, tea.KeyPressMsg) tea.Cmd {
		return func(m *Model, _ tea.KeyPressMsg) tea.Cmd { f(m); return nil }
	}
	again := func(f func(m *Model)) func(*Model, tea.KeyPressMsg) tea.Cmd {
		return func(m *Model, _ tea.KeyPressMsg) tea.Cmd { f(m); return m.restart() }
	}
	page := func(m *Model) int { return max(m.logHeight()-2, 1) }
	b := []keymap.Binding[Model]{
		{Keys: []string{"f"}, Label: "f / G", Short: "f follow", Long: "follow on or off / follow again", Run: do(func(m *Model) {
			if m.following {
				m.pin(m.liveTop())
			} else {
				m.following = true
			}
		})},
		{Keys: []string{"G", "end"}, Label: "f / G", Long: "follow on or off / follow again", Run: do(func(m *Model) { m.following = true })},
		{Keys: []string{"up", "k", "down", "j"}, Label: "↑↓ pgup g", Short: "↑↓ scroll", Long: "scroll (pauses following)", Run: func(m *Model, key tea.KeyPressMsg) tea.Cmd {
			m.scroll(map[bool]int{true: -1, false: 1}[key.String() == "up" || key.String() == "k"])
			return nil
		}},
		{Keys: []string{"pgup", "ctrl+b", "ctrl+u"}, Label: "↑↓ pgup g", Long: "scroll (pauses following)", Run: do(func(m *Model) { m.scroll(-page(m)) })},
		{Keys: []string{"pgdown", "ctrl+f", "space"}, Label: "↑↓ pgup g", Long: "scroll (pauses following)", Run: do(func(m *Model) { m.scroll(page(m)) })},
		{Keys: []string{"g", "home"}, Label: "↑↓ pgup g", Long: "scroll (pauses following)", Run: do(func(m *Model) { m.pauseAt(position{}) })},
		{Keys: []string{"c"}, Short: "c container", Long: "container: each in turn, then all", Disabled: func(m *Model) string {
			if len(m.containers) == 0 {
				return "no container list (yet) for this object"
			}
			return ""
		}, Run: again(func(m *Model) {
			if m.container++; m.container >= len(m.containers) {
				m.container = -1
			}
		})},
		{Keys: []string{"t"}, Short: "t tail", Long: "tail 100, 500, all, 50", Run: again(func(m *Model) { m.tail = (m.tail + 1) % len(tails) })},
		{Keys: []string{"p"}, Short: "p previous", Long: "previous (terminated) run", Run: again(func(m *Model) { m.previous = !m.previous })},
		{Keys: []string{"a"}, Short: "a all clusters", Long: "all clusters with this workload", Disabled: func(m *Model) string {
			if len(m.elsewhere) == 0 {
				return "no other cluster has " + m.target.Kind + " " + m.target.Namespace + "/" + m.target.Name
			}
			return ""
		}, Run: again(func(m *Model) { m.allClusters = !m.allClusters })},
		{Keys: []string{"n", "N"}, Label: "n N", Long: "next / previous match", Run: func(m *Model, key tea.KeyPressMsg) tea.Cmd {
			m.jump(map[bool]int{true: 1, false: -1}[key.String() == "n"])
			return nil
		}},
		{Keys: []string{"s"}, Short: "s save", Long: "save to a file (the path is shown)", Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd { return m.save() }},
		{Keys: []string{"T"}, Short: "T time", Long: "timestamps", Run: do(func(m *Model) { m.timestamps = !m.timestamps })},
		{Keys: []string{"w"}, Short: "w wrap", Long: "wrap long lines", Run: do(func(m *Model) { m.wrap = !m.wrap })},
		{Keys: []string{"#"}, Long: "line numbers", Run: do(func(m *Model) { m.numbers = !m.numbers })},
		{Keys: []string{"P"}, Short: "P pretty", Long: "pretty JSON", Run: do(func(m *Model) { m.pretty = !m.pretty })},
		{Keys: []string{"ctrl+l"}, Short: "ctrl+l clear", Long: "clear", Run: do(func(m *Model) {
			m.clearLines()
			m.status = "cleared"
		})},
	}
	noPods := func(m *Model) string {
		if m.target == nil {
			return "no pods here: logs are for pods and the workloads that run them"
		}
		return ""
	}
	for i := range b {
		if why := b[i].Disabled; why != nil {
			b[i].Disabled = func(m *Model) string {
				if none := noPods(m); none != "" {
					return none
				}
				return why(m)
			}
		} else {
			b[i].Disabled = noPods
		}
	}
	return keymap.Map[Model]{Title: "Logs tab", Bindings: b, Footer: []string{"f", "c", "t", "p", "a", "F", "s", "T", "w", "P", "ctrl+l"}}
}

// Keys are the Logs tab's bindings as they stand.
func (m *Model) Keys() []keymap.Group { return []keymap.Group{m.keys().Describe(m)} }

// add keeps a line, indexes it if it passes the filter and forgets the
// index of what the ring drops to make room.
func (m *Model) add(l kube.LogLine) {
	e := m.ring.push(entry{line: l, level: DetectLevel(l.Text)})
	m.shown.dropBefore(m.ring.first())
	if m.passes(e) {
		m.shown.add(e.seq)
	}
}

// passes reports whether an entry gets past the filter (markers always do).
func (m Model) passes(e entry) bool {
	return e.line.Marker != "" || !m.filter.Active() || m.filter.Match(e.line.Text)
}

// reindex builds the index again, for a new filter.
func (m *Model) reindex() {
	m.shown.reset()
	for i := range m.ring.len() {
		if e := m.ring.at(i); m.passes(e) {
			m.shown.add(e.seq)
		}
	}
}

func (m *Model) clearLines() {
	m.ring.clear()
	m.shown.reset()
}

// shownEntry is the i-th line that passes the filter.
func (m Model) shownEntry(i int) entry { return m.ring.bySeq(m.shown.at(i)) }

// position is a row of the log: the row-th screen row of the i-th shown
// line (a wrapped or pretty-printed line takes several).
type position struct{ i, row int }

func (p position) before(q position) bool { return p.i < q.i || p.i == q.i && p.row < q.row }

// logHeight is how many rows the log itself gets, below the status.
func (m Model) logHeight() int {
	return max(m.height-len(m.statusRows()), 1)
}

func (m Model) statusRows() []string {
	if m.status == "" {
		return nil
	}
	// Wrapped, not cut: a saved file's path must be readable in full.
	return strings.Split(m.styles.Warn.Render(ansi.Wrap(m.status, max(m.width, 1), "/ ")), "\n")
}

// liveTop is the first row on screen when the newest line is the last:
// the screen's height counted up from the end, in rendered rows.
func (m Model) liveTop() position {
	rows := 0
	for i := m.shown.len() - 1; i >= 0; i-- {
		rows += len(m.render(m.shownEntry(i)))
		if rows >= m.logHeight() {
			return position{i: i, row: rows - m.logHeight()}
		}
	}
	return position{}
}

// topPosition is the first row on screen.
func (m Model) topPosition() position {
	if m.following {
		return m.liveTop()
	}
	i := m.shown.find(m.topSeq)
	if i >= m.shown.len() || m.shown.at(i) != m.topSeq {
		return position{i: i}
	}
	return position{i: i, row: m.topRow}
}

// pauseAt stops following at p (an index position), or follows again when
// p is at or past the live end: scrolling never goes beyond the newest line.
func (m *Model) pauseAt(p position) {
	live := m.liveTop()
	if m.shown.len() == 0 || !p.before(live) {
		m.following = true
		return
	}
	m.pin(p)
}

// pin stops following with p as the first row on screen.
func (m *Model) pin(p position) {
	m.following = false
	if p.i < m.shown.len() {
		m.topSeq, m.topRow = m.shown.at(p.i), p.row
	}
}

// scroll moves the window by delta rows.
func (m *Model) scroll(delta int) {
	if m.shown.len() == 0 {
		return
	}
	p := m.topPosition()
	for delta > 0 && p.i < m.shown.len() {
		left := len(m.render(m.shownEntry(p.i))) - p.row
		if delta < left {
			p.row += delta
			break
		}
		delta -= left
		p = position{i: p.i + 1}
	}
	for ; delta < 0; delta++ {
		switch {
		case p.row > 0:
			p.row--
		case p.i > 0:
			p.i--
			p.row = len(m.render(m.shownEntry(p.i))) - 1
		default:
			delta = 0
		}
	}
	m.pauseAt(p)
}

// jump moves the window to the next (1) or previous (-1) search match.
func (m *Model) jump(dir int) {
	if !m.search.Active() {
		return
	}
	for i := m.topPosition().i + dir; i >= 0 && i < m.shown.len(); i += dir {
		if m.search.Match(m.shownEntry(i).line.Text) {
			m.pauseAt(position{i: i})
			return
		}
	}
	m.status = "no further match"
}

// Search highlights a pattern (plain, /regex/, !inverse) and jumps to its
// last match.
func (m *Model) Search(pattern string) error {
	matcher, err := NewMatcher(pattern)
	if err != nil {
		return err
	}
	m.search = matcher
	if matcher.Active() {
		for i := m.shown.len() - 1; i >= 0; i-- {
			if matcher.Match(m.shownEntry(i).line.Text) {
				m.pauseAt(position{i: i})
				break
			}
		}
	}
	return nil
}

// Filter shows only the lines that pass a pattern ("" shows all).
func (m *Model) Filter(pattern string) error {
	matcher, err := NewMatcher(pattern)
	if err != nil {
		return err
	}
	m.filter = matcher
	m.reindex()
	return nil
}

// SearchStatus is the search and filter, for the footer.
func (m Model) SearchStatus() string {
	var parts []string
	if m.search.Active() {
		parts = append(parts, "/"+m.search.Pattern)
	}
	if m.filter.Active() {
		parts = append(parts, "filter "+m.filter.Pattern)
	}
	return strings.Join(parts, "  ")
}

// save writes the lines on show (filtered) as plain text to a new file.
// The text is taken at the key press; the file is written in a command.
func (m Model) save() tea.Cmd {
	if m.target == nil {
		return nil
	}
	name := fmt.Sprintf("%s_%s_%s_%s.log", strings.Join(m.clusters(), "+"), m.target.Namespace, m.target.Name, time.Now().Format("20060102-150405"))
	path := filepath.Join(m.SaveDir, name)
	var b strings.Builder
	for i := range m.shown.len() {
		b.WriteString(m.plainLine(m.shownEntry(i)) + "\n")
	}
	text, lines := b.String(), m.shown.len()
	return func() tea.Msg {
		err := config.WritePrivate(path, []byte(text))
		return savedMsg{path: path, lines: lines, err: err}
	}
}

// savedMsg reports a save.
type savedMsg struct {
	path  string
	lines int
	err   error
}

func (m Model) plainLine(e entry) string {
	text := e.line.Text
	if e.line.Marker != "" {
		text = "── " + e.line.Marker + " ──"
	}
	if p := m.prefix(e.line.Source); p != "" {
		text = p + " " + text
	}
	if m.timestamps && !e.line.Time.IsZero() {
		text = e.line.Time.Format(time.RFC3339Nano) + " " + text
	}
	return text
}

// prefix names the source when more than one is shown (a line about a
// whole pod names no container; the log's own markers name nothing).
func (m Model) prefix(src kube.LogSource) string {
	if len(m.sources) <= 1 && !m.allClusters || src.Pod == "" {
		return ""
	}
	p := src.Pod
	if src.Container != "" {
		p += "/" + src.Container
	}
	if m.allClusters {
		p = src.Cluster + "/" + p
	}
	return p
}

// Title describes what is streamed and how, for the line above the log.
func (m Model) Title() string {
	if m.target == nil {
		return ""
	}
	container := "all containers"
	if m.container >= 0 && m.container < len(m.containers) {
		c := m.containers[m.container]
		container = c.Name
		if c.Kind != "" {
			container += " (" + c.Kind + ")"
		}
	}
	tail := "all"
	if tails[m.tail] >= 0 {
		tail = fmt.Sprint(tails[m.tail])
	}
	where := strings.Join(m.clusters(), ",")
	mode := "following"
	switch {
	case m.previous:
		mode = "previous run"
	case !m.following:
		mode = "paused (G resumes)"
	}
	parts := []string{m.target.Kind + " " + m.target.Name + " on " + where, container, "tail " + tail, mode,
		fmt.Sprintf("%d lines", m.ring.len())}
	return strings.Join(parts, " · ")
}

// clusters are the clusters whose logs are streamed.
func (m Model) clusters() []string {
	if m.allClusters {
		return append([]string{m.target.Cluster}, m.elsewhere...)
	}
	return []string{m.target.Cluster}
}

// View draws the window of the log.
func (m Model) View() string {
	if m.target == nil {
		return m.styles.Muted.Render("Select a pod or a workload that runs pods to see its logs.")
	}
	status := m.statusRows()
	height := m.logHeight()
	var rows []string
	if !m.following {
		top := m.topPosition()
		for i := top.i; i < m.shown.len() && len(rows) < top.row+height; i++ {
			rows = append(rows, m.render(m.shownEntry(i))...)
		}
		rows = rows[min(top.row, len(rows)):]
	}
	if m.following || len(rows) < height {
		// The newest line last: rendered from the end up.
		rows = nil
		for i := m.shown.len() - 1; i >= 0 && len(rows) < height; i-- {
			rows = append(m.render(m.shownEntry(i)), rows...)
		}
		rows = rows[max(len(rows)-height, 0):]
	}
	rows = rows[:min(len(rows), height)]
	switch {
	case m.shown.len() == 0 && m.ring.len() > 0:
		rows = []string{m.styles.Muted.Render("no line passes the filter " + m.filter.Pattern + " (F, then esc, drops it)")}
	case m.shown.len() == 0:
		rows = []string{m.styles.Muted.Render("waiting for log lines…")}
	}
	return strings.Join(append(status, rows...), "\n")
}

// render turns one entry into its screen rows (several when wrapped or
// pretty-printed).
func (m Model) render(e entry) []string {
	var head string
	if m.numbers {
		head += m.styles.Muted.Render(fmt.Sprintf("%6d ", e.seq+1))
	}
	if m.timestamps && !e.line.Time.IsZero() {
		head += m.styles.Muted.Render(e.line.Time.Local().Format("15:04:05.000") + " ")
	}
	if p := m.prefix(e.line.Source); p != "" {
		head += m.styles.Source(p).Render(p) + " "
	}
	if e.line.Marker != "" {
		return []string{head + m.styles.Muted.Render("── "+e.line.Marker+" ──")}
	}
	texts := []string{e.line.Text}
	if m.pretty {
		texts = Pretty(e.line.Text)
	}
	var rows []string
	for _, text := range texts {
		styled := m.highlight(text, e.level)
		line := head + styled
		if !m.wrap {
			rows = append(rows, ansi.Truncate(line, max(m.width, 1), "…"))
			continue
		}
		rows = append(rows, strings.Split(ansi.Hardwrap(line, max(m.width, 1), true), "\n")...)
	}
	return rows
}

// highlight colours a line by level and marks search matches.
func (m Model) highlight(text string, level Level) string {
	spans := m.search.Spans(text)
	if len(spans) == 0 {
		return Colour(text, level, m.styles)
	}
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		b.WriteString(Colour(text[at:sp[0]], level, m.styles))
		b.WriteString(m.styles.Match.Render(text[sp[0]:sp[1]]))
		at = sp[1]
	}
	b.WriteString(Colour(text[at:], level, m.styles))
	return b.String()
}

// ring keeps the last lines up to its capacity.
type ring struct {
	buf   []entry
	start int
	n     int
	total int
}

func newRing(capacity int) ring { return ring{buf: make([]entry, capacity)} }

// push keeps e (dropping the oldest entry when full) and returns it
// numbered.
func (r *ring) push(e entry) entry {
	e.seq = r.total
	r.total++
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = e
		r.n++
		return e
	}
	r.buf[r.start] = e
	r.start = (r.start + 1) % len(r.buf)
	return e
}

func (r *ring) len() int       { return r.n }
func (r *ring) at(i int) entry { return r.buf[(r.start+i)%len(r.buf)] }
func (r *ring) clear()         { r.start, r.n = 0, 0 }

// bySeq is the entry numbered seq, which the ring must still hold.
func (r *ring) bySeq(seq int) entry { return r.at(seq - r.first()) }

// first is the seq of the oldest entry kept.
func (r *ring) first() int {
	if r.n == 0 {
		return r.total
	}
	return r.at(0).seq
}

// index lists the seqs of the ring's entries that pass the filter, oldest
// first: appended to as lines arrive, cut at the front as the ring drops
// them, so no frame has to filter the whole ring again.
type index struct {
	seqs []int
	head int // seqs[:head] were dropped
}

func (x *index) add(seq int)  { x.seqs = append(x.seqs, seq) }
func (x *index) len() int     { return len(x.seqs) - x.head }
func (x *index) at(i int) int { return x.seqs[x.head+i] }
func (x *index) reset()       { x.seqs, x.head = x.seqs[:0], 0 }

// dropBefore forgets the seqs below seq; the array is compacted once half
// of it is dropped, so memory stays bounded by the ring's capacity.
func (x *index) dropBefore(seq int) {
	for x.head < len(x.seqs) && x.seqs[x.head] < seq {
		x.head++
	}
	if x.head > 0 && x.head >= len(x.seqs)/2 {
		n := copy(x.seqs, x.seqs[x.head:])
		x.seqs, x.head = x.seqs[:n], 0
	}
}

// find is the first i whose seq is at least seq (len when none is).
func (x *index) find(seq int) int {
	live := x.seqs[x.head:]
	return sort.SearchInts(live, seq)
}
