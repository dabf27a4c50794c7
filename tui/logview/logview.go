// Package logview is the Logs tab: a followed, colourised log of a pod or
// of every pod of a workload (on one WEC or all that have it), kept in a
// ring of lines, with search, filter, save and the usual toggles.
package logview

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/internal/config"
	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
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
	sources     map[kube.LogSource]bool
	// following scrolls to each new line; scrolling up stops it.
	following                         bool
	top                               int // seq of the top line while not following
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

// Loggable reports whether an object has logs: pods and what owns pods.
func Loggable(o kube.Object) bool {
	switch o.Kind {
	case "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob":
		return true
	}
	return false
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
	m.ring.clear()
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
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case linesMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		for _, l := range msg.lines {
			l.Text = termtext.Clean(l.Text)
			m.sources[l.Source] = true
			m.ring.push(entry{line: l, level: DetectLevel(l.Text)})
		}
		if msg.closed {
			m.status = "end of log"
			return m, nil
		}
		return m, listen(msg.seq, msg.ch)
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
	return m, nil
}

func (m Model) key(key tea.KeyPressMsg) (Model, tea.Cmd) {
	switch key.String() {
	case "f":
		m.following = !m.following
		m.top = m.lastTop()
	case "G", "end":
		m.following = true
	case "up", "k":
		m.scroll(-1)
	case "down", "j":
		m.scroll(1)
	case "pgup", "ctrl+b", "ctrl+u":
		m.scroll(-max(m.height-2, 1))
	case "pgdown", "ctrl+f", "space":
		m.scroll(max(m.height-2, 1))
	case "g", "home":
		m.following = false
		m.top = m.ring.first()
	case "T":
		m.timestamps = !m.timestamps
	case "w":
		m.wrap = !m.wrap
	case "#":
		m.numbers = !m.numbers
	case "P":
		m.pretty = !m.pretty
	case "t":
		m.tail = (m.tail + 1) % len(tails)
		return m, m.restart()
	case "p":
		m.previous = !m.previous
		return m, m.restart()
	case "c":
		if len(m.containers) > 0 {
			m.container++
			if m.container >= len(m.containers) {
				m.container = -1
			}
			return m, m.restart()
		}
		m.status = "no container list (yet) for this object"
	case "a":
		if len(m.elsewhere) == 0 {
			m.status = "no other cluster has " + m.target.Kind + " " + m.target.Namespace + "/" + m.target.Name
			return m, nil
		}
		m.allClusters = !m.allClusters
		return m, m.restart()
	case "ctrl+l":
		m.ring.clear()
		m.status = "cleared"
	case "s":
		return m, m.save()
	case "n":
		m.jump(1)
	case "N":
		m.jump(-1)
	}
	return m, nil
}

// displayed are the entries that pass the filter, oldest first.
func (m Model) displayed() []entry {
	out := make([]entry, 0, m.ring.len())
	for i := range m.ring.len() {
		e := m.ring.at(i)
		if e.line.Marker == "" && m.filter.Active() && !m.filter.Match(e.line.Text) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// topIndex is where the window starts in list.
func (m Model) topIndex(list []entry) int {
	if m.following {
		return max(len(list)-m.height, 0)
	}
	for i, e := range list {
		if e.seq >= m.top {
			return i
		}
	}
	return max(len(list)-m.height, 0)
}

func (m Model) lastTop() int {
	list := m.displayed()
	if i := m.topIndex(list); i < len(list) {
		return list[i].seq
	}
	return 0
}

func (m *Model) scroll(delta int) {
	list := m.displayed()
	if len(list) == 0 {
		return
	}
	i := max(0, min(m.topIndex(list)+delta, len(list)-1))
	m.following = false
	m.top = list[i].seq
}

// jump moves the window to the next (1) or previous (-1) search match.
func (m *Model) jump(dir int) {
	if !m.search.Active() {
		return
	}
	list := m.displayed()
	at := m.topIndex(list)
	for i := at + dir; i >= 0 && i < len(list); i += dir {
		if m.search.Match(list[i].line.Text) {
			m.following = false
			m.top = list[i].seq
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
		list := m.displayed()
		for i := len(list) - 1; i >= 0; i-- {
			if matcher.Match(list[i].line.Text) {
				m.following, m.top = false, list[i].seq
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
	name := fmt.Sprintf("%s_%s_%s_%s.log", m.target.Cluster, m.target.Namespace, m.target.Name, time.Now().Format("20060102-150405"))
	path := filepath.Join(m.SaveDir, name)
	var b strings.Builder
	list := m.displayed()
	for _, e := range list {
		b.WriteString(m.plainLine(e) + "\n")
	}
	text, lines := b.String(), len(list)
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

// prefix names the source when more than one is shown.
func (m Model) prefix(src kube.LogSource) string {
	if len(m.sources) <= 1 && !m.allClusters {
		return ""
	}
	p := src.Pod + "/" + src.Container
	if m.allClusters {
		p = src.Cluster + "/" + p
	}
	return p
}

// Header describes what is streamed and how, for the line above the log.
func (m Model) Header() string {
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
	where := m.target.Cluster
	if m.allClusters {
		where = strings.Join(append([]string{m.target.Cluster}, m.elsewhere...), ",")
	}
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

// Hint lists the tab's keys for the footer.
func (m Model) Hint() string {
	return "f follow  c container  t tail  p previous  a all clusters  F filter  s save  T time  w wrap  P pretty  ctrl+l clear"
}

// View draws the window of the log.
func (m Model) View() string {
	if m.target == nil {
		return m.styles.Muted.Render("Select a pod or a workload that runs pods to see its logs.")
	}
	height := m.height
	var status []string
	if m.status != "" {
		// Wrapped, not cut: a saved file's path must be readable in full.
		status = strings.Split(m.styles.Warn.Render(ansi.Wrap(m.status, max(m.width, 1), "/ ")), "\n")
		height = max(height-len(status), 1)
	}
	list := m.displayed()
	start := m.topIndex(list)
	var rows []string
	for i := start; i < len(list) && len(rows) < height; i++ {
		rows = append(rows, m.render(list[i])...)
	}
	if m.following && len(rows) > height {
		rows = rows[len(rows)-height:]
	}
	if len(rows) > height {
		rows = rows[:height]
	}
	switch {
	case len(list) == 0 && m.ring.len() > 0:
		rows = []string{m.styles.Muted.Render("no line passes the filter " + m.filter.Pattern + " (F, then esc, drops it)")}
	case len(list) == 0:
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
		head += PrefixStyle(p).Render(p) + " "
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

func (r *ring) push(e entry) {
	e.seq = r.total
	r.total++
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = e
		r.n++
		return
	}
	r.buf[r.start] = e
	r.start = (r.start + 1) % len(r.buf)
}

func (r *ring) len() int       { return r.n }
func (r *ring) at(i int) entry { return r.buf[(r.start+i)%len(r.buf)] }
func (r *ring) clear()         { r.start, r.n = 0, 0 }
func (r *ring) first() int {
	if r.n == 0 {
		return r.total
	}
	return r.at(0).seq
}
