package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui/command"
	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/status"
)

// commands are the ":" commands besides kind names, with their help.
var commands = []struct{ line, what string }{
	{":cluster C", "only cluster C (no name: every cluster)"},
	{":ns N", "only namespace N (no name: every namespace)"},
	{":status S", "only Failed, Pending, Running … (none: any)"},
	{":label SEL", "only objects matching a label selector"},
	{":delivered", "only objects KubeStellar delivered (toggle)"},
	{":system", "show system namespaces (toggle)"},
	{":clear", "drop every filter"},
	{":KIND", "a table of that kind across the fleet (:pods, :deploy, :svc, :widgets …)"},
	{":kind K", "only kind K in the tree (no kind, or :all: any)"},
	{":export [PATH]", "write the selected object's YAML to a file"},
	{":scale N", "scale a Deployment or StatefulSet"},
	{":restart", "restart a workload's rollout (asks first)"},
	{":edit :delete", "as e and ctrl+d"},
	{":clusters [S]", "clusters view (S: Pending, Active …)"},
	{":nodes [C]", "node capacity of cluster C"},
	{":health", "fleet health check"},
	{":bindings", "binding policies → objects → WECs, with the gaps"},
	{":staged (:wds)", "the WDS's staged workloads and the policies that select them"},
	{":help", "this help"},
	{":q", "quit"},
}

var commandWords = []string{"clusters", "nodes", "health", "bindings", "staged", "wds", "cluster", "ns", "namespace", "status", "label", "delivered", "system", "clear", "all", "kind", "help", "q", "quit",
	"edit", "delete", "scale", "restart", "export"}

// runLine runs a ":" line.
func (m *Model) runLine(line string) tea.Cmd {
	switch line {
	case "":
		return nil
	case "q", "quit", "q!":
		return m.quit()
	}
	cmd, err := m.run(line)
	if err != nil {
		return status.Problem(err.Error())
	}
	return tea.Batch(cmd, m.showSelected())
}

// run applies one command line: a view, a filter, or an action on the
// selection.
func (m *Model) run(line string) (tea.Cmd, error) {
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	if cmd, ok, err := m.viewCommand(name, arg); ok {
		return cmd, err
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
		if arg != "" {
			kind, ok := m.kindNamed(arg)
			if !ok {
				return nil, fmt.Errorf("unknown kind %q: tab completes the kinds the fleet has", arg)
			}
			f.Kinds = []string{kind}
		}
	case "help", "?":
		return m.openHelp(), nil
	case "edit":
		return m.edit(), nil
	case "delete":
		return m.remove(), nil
	case "scale":
		return m.scale(arg)
	case "restart":
		return m.restart()
	case "exec":
		return m.execCommand(arg)
	case "export":
		return m.export(arg), nil
	default:
		return m.openTable(name), nil
	}
	m.tree.SetFilter(f)
	m.filtersChanged()
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
	clusters, namespaces := m.clusterNames(), m.fleetNamespaces()
	kinds := kube.KindAliases()
	for _, k := range m.fleetKinds() {
		kinds = append(kinds, strings.ToLower(k))
	}
	first := append(slices.Clone(commandWords), kinds...)
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
		case "kind":
			return command.Complete(input, kinds)
		}
		return nil
	}
}

// commandHelp is the help's list of the ":" commands.
func commandHelp() keymap.Group {
	g := keymap.Group{Title: "Commands"}
	for _, c := range commands {
		g.Entries = append(g.Entries, keymap.Entry{Label: c.line, Long: c.what})
	}
	return g
}
