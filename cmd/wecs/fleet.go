package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/wecs-tui/wecs/internal/termtext"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/duration"

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
	output     string
	// namespaces are where to watch kinds the user may not list
	// cluster-wide (the namespace a command is about).
	namespaces []string
	// config is the config file's content, once openFleet has read it.
	config config.Config
	// kinds, when set, are the only kinds the command reads.
	kinds []string
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
	kc, its, wecContexts, err := ff.load()
	if err != nil {
		return nil, "", err
	}
	fleet := kube.NewFleet(kc, its, kube.FleetOptions{WECContexts: wecContexts,
		Namespaces: append(slices.Clone(ff.config.Namespaces), ff.namespaces...), Kinds: ff.kinds})
	if err := fleet.Start(ctx); err != nil {
		return nil, "", err
	}
	return fleet, its, nil
}

// load reads the config file and the kubeconfig; it returns the ITS context
// and the WEC contexts the flags and the file map.
func (ff *fleetFlags) load() (*kube.Kubeconfig, string, map[string]string, error) {
	path, named := ff.configPath, ff.configPath != ""
	if !named {
		path = config.DefaultPath()
	}
	cfg, err := config.Load(path, named)
	if err != nil {
		return nil, "", nil, err
	}
	ff.config = cfg
	mapping, err := ff.kube.WECContextMap()
	if err != nil {
		return nil, "", nil, err
	}
	wecContexts := maps.Clone(cfg.WECContexts)
	if wecContexts == nil {
		wecContexts = map[string]string{}
	}
	maps.Copy(wecContexts, mapping)
	ff.kube.ReadOnly = ff.kube.ReadOnly || cfg.ReadOnly
	kc, err := ff.kube.LoadKubeconfig()
	if err != nil {
		return nil, "", nil, err
	}
	its, err := kc.ITSContext()
	if err != nil {
		return nil, "", nil, err
	}
	return kc, its, wecContexts, nil
}

func (ff *fleetFlags) checkOutput(allowed ...string) error {
	if !slices.Contains(allowed, ff.output) {
		return fmt.Errorf("-o %s: use one of %s", ff.output, strings.Join(allowed, ", "))
	}
	return nil
}

func addFleetFlags(cmd *cobra.Command, ff *fleetFlags) {
	cmd.Flags().StringVarP(&ff.output, "output", "o", "table", "output format: table, wide, json or yaml")
}

// clusterRow is one WEC as `wecs clusters -o json` prints it.
type clusterRow struct {
	Name        string            `json:"name"`
	Status      kube.Health       `json:"status"`
	Reason      string            `json:"reason"`
	Accepted    bool              `json:"accepted"`
	Joined      bool              `json:"joined"`
	Available   string            `json:"available"`
	Context     string            `json:"context,omitempty"`
	BoundBy     string            `json:"boundBy,omitempty"`
	Connection  kube.ConnState    `json:"connection"`
	ConnError   string            `json:"connectionError,omitempty"`
	CPU         string            `json:"cpu,omitempty"`
	Memory      string            `json:"memory,omitempty"`
	Pods        string            `json:"pods,omitempty"`
	Version     string            `json:"version,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	PendingCSRs int               `json:"pendingCSRs,omitempty"`
	Forbidden   []string          `json:"forbiddenKinds,omitempty"`
}

func newClusters(kf *kube.Flags, configPath *string) *cobra.Command {
	ff := &fleetFlags{kube: kf}
	var statuses []string
	cmd := &cobra.Command{
		Use:   "clusters",
		Short: "List the WECs the ITS knows, with their status and connection",
		Long: `List every ManagedCluster of the ITS: its status (Active, Inactive, Pending, Unknown) and why,
the kubeconfig context wecs reaches it through, the connection, capacity and version.

Exit status: 0 when every bound WEC answered, 2 when some could not be reached, 1 on error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ff.configPath = *configPath
			if err := ff.checkOutput("table", "wide", "json", "yaml"); err != nil {
				return err
			}
			wanted, err := parseHealths(statuses)
			if err != nil {
				return err
			}
			fleet, err := ff.startFleet(cmd.Context())
			if err != nil {
				return err
			}
			var rows []clusterRow
			unreachable := 0
			for _, m := range fleet.Members() {
				if len(wanted) > 0 && !slices.Contains(wanted, m.Health) {
					continue
				}
				row := clusterRow{Name: m.Name, Status: m.Health, Reason: m.Reason, Accepted: m.Accepted, Joined: m.Joined,
					Available: string(m.Available), Context: m.Binding.Context, BoundBy: m.Binding.By,
					Connection: m.Connection.State, ConnError: m.Connection.Err, Version: m.Version, Labels: m.Labels,
					CPU: quantity(m.CPU.Capacity, false), Memory: quantity(m.Memory.Capacity, true), Pods: quantity(m.Pods.Capacity, false),
					PendingCSRs: m.PendingCSRs, Forbidden: m.Connection.Forbidden}
				if m.Binding.Bound() && m.Connection.State != kube.Connected {
					unreachable++
				}
				rows = append(rows, row)
			}
			if err := printClusters(cmd.OutOrStdout(), ff.output, rows); err != nil {
				return err
			}
			if unreachable > 0 {
				return &exitCodeError{code: exitPartial, err: fmt.Errorf("%d WEC(s) could not be reached; see CONNECTION", unreachable)}
			}
			return nil
		},
	}
	addFleetFlags(cmd, ff)
	cmd.Flags().StringSliceVar(&statuses, "status", nil, "only clusters with these statuses: Active, Inactive, Pending, Unknown")
	return cmd
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

func printClusters(w io.Writer, format string, rows []clusterRow) error {
	switch format {
	case "json", "yaml":
		return printStructured(w, format, map[string]any{"clusters": rows})
	}
	tw := newTable(w)
	header := "NAME\tSTATUS\tCONTEXT\tCONNECTION\tCPU\tMEMORY\tPODS\tVERSION\tLABELS"
	if format == "wide" {
		header += "\tREASON\tCONNECTION-ERROR"
	}
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		conn := string(r.Connection)
		if r.ConnError != "" && format != "wide" {
			conn += ": " + truncate(r.ConnError, 40)
		}
		cols := []string{r.Name, string(r.Status), dash(r.Context), conn, dash(r.CPU), dash(r.Memory), dash(r.Pods),
			dash(r.Version), dash(labels.Set(r.Labels).String())}
		if format == "wide" {
			cols = append(cols, r.Reason, dash(r.ConnError))
		}
		line := tableRow(cols)
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

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

// printStructured writes v as JSON or YAML with every control and format
// character escaped.
func printStructured(w io.Writer, format string, v any) error {
	encode := termtext.JSON
	if format == "yaml" {
		encode = termtext.YAML
	}
	data, err := encode(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, strings.TrimRight(string(data), "\n"))
	return err
}

// objectRow is one object as `wecs get -o json` prints it.
type objectRow struct {
	Cluster    string      `json:"cluster"`
	Namespace  string      `json:"namespace,omitempty"`
	Kind       string      `json:"kind"`
	APIVersion string      `json:"apiVersion"`
	Name       string      `json:"name"`
	Status     kube.Status `json:"status"`
	// Word is kubectl's STATUS where kubectl has one (CrashLoopBackOff …).
	Word     string `json:"statusWord,omitempty"`
	Ready    string `json:"ready,omitempty"`
	Restarts *int   `json:"restarts,omitempty"`
	// LastRestart is when a restarted pod's latest restart ended.
	LastRestart *time.Time        `json:"lastRestart,omitempty"`
	Created     time.Time         `json:"created"`
	Labels      map[string]string `json:"labels,omitempty"`
	DeliveredBy string            `json:"deliveredBy,omitempty"`
	// BindingPolicy is the KubeStellar binding policy that delivered it, when known.
	BindingPolicy string `json:"bindingPolicy,omitempty"`
}

func newGet(kf *kube.Flags, configPath *string) *cobra.Command {
	ff := &fleetFlags{kube: kf}
	var (
		clusters, kinds, statuses []string
		namespace, selector       string
		showSystem, delivered     bool
	)
	cmd := &cobra.Command{
		Use:   "get [NAME]",
		Short: "List objects across every WEC, filtered",
		Long: `List the objects of every WEC the ITS knows, like kubectl get across the fleet.
NAME keeps objects whose name contains it. Kinds take kubectl's names and short names
(deploy, po, svc, pvc …) or a custom resource's kind.

A kind you may not list cluster-wide is read in the namespaces where you may (-n, the
config file's namespaces, the context's namespace, or every namespace you may list).

Exit status: 0 when every bound WEC answered, 2 when some could not be reached or your
rights hide objects asked for (the list then misses them; stderr says which), 1 on error.`,
		Example: `  wecs get --kind deploy -n shop
  wecs get --status Failed -o wide
  wecs get web --cluster cluster1,cluster2 -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ff.configPath = *configPath
			if err := ff.checkOutput("table", "wide", "json", "yaml"); err != nil {
				return err
			}
			filter := kube.Filter{Clusters: clusters, Namespace: namespace, ShowSystem: showSystem, DeliveredOnly: delivered}
			for _, k := range kinds {
				filter.Kinds = append(filter.Kinds, kube.ResolveKind(k))
			}
			for _, s := range statuses {
				if err := filter.AddStatus(s); err != nil {
					return fmt.Errorf("--status: %v", err)
				}
			}
			if selector != "" {
				sel, err := labels.Parse(selector)
				if err != nil {
					return fmt.Errorf("-l %q: %v", selector, err)
				}
				filter.Selector = sel
			}
			if len(args) == 1 {
				filter.Name = args[0]
			}
			if namespace != "" {
				ff.namespaces = []string{namespace}
			}
			ff.kinds = filter.Kinds
			fleet, err := ff.startFleet(cmd.Context())
			if err != nil {
				return err
			}
			members := fleet.Members()
			known := map[string]bool{}
			var unreachable, hidden []string
			for _, m := range members {
				known[m.Name] = true
				if (len(clusters) > 0 && !slices.Contains(clusters, m.Name)) || !m.Binding.Bound() {
					continue
				}
				if m.Connection.State != kube.Connected {
					unreachable = append(unreachable, m.Name+" ("+whyNotRead(m.Connection)+")")
					continue
				}
				if h := m.Connection.Hidden(filter.Kinds, namespace); len(h) > 0 {
					hidden = append(hidden, m.Name+" ("+joinRestrictions(h)+")")
				}
			}
			for _, c := range clusters {
				if !known[c] {
					return fmt.Errorf("--cluster %s: the ITS has no such cluster (it has %s)", c, strings.Join(fleet.ClusterNames(), ", "))
				}
			}
			var rows []objectRow
			for _, o := range fleet.Tree.Find(filter) {
				row := objectRow{Cluster: o.Cluster, Namespace: o.Namespace, Kind: o.Kind,
					APIVersion: apiVersion(o.Group, o.Version), Name: o.Name, Status: o.Status, Word: o.Word, Ready: o.Ready,
					Created: o.Created, Labels: o.Labels, DeliveredBy: o.DeliveredBy, BindingPolicy: fleet.BindingPolicy(o.Cluster, o.DeliveredBy)}
				if o.Kind == "Pod" {
					row.Restarts = &o.Restarts
					if !o.LastRestart.IsZero() {
						row.LastRestart = &o.LastRestart
					}
				}
				rows = append(rows, row)
			}
			if err := printObjects(cmd.OutOrStdout(), ff.output, rows); err != nil {
				return err
			}
			if len(rows) == 0 && (ff.output == "table" || ff.output == "wide") {
				fmt.Fprintln(cmd.ErrOrStderr(), "No resources found.")
			}
			return incomplete(unreachable, hidden)
		},
	}
	addFleetFlags(cmd, ff)
	cmd.Flags().StringSliceVar(&clusters, "cluster", nil, "only these WECs (repeatable or comma-separated)")
	cmd.Flags().StringVarP(&namespace, "namespace", "n", "", "only this namespace")
	cmd.Flags().StringSliceVar(&kinds, "kind", nil, "only these kinds: deploy, po, svc … or a custom kind (repeatable)")
	cmd.Flags().StringSliceVar(&statuses, "status", nil, "only these statuses: "+kube.StatusNames()+", or kubectl STATUS words (CrashLoopBackOff …)")
	cmd.Flags().StringVarP(&selector, "selector", "l", "", "label selector, as kubectl's -l")
	cmd.Flags().BoolVar(&showSystem, "system", false, "include system namespaces (kube-system, kube-public, kube-node-lease, open-cluster-management*)")
	cmd.Flags().BoolVar(&delivered, "delivered", false, "only objects delivered by KubeStellar")
	return cmd
}

// incomplete is the exit-2 error of an answer that misses the objects of
// unreachable WECs or objects hidden by the user's rights (nil when neither).
func incomplete(unreachable, hidden []string) error {
	var parts []string
	if len(unreachable) > 0 {
		sort.Strings(unreachable)
		parts = append(parts, "could not read "+strings.Join(unreachable, ", "))
	}
	if len(hidden) > 0 {
		sort.Strings(hidden)
		parts = append(parts, "your rights hide objects on "+strings.Join(hidden, ", "))
	}
	if len(parts) == 0 {
		return nil
	}
	return &exitCodeError{code: exitPartial, err: fmt.Errorf("incomplete: %s", strings.Join(parts, "; "))}
}

func joinRestrictions(rs []kube.Restriction) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return strings.Join(out, "; ")
}

// delivery says how KubeStellar delivered an object: its binding policy,
// else "delivered" when only the AppliedManifestWork is known, else "-".
func delivery(r objectRow) string {
	switch {
	case r.BindingPolicy != "":
		return r.BindingPolicy
	case r.DeliveredBy != "":
		return "delivered"
	}
	return "-"
}

func apiVersion(group, version string) string {
	if group == "" {
		return version
	}
	return group + "/" + version
}

func printObjects(w io.Writer, format string, rows []objectRow) error {
	switch format {
	case "json", "yaml":
		if rows == nil {
			rows = []objectRow{}
		}
		return printStructured(w, format, map[string]any{"items": rows})
	}
	if len(rows) == 0 {
		return nil
	}
	tw := newTable(w)
	// kubectl's order: READY, STATUS, then RESTARTS when pods are listed.
	pods := slices.ContainsFunc(rows, func(r objectRow) bool { return r.Restarts != nil })
	header := "CLUSTER\tNAMESPACE\tKIND\tNAME\tREADY\tSTATUS"
	if pods {
		header += "\tRESTARTS"
	}
	header += "\tAGE"
	if format == "wide" {
		header += "\tBINDING-POLICY\tLABELS"
	}
	fmt.Fprintln(tw, header)
	now := time.Now()
	for _, r := range rows {
		cols := []string{r.Cluster, dash(r.Namespace), r.Kind, r.Name, dash(r.Ready), statusWord(r)}
		if pods {
			cols = append(cols, restartsCell(r, now))
		}
		cols = append(cols, duration.HumanDuration(now.Sub(r.Created)))
		if format == "wide" {
			cols = append(cols, delivery(r), dash(labels.Set(r.Labels).String()))
		}
		line := tableRow(cols)
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// statusWord is kubectl's STATUS word, else the status.
func statusWord(r objectRow) string {
	if r.Word != "" {
		return r.Word
	}
	return string(r.Status)
}

// restartsCell is kubectl's RESTARTS for a pod, "-" for other kinds.
func restartsCell(r objectRow, now time.Time) string {
	if r.Restarts == nil {
		return "-"
	}
	var last time.Time
	if r.LastRestart != nil {
		last = *r.LastRestart
	}
	return kube.RestartsText(*r.Restarts, last, now)
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
