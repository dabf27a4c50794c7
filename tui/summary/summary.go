// Package summary renders the Summary tab: what `kubectl describe` would say
// about a cluster, a namespace or kind group, or one object, as lines.
package summary

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/look"
)

// Input is what one summary is made from; set Member for a cluster, Object
// (and Full once read) for an object, else Label and Counts for a group.
type Input struct {
	Member *kube.Member
	Object *kube.Object
	// Full is the object as read from its WEC (nil while loading).
	Full *unstructured.Unstructured
	// Children are the objects the object owns, from the tree.
	Children []kube.Object
	// BindingPolicy is the KubeStellar binding policy that delivered it.
	BindingPolicy string
	Label         string
	Counts        kube.Counts
	// StaleSince is when the cluster's connection was lost, when what is
	// shown is kept from before that.
	StaleSince time.Time
	Now        time.Time
}

// writer collects styled lines.
type writer struct {
	s     theme.Styles
	now   time.Time
	width int
	lines []string
}

func (w *writer) line(format string, args ...any) {
	w.lines = append(w.lines, fmt.Sprintf(format, args...))
}

func (w *writer) heading(title string) {
	if len(w.lines) > 0 {
		w.lines = append(w.lines, "")
	}
	w.lines = append(w.lines, w.s.Title.Render(title))
}

// field is "  name   value", the value cleaned of escape sequences.
func (w *writer) field(name, value string) {
	if value == "" {
		value = w.s.Muted.Render("—")
	}
	prefix := "  " + w.s.Muted.Render(fmt.Sprintf("%-11s", name)) + " "
	indent := strings.Repeat(" ", 14)
	for i, l := range strings.Split(ansi.Wrap(value, max(w.width-14, 20), " "), "\n") {
		if i == 0 {
			w.lines = append(w.lines, prefix+l)
		} else {
			w.lines = append(w.lines, indent+l)
		}
	}
}

// wrapped adds text wrapped to the width under an indent.
func (w *writer) wrapped(indent, text string) {
	width := max(w.width-len(indent), 20)
	for _, l := range strings.Split(ansi.Wordwrap(termtext.Clean(text), width, " "), "\n") {
		w.lines = append(w.lines, indent+l)
	}
}

// Lines renders the summary for a pane of the given width.
func Lines(in Input, s theme.Styles, width int) []string {
	w := &writer{s: s, width: width, now: in.Now}
	if !in.StaleSince.IsZero() {
		w.line("%s", s.Warn.Render("◌ "+theme.StaleText(in.StaleSince)+": the connection to the cluster is lost; this is as last seen"))
	}
	switch {
	case in.Member != nil:
		w.cluster(in)
	case in.Object != nil:
		w.object(in)
	default:
		w.heading(in.Label)
		w.counts(in.Counts)
	}
	return w.lines
}

// Age is a duration as kubectl prints ages: 45s, 12m, 5h, 3d.
func Age(since, now time.Time) string {
	d := now.Sub(since)
	switch {
	case since.IsZero():
		return "—"
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(int(d.Seconds()), 0))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func (w *writer) when(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04:05") + w.s.Muted.Render(" ("+Age(t, now)+" ago)")
}

func (w *writer) counts(c kube.Counts) {
	w.field("objects", fmt.Sprint(c.Total))
	for _, st := range kube.Statuses {
		if n := c.Of(st); n > 0 {
			w.field("", fmt.Sprintf("%d %s", n, StatusText(w.s, st)))
		}
	}
}

// StatusText is a status's glyph and word in its colour.
func StatusText(s theme.Styles, st kube.Status) string {
	return look.Status(s, st).Render(look.StatusGlyph(st))
}

func (w *writer) cluster(in Input) {
	m := in.Member
	w.heading("ManagedCluster " + termtext.Clean(m.Name))
	w.field("health", look.Health(w.s, m.Health).Render(string(m.Health))+" "+termtext.Clean(m.Reason))
	w.field("context", m.Binding.Context)
	if m.Binding.By == kube.BoundByClusterProxy {
		w.field("reached", m.Binding.Reach())
	} else if m.Binding.By != "" {
		w.field("bound by", string(m.Binding.By))
	}
	conn := string(m.Connection.State)
	if m.Connection.Err != "" {
		conn += ": " + termtext.Clean(m.Connection.Err)
	}
	if !m.Connection.NextRetry.IsZero() && m.Connection.State == kube.Disconnected {
		conn += w.s.Muted.Render(" (next retry " + m.Connection.NextRetry.Local().Format("15:04:05") + ", r retries now)")
	}
	w.field("connection", conn)
	w.field("accepted", yesNo(m.Accepted))
	w.field("joined", yesNo(m.Joined))
	w.field("available", string(m.Available))
	w.field("created", w.when(m.Created, in.Now))
	w.field("kubernetes", m.Version)
	w.heading("Capacity (allocatable / capacity)")
	w.field("cpu", resources(m.CPU))
	w.field("memory", resources(m.Memory))
	w.field("pods", resources(m.Pods))
	w.heading("Objects")
	w.counts(in.Counts)
	w.keyValues("Labels", m.Labels)
	w.keyValues("Cluster claims", m.Claims)
	if len(m.Connection.Restricted) > 0 {
		w.heading("Hidden from you by your rights")
		for _, r := range m.Connection.Restricted {
			w.wrapped("  ", r.String())
		}
	}
}

func resources(r kube.Resources) string {
	if r.Capacity.IsZero() && r.Allocatable.IsZero() {
		return ""
	}
	return r.Allocatable.String() + " / " + r.Capacity.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (w *writer) keyValues(title string, kv map[string]string) {
	w.heading(title)
	if len(kv) == 0 {
		w.line("  %s", w.s.Muted.Render("none"))
		return
	}
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		w.wrapped("  ", k+"="+kv[k])
	}
}

func (w *writer) object(in Input) {
	o := in.Object
	where := o.Namespace + "/" + o.Name
	if o.Namespace == "" {
		where = o.Name
	}
	on := " on " + o.Cluster
	if o.FromWDS {
		on = " in the WDS " + o.Cluster
	}
	w.heading(termtext.Clean(o.Kind) + " " + termtext.Clean(where) + w.s.Muted.Render(termtext.Clean(on)))
	status := look.Status(w.s, o.Status).Render(look.ObjectGlyph(*o)) + " " + termtext.Clean(o.Ready)
	if o.Kind == "Pod" {
		status += " · restarts " + o.RestartsText(in.Now)
	}
	w.field("status", status)
	w.field("created", w.when(o.Created, in.Now))
	if !o.FromITS {
		w.field("uid", string(o.UID))
	}
	apiVersion := o.Version
	if o.Group != "" {
		apiVersion = o.Group + "/" + o.Version
	}
	w.field("apiVersion", termtext.Clean(apiVersion))
	if o.DeliveredBy != "" {
		policy := in.BindingPolicy
		if policy == "" {
			policy = "unknown binding policy"
		}
		w.field("delivered", "by KubeStellar ("+termtext.Clean(policy)+", work "+termtext.Clean(o.DeliveredBy)+")")
	}
	if in.Full == nil {
		w.line("")
		w.line("  %s", w.s.Muted.Render("reading the object…"))
		w.held(in.Counts)
		w.children(in)
		return
	}
	u := in.Full.Object
	w.field("version", in.Full.GetResourceVersion())
	w.statusSection(u, in.Now)
	w.keyValues("Labels", in.Full.GetLabels())
	// A Secret's last-applied configuration holds its values.
	w.keyValues("Annotations", kube.MaskSecret(in.Full).GetAnnotations())
	if sel, ok := nested(u, "spec", "selector").(map[string]any); ok {
		w.heading("Selector")
		w.wrapped("  ", selectorText(sel))
	}
	if spec := podSpec(u); spec != nil {
		w.podSpec(spec, nestedSlice(u, "status", "initContainerStatuses"), nestedSlice(u, "status", "containerStatuses"))
	}
	w.owners(in.Full)
	w.held(in.Counts)
	w.children(in)
}

// held is what a namespace row's Namespace holds (nothing for other objects).
func (w *writer) held(c kube.Counts) {
	if c.Total > 0 {
		w.heading("Objects")
		w.counts(c)
	}
}

// statusSection shows readiness, replica counts, pod placement and the
// conditions.
func (w *writer) statusSection(u map[string]any, now time.Time) {
	status, _ := u["status"].(map[string]any)
	if status == nil {
		return
	}
	var replicas []string
	for _, f := range []string{"replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas",
		"currentNumberScheduled", "desiredNumberScheduled", "numberReady", "numberAvailable", "active", "succeeded", "failed"} {
		if v, ok := status[f]; ok {
			replicas = append(replicas, fmt.Sprintf("%s %v", f, v))
		}
	}
	if desired := nested(u, "spec", "replicas"); desired != nil {
		replicas = append([]string{fmt.Sprintf("desired %v", desired)}, replicas...)
	}
	if len(replicas) > 0 || status["phase"] != nil {
		w.heading("Status")
		if phase, ok := status["phase"].(string); ok {
			w.field("phase", phase)
		}
		for _, f := range []string{"nodeName"} {
			if v, ok := nested(u, "spec", f).(string); ok {
				w.field("node", v)
			}
		}
		if ip, ok := status["podIP"].(string); ok {
			w.field("pod IP", ip)
		}
		if reason, ok := status["reason"].(string); ok {
			w.field("reason", reason)
		}
		if len(replicas) > 0 {
			w.wrapped("  ", strings.Join(replicas, " · "))
		}
	}
	conds, _ := status["conditions"].([]any)
	if len(conds) == 0 {
		return
	}
	w.heading("Conditions")
	for _, c := range conds {
		cm, _ := c.(map[string]any)
		typ, st, reason, msg := str(cm["type"]), str(cm["status"]), str(cm["reason"]), str(cm["message"])
		style := w.s.OK
		if st != "True" {
			style = w.s.Warn
		}
		age := ""
		if t, err := time.Parse(time.RFC3339, str(cm["lastTransitionTime"])); err == nil {
			age = w.s.Muted.Render(" " + Age(t, now))
		}
		w.line("  %-16s %s %s%s", termtext.Clean(typ), style.Render(fmt.Sprintf("%-7s", st)), termtext.Clean(reason), age)
		if msg != "" {
			w.wrapped("      ", msg)
		}
	}
}

func (w *writer) podSpec(spec map[string]any, initStatuses, statuses []any) {
	for _, group := range []struct {
		title, field string
		statuses     []any
	}{{"Init containers", "initContainers", initStatuses}, {"Containers", "containers", statuses}, {"Ephemeral containers", "ephemeralContainers", nil}} {
		list, _ := spec[group.field].([]any)
		if len(list) == 0 {
			continue
		}
		w.heading(group.title)
		for _, c := range list {
			cm, _ := c.(map[string]any)
			w.container(cm, containerStatus(group.statuses, str(cm["name"])))
		}
	}
	if vols, _ := spec["volumes"].([]any); len(vols) > 0 {
		w.heading("Volumes")
		for _, v := range vols {
			vm, _ := v.(map[string]any)
			source := ""
			for k, val := range vm {
				if k != "name" {
					source = k
					if m, ok := val.(map[string]any); ok {
						for _, f := range []string{"name", "secretName", "claimName", "path"} {
							if s := str(m[f]); s != "" {
								source += " " + s
							}
						}
					}
				}
			}
			w.field(str(vm["name"]), termtext.Clean(source))
		}
	}
}

func (w *writer) container(c map[string]any, status map[string]any) {
	w.line("  %s  %s", w.s.Key.Render(termtext.Clean(str(c["name"]))), termtext.Clean(str(c["image"])))
	if status != nil {
		state := "unknown"
		if st, ok := status["state"].(map[string]any); ok {
			for name, v := range st {
				state = name
				if m, ok := v.(map[string]any); ok {
					if r := str(m["reason"]); r != "" {
						state += ": " + r
					}
					if code, ok := m["exitCode"]; ok {
						state += fmt.Sprintf(" (exit %v)", code)
					}
					if t, err := time.Parse(time.RFC3339, str(m["startedAt"])); err == nil && name == "running" {
						state += " for " + Age(t, w.now)
					}
				}
			}
		}
		w.field("  state", fmt.Sprintf("%s · ready %v · restarts %v", termtext.Clean(state), status["ready"], status["restartCount"]))
	}
	var ports []string
	for _, p := range sliceOf(c["ports"]) {
		pm, _ := p.(map[string]any)
		port := fmt.Sprintf("%v/%s", pm["containerPort"], orTCP(str(pm["protocol"])))
		if name := str(pm["name"]); name != "" {
			port = name + " " + port
		}
		ports = append(ports, port)
	}
	w.field("  ports", termtext.Clean(strings.Join(ports, ", ")))
	w.field("  requests", resourceList(c, "requests"))
	w.field("  limits", resourceList(c, "limits"))
	for _, e := range sliceOf(c["env"]) {
		em, _ := e.(map[string]any)
		w.field("  env", termtext.Clean(envText(em)))
	}
	for _, m := range sliceOf(c["volumeMounts"]) {
		mm, _ := m.(map[string]any)
		mount := str(mm["mountPath"]) + " ← " + str(mm["name"])
		if ro, _ := mm["readOnly"].(bool); ro {
			mount += " (read-only)"
		}
		w.field("  mount", termtext.Clean(mount))
	}
}

// envText shows a literal value, and for a value from elsewhere only where
// it comes from: a Secret's value never reaches the screen.
func envText(e map[string]any) string {
	name := str(e["name"])
	if v, ok := e["value"]; ok {
		return name + "=" + str(v)
	}
	from, _ := e["valueFrom"].(map[string]any)
	for kind, ref := range from {
		rm, _ := ref.(map[string]any)
		switch kind {
		case "secretKeyRef":
			return fmt.Sprintf("%s from Secret %s key %s (value not shown)", name, str(rm["name"]), str(rm["key"]))
		case "configMapKeyRef":
			return fmt.Sprintf("%s from ConfigMap %s key %s", name, str(rm["name"]), str(rm["key"]))
		case "fieldRef":
			return fmt.Sprintf("%s from field %s", name, str(rm["fieldPath"]))
		case "resourceFieldRef":
			return fmt.Sprintf("%s from resource %s", name, str(rm["resource"]))
		}
	}
	return name
}

func resourceList(c map[string]any, which string) string {
	res, _ := nested(c, "resources", which).(map[string]any)
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(res)) {
		parts = append(parts, fmt.Sprintf("%s %v", k, res[k]))
	}
	return strings.Join(parts, " · ")
}

func containerStatus(statuses []any, name string) map[string]any {
	for _, s := range statuses {
		if m, ok := s.(map[string]any); ok && m["name"] == name {
			return m
		}
	}
	return nil
}

func (w *writer) owners(u *unstructured.Unstructured) {
	refs := u.GetOwnerReferences()
	if len(refs) == 0 {
		return
	}
	w.heading("Owners")
	for _, r := range refs {
		text := r.Kind + " " + r.Name
		if r.Controller != nil && *r.Controller {
			text += w.s.Muted.Render(" (controller)")
		}
		w.line("  %s", termtext.Clean(text))
	}
}

func (w *writer) children(in Input) {
	if len(in.Children) == 0 {
		return
	}
	w.heading(fmt.Sprintf("Owns (%d)", len(in.Children)))
	for _, c := range in.Children {
		w.line("  %s %s %s %s", w.s.Muted.Render(c.Kind), termtext.Clean(c.Name), StatusText(w.s, c.Status), c.Ready)
	}
}

// podSpec finds the pod template of a workload, or a Pod's own spec.
func podSpec(u map[string]any) map[string]any {
	for _, path := range [][]string{{"spec", "template", "spec"}, {"spec", "jobTemplate", "spec", "template", "spec"}} {
		if m, ok := nested(u, path...).(map[string]any); ok {
			return m
		}
	}
	if u["kind"] == "Pod" {
		m, _ := u["spec"].(map[string]any)
		return m
	}
	return nil
}

func selectorText(sel map[string]any) string {
	var parts []string
	labels, _ := sel["matchLabels"].(map[string]any)
	if labels == nil && sel["matchExpressions"] == nil {
		labels = sel // a Service's selector is a plain map
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, labels[k]))
	}
	for _, e := range sliceOf(sel["matchExpressions"]) {
		em, _ := e.(map[string]any)
		parts = append(parts, fmt.Sprintf("%s %s %v", str(em["key"]), str(em["operator"]), em["values"]))
	}
	return strings.Join(parts, ", ")
}

func nested(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func nestedSlice(m map[string]any, path ...string) []any { return sliceOf(nested(m, path...)) }

func sliceOf(v any) []any {
	s, _ := v.([]any)
	return s
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func orTCP(p string) string {
	if p == "" {
		return "TCP"
	}
	return p
}
