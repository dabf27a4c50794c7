package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
)

// objectRef is CLUSTER/NAMESPACE/POD or CLUSTER/NAMESPACE/KIND/NAME.
type objectRef struct{ cluster, namespace, kind, name string }

func parseRef(arg string) (objectRef, error) {
	parts := strings.Split(arg, "/")
	switch {
	case len(parts) == 3 && !slices.Contains(parts, ""):
		return objectRef{parts[0], parts[1], "Pod", parts[2]}, nil
	case len(parts) == 4 && !slices.Contains(parts, ""):
		return objectRef{parts[0], parts[1], parts[2], parts[3]}, nil
	}
	return objectRef{}, fmt.Errorf("%q: write CLUSTER/NAMESPACE/POD or CLUSTER/NAMESPACE/KIND/NAME, e.g. cluster1/shop/deploy/web", arg)
}

// get reads the object straight from its WEC (so that a user who may only
// read it there, and not list its kind across the cluster, can), with an
// error that says what is wrong.
func (r objectRef) get(ctx context.Context, fleet *kube.Fleet) (kube.Object, error) {
	if !slices.Contains(fleet.ClusterNames(), r.cluster) {
		return kube.Object{}, fmt.Errorf("no cluster %q on the ITS; `wecs clusters` lists them", r.cluster)
	}
	o, err := fleet.Get(ctx, r.cluster, r.namespace, r.kind, r.name)
	switch {
	case err == nil:
		return o, nil
	case apierrors.IsNotFound(err):
		return kube.Object{}, fmt.Errorf("no %s %s/%s on %s; `wecs get %s --cluster %s` lists what is there", r.kind, r.namespace, r.name, r.cluster, r.name, r.cluster)
	case apierrors.IsForbidden(err):
		return kube.Object{}, fmt.Errorf("you may not read %s %s/%s on %s: %s", r.kind, r.namespace, r.name, r.cluster, apierrors.ReasonForError(err))
	}
	for _, m := range fleet.Members() {
		if m.Name == r.cluster && m.Connection.State != kube.Connected {
			return kube.Object{}, &exitCodeError{code: exitPartial, err: fmt.Errorf("cluster %s is %s: %s", r.cluster, m.Connection.State, whyNotRead(m.Connection))}
		}
	}
	return kube.Object{}, err
}

// openObject starts the fleet and reads the object arg names. The fleet
// reads the object's namespace alone, of the kinds about it, on its WEC
// alone unless allClusters.
func (ff *fleetFlags) openObject(ctx context.Context, arg string, allClusters bool) (*kube.Fleet, kube.Object, error) {
	ref, err := parseRef(arg)
	if err != nil {
		return nil, kube.Object{}, err
	}
	if ref.kind != "Pod" {
		if ref.kind, err = ff.resolveKind(ctx, ref); err != nil {
			return nil, kube.Object{}, err
		}
	}
	ff.namespace = ref.namespace
	ff.kinds = kindsAbout(ref.kind)
	if !allClusters {
		ff.clusters = []string{ref.cluster}
	}
	fleet, err := ff.startFleet(ctx)
	if err != nil {
		return nil, kube.Object{}, err
	}
	o, err := ref.get(ctx, fleet)
	return fleet, o, err
}

// resolveKind names the kind of ref as its WEC's discovery knows it. When
// the WEC cannot be asked, kubectl's short names of built-in kinds still
// resolve, and reading the object says what is wrong with the WEC.
func (ff *fleetFlags) resolveKind(ctx context.Context, ref objectRef) (string, error) {
	kc, its, wecContexts, err := ff.loadConfig()
	if err != nil {
		return "", err
	}
	kind, err := kc.KindOn(ctx, its, ref.cluster, ref.kind, wecContexts)
	var unknown *kube.UnknownKindError
	switch {
	case err == nil:
		return kind, nil
	case errors.As(err, &unknown):
		return "", err
	}
	return kube.ResolveKind(ref.kind), nil
}

// kindsAbout are the kinds a command about one object of kind reads: that
// kind, and those it owns down to its pods, which the tree links to it.
func kindsAbout(kind string) []string {
	switch kind {
	case "Deployment":
		return []string{kind, "ReplicaSet", "Pod"}
	case "CronJob":
		return []string{kind, "Job", "Pod"}
	}
	return []string{kind, "Pod"}
}

func newLogs(kf *kube.Flags, configPath *string) *cobra.Command {
	ff := &fleetFlags{kube: kf}
	var (
		opts        kube.LogOptions
		allClusters bool
	)
	cmd := &cobra.Command{
		Use:   "logs CLUSTER/NAMESPACE/POD | CLUSTER/NAMESPACE/KIND/NAME",
		Short: "Print (and follow) the logs of a pod, or of every pod of a workload",
		Long: `Print the logs of a pod, or of every pod of a Deployment, StatefulSet, DaemonSet,
ReplicaSet, Job or CronJob merged, each line prefixed with its pod and container.
With --all-clusters, the same workload on every WEC that has it (the cluster joins the prefix).`,
		Example: `  wecs logs cluster1/shop/debug-shell -c app --tail 20
  wecs logs cluster2/payments/deploy/checkout -f
  wecs logs cluster1/batch/crashy --previous`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ff.configPath = *configPath
			if opts.Tail < -1 {
				return fmt.Errorf("--tail %d: give a number of lines, or -1 for all", opts.Tail)
			}
			fleet, o, err := ff.openObject(cmd.Context(), args[0], allClusters)
			if err != nil {
				return err
			}
			clusters := []string{o.Cluster}
			if allClusters {
				clusters = append(clusters, fleet.ClustersWith(o)...)
			}
			return printLogs(cmd.Context(), cmd.OutOrStdout(), fleet, o, clusters, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Container, "container", "c", "", "the container (default: every container of each pod)")
	cmd.Flags().BoolVarP(&opts.Follow, "follow", "f", false, "keep streaming new lines")
	cmd.Flags().Int64Var(&opts.Tail, "tail", -1, "lines to start with (-1: the whole log)")
	cmd.Flags().BoolVarP(&opts.Previous, "previous", "p", false, "the previous (terminated) run of each container")
	cmd.Flags().DurationVar(&opts.Since, "since", 0, "only lines newer than this (e.g. 5m)")
	cmd.Flags().BoolVar(&allClusters, "all-clusters", false, "the same workload on every WEC that has it")
	return cmd
}

// printLogs streams lines to w until the logs end or ctx does.
func printLogs(ctx context.Context, w io.Writer, fleet *kube.Fleet, o kube.Object, clusters []string, opts kube.LogOptions) error {
	ch := make(chan kube.LogLine, 1024)
	go fleet.StreamLogs(ctx, o, clusters, opts, ch)
	prefixed := o.Kind != "Pod" || opts.Container == "" || len(clusters) > 1
	for l := range ch {
		var prefix string
		if prefixed {
			prefix = strings.TrimSuffix(l.Source.Pod+"/"+l.Source.Container, "/") + " "
			if len(clusters) > 1 {
				prefix = l.Source.Cluster + "/" + prefix
			}
		}
		text := l.Text
		if l.Marker != "" {
			text = "── " + l.Marker + " ──"
		}
		if _, err := fmt.Fprintln(w, termtext.Clean(prefix+text)); err != nil {
			return err
		}
	}
	return nil
}

func newEvents(kf *kube.Flags, configPath *string) *cobra.Command {
	ff := &fleetFlags{kube: kf}
	var related bool
	cmd := &cobra.Command{
		Use:     "events CLUSTER/NAMESPACE/KIND/NAME",
		Short:   "Print an object's events, newest first",
		Example: "  wecs events cluster1/payments/deploy/fraud-model --related",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ff.configPath = *configPath
			fleet, o, err := ff.openObject(cmd.Context(), args[0], false)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), settleTimeout)
			defer cancel()
			ch, err := fleet.WatchDetail(ctx, o, related)
			if err != nil {
				return err
			}
			// The first snapshot with the object read has every listed event:
			// both watches list before they watch, and the object's comes last
			// only rarely, so wait a moment for the events to settle.
			var d kube.Detail
			for d = range ch {
				if d.Object != nil || d.Err != nil {
					break
				}
			}
			settle := time.After(300 * time.Millisecond)
		drain:
			for {
				select {
				case next, ok := <-ch:
					if !ok {
						break drain
					}
					d = next
				case <-settle:
					break drain
				}
			}
			if d.Err != nil {
				return d.Err
			}
			return printEvents(cmd.OutOrStdout(), d.Events, related)
		},
	}
	cmd.Flags().BoolVar(&related, "related", false, "include the events of what the object owns (a Deployment's ReplicaSets and Pods)")
	return cmd
}

func printEvents(w io.Writer, evs []kube.Event, related bool) error {
	tw := newTable(w)
	head := "TYPE\tREASON\tAGE\tCOUNT\tSOURCE\tMESSAGE"
	if related {
		head = "TYPE\tREASON\tOBJECT\tAGE\tCOUNT\tSOURCE\tMESSAGE"
	}
	fmt.Fprintln(tw, head)
	for _, e := range evs {
		cols := []string{e.Type, e.Reason}
		if related {
			cols = append(cols, e.Object)
		}
		cols = append(cols, age(e.Last), fmt.Sprint(e.Count), e.Source, e.Message)
		fmt.Fprintln(tw, tableRow(cols))
	}
	return tw.Flush()
}

func age(t time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t))
}
