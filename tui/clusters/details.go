package clusters

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui/bar"
	"github.com/wecs-tui/wecs/tui/look"
	"github.com/wecs-tui/wecs/tui/summary"
	"github.com/wecs-tui/wecs/tui/yamlview"
)

func age(t, now time.Time) string { return summary.Age(t, now) }

// quantities is a column's figure: the allocatable amount.
func quantities(r kube.Resources, bytes bool) string {
	q := r.Allocatable
	if q.IsZero() {
		q = r.Capacity
	}
	switch {
	case q.IsZero():
		return "—"
	case bytes:
		return bar.Bytes(q.Value())
	}
	return q.String()
}

// lines collects the details' styled lines.
type lines struct {
	out   []string
	width int
}

func (l *lines) add(format string, args ...any) { l.out = append(l.out, fmt.Sprintf(format, args...)) }

func (l *lines) heading(m *Model, title string) {
	if len(l.out) > 0 {
		l.out = append(l.out, "")
	}
	l.out = append(l.out, m.styles.Title.Render(title))
}

// wrap adds text wrapped under an indent.
func (l *lines) wrap(indent, text string) {
	for _, w := range strings.Split(ansi.Wordwrap(text, max(l.width-len(indent), 20), " "), "\n") {
		l.out = append(l.out, indent+w)
	}
}

// render rebuilds the text of the details tab on show.
func (m *Model) render() {
	if m.width == 0 {
		return
	}
	l := &lines{width: m.width}
	var mem *kube.Member
	for i := range m.all {
		if m.all[i].Name == m.Selected() {
			mem = &m.all[i]
		}
	}
	switch {
	case mem == nil:
		l.add("%s", m.styles.Muted.Render("No cluster selected."))
	case m.tab == TabDetails:
		m.detailsTab(l, mem)
	case m.tab == TabRegistration:
		m.registrationTab(l, mem)
	case m.tab == TabYAML:
		m.yamlTab(l, mem)
	}
	m.details.LineNumbers = m.tab == TabYAML
	m.details.SetLines(l.out)
}

// problems says what of the ITS could not be read, or that it is being read.
func (m *Model) problems(l *lines) {
	switch {
	case m.detailErr != nil:
		l.add("%s", m.styles.Error.Render("Cannot read it from the ITS: "+termtext.Clean(m.detailErr.Error())))
	case m.detail.Cluster != m.Selected():
		l.add("%s", m.styles.Muted.Render("reading from the ITS…"))
	}
	for _, p := range m.detail.Problems {
		l.add("%s", m.styles.Warn.Render("Cannot read the "+termtext.Clean(p)))
	}
}

func (m *Model) detailsTab(l *lines, mem *kube.Member) {
	s, now := m.styles, m.Now()
	l.add("%s %s", s.Title.Render("ManagedCluster "+termtext.Clean(mem.Name)), look.Health(s, mem.Health).Render(string(mem.Health)))
	l.wrap("  ", termtext.Clean(mem.Reason))
	l.add("  accepted %s · joined %s · available %s · kubernetes %s · created %s ago", yesNo(mem.Accepted), yesNo(mem.Joined),
		orDash(string(mem.Available)), orDash(mem.Version), age(mem.Created, now))
	conn := string(mem.Connection.State)
	if mem.Connection.Err != "" {
		conn += ": " + mem.Connection.Err
	}
	reach := "context none"
	switch {
	case mem.Binding.By == kube.BoundByClusterProxy:
		reach = mem.Binding.Reach()
	case mem.Binding.Bound():
		reach = mem.Binding.Reach() + " (" + mem.Binding.By + ")"
	}
	l.wrap("  ", termtext.Clean(reach+" · connection "+conn))
	m.problems(l)

	l.heading(m, "Capacity: requests of its pods against allocatable (capacity)")
	cpu, memory, pods := m.requests(mem.Name)
	barWidth := max(min(m.width-50, 30), 10)
	capRow := func(name string, used int64, r kube.Resources, show func(int64) string, value func(resource.Quantity) int64) {
		alloc := value(r.Allocatable)
		l.add("  %-7s %s %s / %s (%s)", name, bar.Fill(used, alloc, barWidth, s), show(used), show(alloc), show(value(r.Capacity)))
	}
	capRow("cpu", cpu, mem.CPU, bar.CPU, func(q resource.Quantity) int64 { return q.MilliValue() })
	capRow("memory", memory, mem.Memory, bar.Bytes, func(q resource.Quantity) int64 { return q.Value() })
	capRow("pods", int64(pods), mem.Pods, func(n int64) string { return fmt.Sprint(n) }, func(q resource.Quantity) int64 { return q.Value() })

	l.heading(m, "Labels")
	for _, k := range slices.Sorted(maps.Keys(mem.Labels)) {
		line := termtext.Clean(k + "=" + mem.Labels[k])
		if kube.ReservedLabel(k) != "" {
			line += s.Muted.Render("  (reserved)")
		}
		l.add("  %s", line)
	}
	if len(mem.Labels) == 0 {
		l.add("  %s", s.Muted.Render("none"))
	}
	l.add("  %s", s.Muted.Render("L edits them, e the whole ManagedCluster; keys under kubernetes.io, k8s.io and open-cluster-management.io are reserved"))
	m.keyValues(l, "Annotations", m.detail.Annotations)

	l.heading(m, "Conditions")
	for _, c := range mem.Conditions {
		style := s.OK
		if c.Status != "True" {
			style = s.Warn
		}
		l.add("  %-34s %s %-26s %5s", c.Type, style.Render(fmt.Sprintf("%-7s", c.Status)), c.Reason, age(c.LastTransitionTime.Time, now))
		if c.Message != "" {
			l.wrap("      ", termtext.Clean(c.Message))
		}
	}
	if len(mem.Conditions) == 0 {
		l.add("  %s", s.Muted.Render("none reported: the agent has not joined"))
	}
	m.keyValues(l, "Cluster claims", mem.Claims)
	l.heading(m, "Taints")
	for _, t := range mem.Taints {
		l.add("  %s=%s:%s", termtext.Clean(t.Key), termtext.Clean(t.Value), t.Effect)
	}
	if len(mem.Taints) == 0 {
		l.add("  %s", s.Muted.Render("none"))
	}
	l.heading(m, "ManagedClusterSets")
	l.add("  %s", orDash(strings.Join(m.detail.ClusterSets, ", ")))
	if m.detail.Properties == nil {
		l.heading(m, "Customization properties")
		l.add("  %s", s.Muted.Render("no ConfigMap "+kube.CustomizationNamespace+"/"+mem.Name+" on the ITS"))
	} else {
		m.keyValues(l, "Customization properties ("+kube.CustomizationNamespace+"/"+mem.Name+")", m.detail.Properties)
	}
}

func (m *Model) keyValues(l *lines, title string, kv map[string]string) {
	l.heading(m, title)
	if len(kv) == 0 {
		l.add("  %s", m.styles.Muted.Render("none"))
	}
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		l.wrap("  ", termtext.Clean(k+"="+kv[k]))
	}
}

func (m *Model) registrationTab(l *lines, mem *kube.Member) {
	s, now := m.styles, m.Now()
	l.add("%s %s", s.Title.Render("Registration of "+termtext.Clean(mem.Name)), look.Health(s, mem.Health).Render(string(mem.Health)))
	l.wrap("  ", termtext.Clean(mem.Reason))
	if mem.Health == kube.HealthPending {
		l.add("  %s", s.Key.Render("a accepts it: approves its agent's CSRs and sets hubAcceptsClient (asks first)"))
	}
	m.problems(l)
	l.heading(m, "Registration CSRs")
	if len(m.detail.CSRs) == 0 {
		l.add("  %s", s.Muted.Render("none on the ITS"))
	}
	for _, c := range slices.Backward(m.detail.CSRs) {
		state := c.State
		if c.Issued {
			state += ", issued"
		}
		style := s.OK
		if c.State != "Approved" {
			style = s.Warn
		}
		l.add("  %s %s %s ago", termtext.Clean(c.Name), style.Render(state), age(c.Created, now))
		l.wrap("      ", termtext.Clean("requester "+c.Requester+" · for "+orDash(c.Identity)+" · signer "+c.Signer))
	}
	l.heading(m, "Lease")
	if m.detail.LeaseRenewed.IsZero() {
		l.add("  %s", s.Muted.Render("never renewed: the agent has not joined"))
	} else {
		l.add("  renewed by the agent %s ago (%s)", age(m.detail.LeaseRenewed, now), m.detail.LeaseRenewed.Local().Format("15:04:05"))
	}
	l.heading(m, "Timeline, newest last")
	for _, e := range m.detail.Timeline {
		style := s.Text
		if e.Warning {
			style = s.Warn
		}
		head := "  " + s.Muted.Render(e.Time.Local().Format("15:04:05")) + " " + s.Accent.Render(fmt.Sprintf("%-9s", e.Source)) + " "
		for i, w := range strings.Split(ansi.Wordwrap(termtext.Clean(e.Text), max(l.width-22, 20), " "), "\n") {
			if i > 0 {
				head = strings.Repeat(" ", 21)
			}
			l.add("%s%s", head, style.Render(w))
		}
	}
}

func (m *Model) yamlTab(l *lines, mem *kube.Member) {
	obj := m.src.ClusterObject(mem.Name)
	if obj == nil {
		l.add("%s", m.styles.Muted.Render("The ITS no longer lists this cluster."))
		return
	}
	out, err := yamlview.Lines(obj, false, false, m.styles)
	if err != nil {
		l.add("%s", m.styles.Error.Render("Cannot show it: "+err.Error()))
		return
	}
	l.out = append(l.out, out...)
}
