package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/liggitt/tabwriter"
	"github.com/spf13/cobra"
	"github.com/wecs-tui/wecs/internal/termtext"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/wecs-tui/wecs/internal/config"
	"github.com/wecs-tui/wecs/kube"
)

// Exit codes a script can rely on.
const (
	exitError   = 1 // bad input, or the ITS cannot be used
	exitPartial = 2 // printed, but some WECs could not be read
)

// exitCodeError carries an exit code other than 1.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }

// settleTimeout bounds how long the CLI waits for slow WECs.
const settleTimeout = 30 * time.Second

// whyNotRead says why a WEC's objects could not be read: its connection's
// error, or that it was still connecting when the CLI stopped waiting.
func whyNotRead(c kube.Connection) string {
	if c.Err != "" {
		return c.Err
	}
	return fmt.Sprintf("still %s after %s: its API server is slow to list; try again", strings.ToLower(string(c.State)), settleTimeout)
}

// fleetFlags are the flags every fleet command shares.
type fleetFlags struct {
	kube       *kube.Flags
	configPath string
	// config is the config file's content, and kubeconfig the kubeconfig,
	// once loadConfig has read them.
	config     config.Config
	kubeconfig *kube.Kubeconfig
	// kinds, when set, are the only kinds the command reads; namespace,
	// the only namespace; clusters, the only WECs.
	kinds     []string
	namespace string
	clusters  []string
	// holdWECs holds the WECs' first lists until the fleet's ReleaseWECs.
	holdWECs bool
	// connect says which WECs are watched (all when unset).
	connect kube.ConnectMode
}

// startFleet opens the fleet and waits until every WEC has connected or
// failed once (for commands that print one snapshot).
func (ff *fleetFlags) startFleet(ctx context.Context) (*kube.Fleet, error) {
	fleet, _, err := ff.openFleet(ctx)
	if err != nil {
		return nil, err
	}
	settle, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	fleet.WaitSettled(settle)
	return fleet, nil
}

// openFleet loads the kubeconfig and config file and starts the fleet; it
// returns the ITS context used.
func (ff *fleetFlags) openFleet(ctx context.Context) (*kube.Fleet, string, error) {
	kc, its, wecContexts, err := ff.loadConfig()
	if err != nil {
		return nil, "", err
	}
	fleet := kube.NewFleet(kc, its, kube.FleetOptions{WECContexts: wecContexts, HoldWECs: ff.holdWECs, Connect: ff.connect,
		Namespaces: ff.config.Namespaces, Kinds: ff.kinds, Namespace: ff.namespace, Clusters: ff.clusters})
	if err := fleet.Start(ctx); err != nil {
		return nil, "", err
	}
	return fleet, its, nil
}

// loadConfig reads the config file and the kubeconfig; it returns the
// kubeconfig, the ITS context and the WEC contexts the file and the flags map.
func (ff *fleetFlags) loadConfig() (*kube.Kubeconfig, string, map[string]string, error) {
	path, named := ff.configPath, ff.configPath != ""
	if !named {
		path = config.DefaultPath()
	}
	cfg, err := config.Load(path, named)
	if err != nil {
		return nil, "", nil, err
	}
	ff.config = cfg
	ff.kube.ReadOnly = ff.kube.ReadOnly || cfg.ReadOnly
	kc, err := ff.kube.LoadKubeconfig()
	ff.kubeconfig = kc
	if err != nil {
		return nil, "", nil, err
	}
	its, err := kc.ITSContext()
	if err != nil {
		return nil, "", nil, err
	}
	wecContexts, err := ff.wecContexts()
	if err != nil {
		return nil, "", nil, err
	}
	return kc, its, wecContexts, nil
}

// wecContexts are the config file's WEC contexts overridden by --wec-context.
func (ff *fleetFlags) wecContexts() (map[string]string, error) {
	fromFlags, err := ff.kube.WECContextMap()
	if err != nil {
		return nil, err
	}
	out := maps.Clone(ff.config.WECContexts)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, fromFlags)
	return out, nil
}

func newClusters(kf *kube.Flags, configPath *string) *cobra.Command {
	ff := &fleetFlags{kube: kf}
	pf := newPrintFlags()
	var statuses []string
	cmd := &cobra.Command{
		Use:   "clusters",
		Short: "List the WECs the ITS knows, with their status and connection",
		Long: `List every ManagedCluster of the ITS: its status (Active, Inactive, Pending, Unknown) and why,
the kubeconfig context wecs reaches it through, the connection, capacity and version.
-o json and yaml print the ManagedClusters themselves, as a List.

Exit status: 0 when every bound WEC answered, 2 when some could not be reached, 1 on error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ff.configPath = *configPath
			var printer printers.ResourcePrinter
			if !pf.table() {
				var err error
				if printer, err = pf.printer(); err != nil {
					return err
				}
			}
			wanted, err := parseHealths(statuses)
			if err != nil {
				return err
			}
			fleet, err := ff.startFleet(cmd.Context())
			if err != nil {
				return err
			}
			var members []kube.Member
			unreachable := 0
			for _, m := range fleet.Members() {
				if len(wanted) > 0 && !slices.Contains(wanted, m.Health) {
					continue
				}
				if m.Binding.Bound() && m.Connection.State != kube.Connected {
					unreachable++
				}
				members = append(members, m)
			}
			if printer != nil {
				var objs []*unstructured.Unstructured
				for _, m := range members {
					if o := fleet.ClusterObject(m.Name); o != nil {
						objs = append(objs, o)
					}
				}
				err = printer.PrintObj(list(objs), cmd.OutOrStdout())
			} else {
				err = printClusters(cmd.OutOrStdout(), pf, members)
			}
			if err != nil {
				return err
			}
			if unreachable > 0 {
				return &exitCodeError{code: exitPartial, err: fmt.Errorf("%d WEC(s) could not be reached; see CONNECTION", unreachable)}
			}
			return nil
		},
	}
	pf.addFlags(cmd, false)
	cmd.Flags().StringSliceVar(&statuses, "status", nil, "only clusters with these statuses: Active, Inactive, Pending, Unknown")
	fixedValues(cmd, "status", healthNames()...)
	return cmd
}

// healthNames are the ManagedCluster statuses --status takes.
func healthNames() []string {
	names := make([]string, len(kube.Healths))
	for i, h := range kube.Healths {
		names[i] = string(h)
	}
	return names
}

func parseHealths(names []string) ([]kube.Health, error) {
	var out []kube.Health
	for _, n := range names {
		h, err := kube.ParseHealth(n)
		if err != nil {
			return nil, fmt.Errorf("--status: %w", err)
		}
		out = append(out, h)
	}
	return out, nil
}

func quantity(q resource.Quantity, bytes bool) string {
	if q.IsZero() {
		return ""
	}
	if bytes {
		return fmt.Sprintf("%.0fGi", float64(q.Value())/(1<<30))
	}
	return q.String()
}

// printClusters prints the WECs' table.
func printClusters(w io.Writer, pf *printFlags, members []kube.Member) error {
	tw := newTable(w)
	if !pf.noHeaders {
		header := "NAME\tSTATUS\tCONTEXT\tCONNECTION\tCPU\tMEMORY\tPODS\tVERSION\tLABELS"
		if pf.wide() {
			header += "\tREASON\tCONNECTION-ERROR"
		}
		fmt.Fprintln(tw, header)
	}
	for _, m := range members {
		conn := string(m.Connection.State)
		if m.Connection.Err != "" && !pf.wide() {
			conn += ": " + truncate(m.Connection.Err, 40)
		}
		cols := []string{m.Name, string(m.Health), dash(m.Binding.ReachColumn()), conn, dash(quantity(m.CPU.Capacity, false)),
			dash(quantity(m.Memory.Capacity, true)), dash(quantity(m.Pods.Capacity, false)), dash(m.Version), dash(labelsText(m.Labels))}
		if pf.wide() {
			cols = append(cols, m.Reason, dash(m.Connection.Err))
		}
		fmt.Fprintln(tw, tableRow(cols))
	}
	return tw.Flush()
}

func labelsText(l map[string]string) string { return labels.Set(l).String() }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// tableRow joins cells for a tabwriter, each cleaned of what would
// garble the terminal or the columns.
func tableRow(cells []string) string {
	for i, c := range cells {
		cells[i] = termtext.Clean(c)
	}
	return strings.Join(cells, "\t")
}

func newGet(kf *kube.Flags, configPath *string) *cobra.Command {
	ff := &fleetFlags{kube: kf}
	pf := newPrintFlags()
	var (
		req                             kube.ListRequest
		statuses                        []string
		allNamespaces, showSystem       bool
		delivered, follow, followEvents bool
	)
	cmd := &cobra.Command{
		Use:   "get [NAME]",
		Short: "List objects across every WEC, filtered",
		Long: `List the objects of every WEC the ITS knows, like kubectl get across the fleet: the asked
kinds are LISTed on every WEC in parallel, with -n, -l and --field-selector sent to the servers.
NAME keeps objects whose name contains it. Kinds are what kubectl takes, resolved through each
WEC's discovery (cached under --cache-dir): plural, singular or short names (deploy, po, svc …),
kind.group, and custom resources' names and short names. Without --kind, every kind the TUI shows.

-o json and yaml print the objects themselves as a List, each annotated with the WEC it came
from (` + kube.ClusterAnnotation + `); -o name, jsonpath, go-template and custom-columns work as
kubectl's. -w prints the objects, then their changes, until interrupted.

A kind you may not list cluster-wide is read in the namespaces where you may (the config
file's namespaces and the context's namespace).

Exit status: 0 when every WEC answered, 2 when some could not be read (unbound, unreachable)
or your rights hide objects asked for (stderr says which; the others are printed), 1 on error,
an unknown kind included.`,
		Example: `  wecs get --kind deploy -n shop
  wecs get --kind po -o custom-columns=NAME:.metadata.name,CLUSTER:.metadata.annotations.wecs\.dev/cluster
  wecs get --kind po -l app=web -o name
  wecs get --kind po -w
  wecs get --status Failed -o wide`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ff.configPath = *configPath
			var printer printers.ResourcePrinter
			if !pf.table() {
				var err error
				if printer, err = pf.printer(); err != nil {
					return err
				}
			}
			filter := kube.Filter{Namespace: req.Namespace, ShowSystem: showSystem, DeliveredOnly: delivered}
			for _, s := range statuses {
				if err := filter.AddStatus(s); err != nil {
					return fmt.Errorf("--status: %v", err)
				}
			}
			if _, err := labels.Parse(req.LabelSelector); err != nil {
				return fmt.Errorf("-l %q: %v", req.LabelSelector, err)
			}
			if _, err := fields.ParseSelector(req.FieldSelector); err != nil {
				return fmt.Errorf("--field-selector %q: %v", req.FieldSelector, err)
			}
			if len(args) == 1 {
				filter.Name = args[0]
			}
			if allNamespaces {
				req.Namespace, filter.Namespace = "", ""
			}
			kc, its, wecContexts, err := ff.loadConfig()
			if err != nil {
				return err
			}
			req.WECContexts = wecContexts
			req.Namespaces = ff.config.Namespaces
			g := &getPrint{flags: pf, printer: printer, filter: filter, out: bufio.NewWriter(cmd.OutOrStdout()), events: follow && followEvents, watching: follow}
			req.Keep = g.keep
			fl, err := kc.List(cmd.Context(), its, req)
			if err != nil {
				return err
			}
			if pf.wide() {
				g.policies = kc.ReadBindingPolicies(cmd.Context(), its)
			}
			g.pods = slices.ContainsFunc(fl.Resources, func(r schema.GroupVersionResource) bool { return r.GroupResource() == podsResource })
			if err := g.printList(fl.Items); err != nil {
				return err
			}
			problem := incomplete(fl.Unreadable, fl.Hidden)
			if g.printed == 0 && printer == nil && !follow {
				fmt.Fprintln(cmd.ErrOrStderr(), "No resources found.")
			}
			if !follow {
				return problem
			}
			if problem != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "Warning:", problem)
			}
			for change := range fl.Watch(cmd.Context()) {
				if change.Err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "Warning: %s: %s\n", change.Cluster, termtext.Clean(change.Err.Error()))
					continue
				}
				if err := g.printChange(change); err != nil {
					return err
				}
			}
			return problem
		},
	}
	pf.addFlags(cmd, true)
	cmd.Flags().StringSliceVar(&req.Clusters, "cluster", nil, "only these WECs (repeatable or comma-separated)")
	cmd.Flags().StringVarP(&req.Namespace, "namespace", "n", "", "only this namespace")
	cmd.Flags().BoolVarP(&allNamespaces, "all-namespaces", "A", false, "every namespace (the default without -n)")
	cmd.Flags().StringSliceVar(&req.Kinds, "kind", nil, "only these kinds, as kubectl names them: deploy, po, svc, widgets.sandbox.wecs.dev … (repeatable)")
	cmd.Flags().StringSliceVar(&statuses, "status", nil, "only these statuses: "+kube.StatusNames()+", or kubectl STATUS words (CrashLoopBackOff …)")
	fixedValues(cmd, "status", strings.Split(kube.StatusNames(), ", ")...)
	cmd.Flags().StringVarP(&req.LabelSelector, "selector", "l", "", "label selector sent to the servers, as kubectl's -l")
	cmd.Flags().StringVar(&req.FieldSelector, "field-selector", "", "field selector sent to the servers, as kubectl's (status.phase=Running …)")
	cmd.Flags().BoolVar(&showSystem, "system", false, "include system namespaces (kube-system, kube-public, kube-node-lease, open-cluster-management*)")
	cmd.Flags().BoolVar(&delivered, "delivered", false, "only objects delivered by KubeStellar")
	cmd.Flags().BoolVarP(&follow, "watch", "w", false, "after the list, print each change of the objects until interrupted")
	cmd.Flags().BoolVar(&followEvents, "output-watch-events", false, "with -w, print the event type (ADDED, MODIFIED, DELETED) of each change")
	return cmd
}

// podsResource is the kind whose table has a RESTARTS column.
var podsResource = schema.GroupResource{Resource: "pods"}

// incomplete is the exit-2 error of an answer that misses the objects of
// unreadable WECs or objects hidden by the user's rights (nil when neither).
func incomplete(unreadable, hidden []string) error {
	var parts []string
	if len(unreadable) > 0 {
		parts = append(parts, "could not read "+strings.Join(unreadable, ", "))
	}
	if len(hidden) > 0 {
		parts = append(parts, "your rights hide objects on "+strings.Join(hidden, ", "))
	}
	if len(parts) == 0 {
		return nil
	}
	return &exitCodeError{code: exitPartial, err: fmt.Errorf("incomplete: %s", strings.Join(parts, "; "))}
}

// getPrint prints what `wecs get` reads: the table or -o's printer.
type getPrint struct {
	flags   *printFlags
	printer printers.ResourcePrinter // nil: the table
	filter  kube.Filter
	// policies name the binding policies behind delivered objects (-o wide).
	policies kube.BindingPolicies
	// out buffers what is printed, flushed after each list or change.
	out *bufio.Writer
	// pods adds the RESTARTS column (pods are among the kinds read: decided
	// once, so that -w keeps the columns); events prints the event types;
	// watching prints each listed object on its own, as changes follow.
	pods, events, watching bool
	table                  printers.ResourcePrinter
	// columns aligns the table, remembering the widths from one change to the next.
	columns *tabwriter.Writer
	printed int
}

// keep is asked of each object as it is read: one the filter drops goes at
// once, and of the others a table keeps only what it prints.
func (g *getPrint) keep(l kube.Listed) (kube.Listed, bool) {
	if g.printer == nil {
		l = l.Slim()
	}
	return l, g.filter.Matches(l.Row())
}

// printList prints the listed objects, which passed the filter as they
// were read (keep).
func (g *getPrint) printList(kept []kube.Listed) error {
	g.printed = len(kept)
	if g.events || (g.watching && g.printer != nil) {
		for _, it := range kept {
			if err := g.printChange(kube.Change{Type: watch.Added, Listed: it}); err != nil {
				return err
			}
		}
		return nil
	}
	if g.printer != nil {
		objs := make([]*unstructured.Unstructured, len(kept))
		for i, it := range kept {
			objs[i] = it.Unstructured()
		}
		return g.flush(g.printer.PrintObj(list(objs), g.out))
	}
	return g.printRows(kept, "")
}

// printChange prints one change that passes the filter.
func (g *getPrint) printChange(c kube.Change) error {
	if !g.filter.Matches(c.Row()) {
		return nil
	}
	if g.printer == nil {
		return g.printRows([]kube.Listed{c.Listed}, c.Type)
	}
	var obj k8sruntime.Object = c.Unstructured()
	if g.events {
		obj = watchEvent(c.Type, obj)
	}
	return g.flush(g.printer.PrintObj(obj, g.out))
}

// printRows prints objects as rows of the table, with the event type
// when one is given and asked for.
func (g *getPrint) printRows(items []kube.Listed, event watch.EventType) error {
	if g.table == nil {
		g.table, g.columns = g.flags.tablePrinter(), printers.GetNewTabWriter(g.out)
	}
	table := &metav1.Table{ColumnDefinitions: g.flags.objectColumns(g.pods)}
	now := time.Now()
	for _, it := range items {
		table.Rows = append(table.Rows, g.flags.objectRow(it.Row(), it.Object, g.policies, g.pods, now))
	}
	var obj k8sruntime.Object = table
	if g.events && event != "" {
		obj = watchEvent(event, table)
	}
	if err := g.table.PrintObj(obj, g.columns); err != nil {
		return err
	}
	return g.flush(g.columns.Flush())
}

// flush writes out what a print left in the buffer, unless it failed.
func (g *getPrint) flush(err error) error {
	if err != nil {
		return err
	}
	return g.out.Flush()
}

// exitCode is the process exit status for an error from a command.
func exitCode(err error) int {
	var coded *exitCodeError
	if errors.As(err, &coded) {
		return coded.code
	}
	return exitError
}

// table aligns columns as kubectl does, over a buffer: a table of thousands
// of rows reaches the terminal in a few writes, not one per cell.
type table struct {
	*tabwriter.Writer
	buf *bufio.Writer
}

func newTable(w io.Writer) table {
	buf := bufio.NewWriter(w)
	return table{Writer: tabwriter.NewWriter(buf, 0, 4, 2, ' ', 0), buf: buf}
}

// Flush writes the aligned table out.
func (t table) Flush() error {
	if err := t.Writer.Flush(); err != nil {
		return err
	}
	return t.buf.Flush()
}
