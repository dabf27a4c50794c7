package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui/command"
	"github.com/wecs-tui/wecs/tui/help"
)

// commands are the ":" commands besides kind names, with their help.
var commands = []help.Key{
	{Keys: ":cluster C", What: "only cluster C (no name: every cluster)"},
	{Keys: ":ns N", What: "only namespace N (no name: every namespace)"},
	{Keys: ":status S", What: "only Failed, Pending, Running … (none: any)"},
	{Keys: ":label SEL", What: "only objects matching a label selector"},
	{Keys: ":delivered", What: "only objects KubeStellar delivered (toggle)"},
	{Keys: ":system", What: "show system namespaces (toggle)"},
	{Keys: ":clear", What: "drop every filter"},
	{Keys: ":KIND", What: "only that kind (:deploy, :po, :svc …; :all for any)"},
	{Keys: ":export [PATH]", What: "write the selected object's YAML to a file"},
	{Keys: ":clusters [S]", What: "clusters view (S: Pending, Active …)"},
	{Keys: ":nodes [C]", What: "node capacity of cluster C"},
	{Keys: ":health", What: "fleet health check"},
	{Keys: ":help", What: "this help"},
	{Keys: ":q", What: "quit"},
}

var commandWords = []string{"clusters", "nodes", "health", "cluster", "ns", "namespace", "status", "label", "delivered", "system", "clear", "all", "help", "q", "quit",
	"edit", "delete", "scale", "restart", "export"}

// typeCommand edits the ":" line (a key or a paste) and runs it on enter.
func (m Model) typeCommand(msg tea.Msg) (tea.Model, tea.Cmd) {
	var line string
	var done bool
	m.command, line, done = m.command.Update(msg)
	if !done {
		return m, nil
	}
	m.commanding = false
	if line == "" {
		return m, nil
	}
	if line == "q" || line == "quit" || line == "q!" {
		return m, m.quit()
	}
	cmd, err := m.run(line)
	if err != nil {
		m.problem = err.Error()
	}
	return m, tea.Batch(cmd, m.showSelected(), m.takeScreenCmd())
}

// run applies one command line: a filter, or an action on the selection.
func (m *Model) run(line string) (tea.Cmd, error) {
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	if ok, err := m.screenCommand(name, arg); ok {
		return nil, err
	}
	f := m.tree.Filter()
	switch strings.ToLower(name) {
	case "cluster", "clusters", "ctx":
		f.Clusters = nil
		if arg != "" {
			if !slices.Contains(m.clusterNames(), arg) {
				return nil, fmt.Errorf("no cluster %q in the fleet (tab completes the names)", arg)
			}
			f.Clusters = []string{arg}
		}
	case "ns", "namespace", "namespaces":
		f.Namespace = arg
		if arg == "all" || arg == "-A" {
			f.Namespace = ""
		}
	case "status":
		f.Statuses, f.Words = nil, nil
		if arg != "" {
			if err := f.AddStatus(arg); err != nil {
				return nil, err
			}
		}
	case "label", "labels", "l":
		f.Selector = nil
		if arg != "" {
			sel, err := labels.Parse(arg)
			if err != nil {
				return nil, fmt.Errorf("label selector %q: %v (e.g. app=web,tier!=db)", arg, err)
			}
			f.Selector = sel
		}
	case "delivered":
		f.DeliveredOnly = !f.DeliveredOnly
	case "system":
		f.ShowSystem = !f.ShowSystem
	case "clear", "reset":
		f = kube.Filter{ShowSystem: f.ShowSystem}
	case "all", "kind":
		f.Kinds = nil
	case "help", "?":
		m.openHelp()
		return nil, nil
	case "edit":
		return m.edit(), nil
	case "delete":
		return m.remove(), nil
	case "scale":
		return m.scale(arg)
	case "restart":
		return m.restart()
	case "export":
		return m.export(arg), nil
	default:
		kind, ok := m.kindNamed(name)
		if !ok {
			return nil, fmt.Errorf("unknown command or kind %q: :help lists the commands, tab completes", name)
		}
		f.Kinds = []string{kind}
	}
	m.tree.SetFilter(f)
	return nil, nil
}

// kindNamed resolves an alias or a kind present in the fleet.
func (m *Model) kindNamed(name string) (string, bool) {
	kind := kube.ResolveKind(name)
	for _, k := range m.fleetKinds() {
		if strings.EqualFold(k, kind) {
			return k, true
		}
	}
	return kind, kind != name // a known alias of a kind the fleet has none of (yet)
}

func (m *Model) clusterNames() []string {
	var names []string
	for _, mem := range m.fleet.Members() {
		names = append(names, mem.Name)
	}
	return names
}

// fleetKinds and fleetNamespaces are what the fleet holds now, for
// completion and checks.
func (m *Model) fleetKinds() []string {
	var kinds []string
	for _, o := range m.objects.Find(kube.Filter{ShowSystem: true}) {
		if !slices.Contains(kinds, o.Kind) {
			kinds = append(kinds, o.Kind)
		}
	}
	return kinds
}

func (m *Model) fleetNamespaces() []string {
	var names []string
	for _, c := range m.clusterNames() {
		for _, ns := range m.objects.Namespaces(c, true) {
			if ns.Name != "" {
				names = append(names, ns.Name)
			}
		}
	}
	return names
}

// completer lists the full lines that extend an input, from what the fleet
// holds when the command line opens.
func (m Model) completer() func(string) []string {
	kinds, clusters, namespaces := m.fleetKinds(), m.clusterNames(), m.fleetNamespaces()
	first := append(slices.Clone(commandWords), kube.KindAliases()...)
	for _, k := range kinds {
		first = append(first, strings.ToLower(k))
	}
	return func(input string) []string {
		name, _, hasArg := strings.Cut(input, " ")
		if !hasArg {
			return command.Complete(input, first)
		}
		switch strings.ToLower(name) {
		case "cluster", "clusters", "ctx", "nodes":
			return command.Complete(input, clusters)
		case "ns", "namespace", "namespaces":
			return command.Complete(input, namespaces)
		case "status":
			return command.Complete(input, strings.Split(kube.StatusNames(), ", "))
		}
		return nil
	}
}

// helpSections are the keys of the focused view, then the commands.
func (m Model) helpSections() []help.Section {
	if m.screens.on != screenTree {
		return m.screenHelp()
	}
	global := help.Section{Title: "Everywhere", Keys: []help.Key{
		{Keys: "d / 1", What: "Summary tab"}, {Keys: "y / 2", What: "YAML tab"}, {Keys: "v / 3", What: "Events tab"},
		{Keys: "l L / 4", What: "Logs tab (l on a pod or workload)"},
		{Keys: "/", What: "search (the tree, or the tab's text)"}, {Keys: ":", What: "command"},
		{Keys: "r", What: "reconnect the selected cluster"}, {Keys: "?", What: "this help"}, {Keys: "ctrl+c", What: "quit"},
	}}
	if m.focus == focusPane {
		return []help.Section{{Title: "Details pane", Keys: []help.Key{
			{Keys: "esc / h", What: "back to the tree"}, {Keys: "tab / ]", What: "next tab"}, {Keys: "shift+tab / [", What: "previous tab"},
			{Keys: "↑↓ j k", What: "scroll"}, {Keys: "pgup pgdn", What: "page"},
			{Keys: "g / G", What: "top / bottom"}, {Keys: "n / N", What: "next / previous match"},
			{Keys: "J", What: "YAML: JSON or YAML"}, {Keys: "#", What: "YAML: line numbers"}, {Keys: "x", What: "YAML: reveal or hide a Secret's values"},
			{Keys: "p", What: "Events: include owned objects' events"}, {Keys: "q", What: "back to the tree"},
		}}, {Title: "Logs tab", Keys: []help.Key{
			{Keys: "f / G", What: "follow on or off / follow again"}, {Keys: "↑↓ pgup g", What: "scroll (pauses following)"},
			{Keys: "c", What: "container: each in turn, then all"}, {Keys: "t", What: "tail 100, 500, all, 50"},
			{Keys: "p", What: "previous (terminated) run"}, {Keys: "a", What: "all clusters with this workload"},
			{Keys: "/ n N", What: "search: text, /regex/, !inverse"}, {Keys: "F", What: "filter: only matching lines"},
			{Keys: "s", What: "save to a file (the path is shown)"}, {Keys: "ctrl+l", What: "clear"},
			{Keys: "T w # P", What: "timestamps, wrap, line numbers, pretty JSON"},
		}}, global, m.actionSection(), {Title: "Commands", Keys: commands}}
	}
	return []help.Section{{Title: "Fleet tree", Keys: []help.Key{
		{Keys: "↑↓ j k", What: "move"}, {Keys: "→ l enter", What: "open (a leaf: its details)"}, {Keys: "← h", What: "close, then up"},
		{Keys: "esc", What: "drop the search, then up a level"}, {Keys: "+ / -", What: "open all / close all"},
		{Keys: "tab", What: "next cluster"}, {Keys: "g / G", What: "top / bottom"}, {Keys: "pgup pgdn", What: "page"},
		{Keys: "n / N", What: "next / previous match"}, {Keys: "s", What: "status: Failed, Pending, Running, any"},
		{Keys: "S", What: "system namespaces"}, {Keys: "K", What: "delivered by KubeStellar only"},
		{Keys: "x", What: "clear every filter"}, {Keys: "c / Y", What: "copy the name / the YAML (OSC 52)"}, {Keys: "q", What: "quit (asks first; ctrl+c, :q do not)"},
		{Keys: "C", What: "clusters: status, registration, accept"}, {Keys: "U", What: "node capacity of the cluster"},
		{Keys: "H", What: "fleet health check"},
	}}, global, m.actionSection(), {Title: "Commands", Keys: commands}}
}

// actionSection lists the keys that change things, or says there are none.
func (m Model) actionSection() help.Section {
	if m.cfg.ReadOnly {
		return help.Section{Title: "Actions", Keys: []help.Key{{Keys: "RO", What: "read-only: nothing can be changed"}}}
	}
	return help.Section{Title: "Actions", Keys: []help.Key{
		{Keys: "e", What: "edit in $KUBE_EDITOR / $EDITOR / vi"}, {Keys: "ctrl+d", What: "delete (asks first)"},
		{Keys: ":scale N", What: "scale a Deployment or StatefulSet"}, {Keys: ":restart", What: "restart a workload's rollout"},
		{Keys: ":edit :delete", What: "as e and ctrl+d"},
	}}
}
