package main

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"

	"github.com/wecs-tui/wecs/kube"
)

// completionTimeout bounds the reads behind one TAB.
const completionTimeout = 3 * time.Second

// completer reads the names shell completion offers: kubeconfig contexts,
// the ITS's WECs, and the WECs' kinds, namespaces and objects. The fleet
// flags already on the command line are honoured.
type completer struct {
	flags      *kube.Flags
	configPath *string
}

// segment names what one part of a CLUSTER/NAMESPACE/… argument may be,
// given the parts before it.
type segment func(ctx context.Context, before []string) ([]string, error)

// completeNames registers the completion of real names on every command
// that has the flag, and of the CLUSTER/… arguments of logs, events,
// accept, exec and port-forward.
func completeNames(root *cobra.Command, flags *kube.Flags, configPath *string) {
	c := completer{flags: flags, configPath: configPath}
	byFlag := map[string]cobra.CompletionFunc{
		"its-context": c.contexts,
		"context":     c.contexts,
		"cluster":     c.names(func(ctx context.Context, _ *cobra.Command) ([]string, error) { return c.clusters(ctx) }),
		"kind":        c.fromFlags(kube.ResourceNames),
		"namespace":   c.fromFlags(kube.NamespaceNames),
	}
	byArgs := map[string]cobra.CompletionFunc{
		"logs":   c.path(c.clusterPart, c.namespacePart, c.objectPart("pods")),
		"events": c.path(c.clusterPart, c.namespacePart, c.kindPart, c.objectPart("")),
		"accept": c.path(c.clusterPart),
		"exec":   c.path(c.clusterPart, c.namespacePart, c.objectPart("pods")),
		"port-forward": c.path(c.clusterPart, c.namespacePart, func(context.Context, []string) ([]string, error) {
			return []string{"pod", "svc"}, nil
		}, c.objectPart("")),
	}
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		for name, complete := range byFlag {
			if cmd.Flag(name) != nil {
				_ = cmd.RegisterFlagCompletionFunc(name, complete)
			}
		}
		if complete, ok := byArgs[cmd.Name()]; ok {
			cmd.ValidArgsFunction = complete
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// fixedValues completes a flag from a fixed list.
func fixedValues(cmd *cobra.Command, flag string, values ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// completeOutput completes -o: the formats that take a template after "="
// are offered with it, and the shell adds no space after them.
func completeOutput(cmd *cobra.Command, formats []string) {
	_ = cmd.RegisterFlagCompletionFunc("output", func(_ *cobra.Command, _ []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []string
		templates := true
		for _, f := range formats {
			if templated(f) {
				f += "="
			}
			if strings.HasPrefix(f, typed) {
				out = append(out, f)
				templates = templates && strings.HasSuffix(f, "=")
			}
		}
		if len(out) > 0 && templates {
			return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
}

// templated reports whether an -o format takes a template or a file.
func templated(format string) bool {
	return strings.Contains(format, "template") || strings.HasPrefix(format, "jsonpath") || strings.HasPrefix(format, "custom-columns")
}

func (c completer) contexts(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	kc, err := c.flags.LoadKubeconfig()
	if err != nil {
		return noNames(err)
	}
	return kc.Contexts(), cobra.ShellCompDirectiveNoFileComp
}

// load reads the config file and the kubeconfig as the commands do.
func (c completer) load() (*kube.Kubeconfig, string, map[string]string, error) {
	return (&fleetFlags{kube: c.flags, configPath: *c.configPath}).loadConfig()
}

// clusters are the names of the ITS's ManagedClusters.
func (c completer) clusters(ctx context.Context) ([]string, error) {
	kc, its, _, err := c.load()
	if err != nil {
		return nil, err
	}
	mcs, err := kc.ManagedClusters(ctx, its)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(mcs))
	for i, mc := range mcs {
		names[i] = mc.Name
	}
	return names, nil
}

// fromWECs reads names from the WECs named in only (every WEC when none).
func (c completer) fromWECs(ctx context.Context, only []string, read func(context.Context, *rest.Config) ([]string, error)) ([]string, error) {
	kc, its, wecContexts, err := c.load()
	if err != nil {
		return nil, err
	}
	return kc.NamesFromWECs(ctx, its, wecContexts, only, read)
}

// fromFlags completes a flag from the WECs --cluster names, if given.
func (c completer) fromFlags(read func(context.Context, *rest.Config) ([]string, error)) cobra.CompletionFunc {
	return c.names(func(ctx context.Context, cmd *cobra.Command) ([]string, error) {
		return c.fromWECs(ctx, onlyClusters(cmd), read)
	})
}

// names turns a reader into a completion function of one whole word.
func (c completer) names(read func(context.Context, *cobra.Command) ([]string, error)) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
		ctx, cancel := context.WithTimeout(cmd.Context(), completionTimeout)
		defer cancel()
		names, err := read(ctx, cmd)
		if err != nil {
			return noNames(err)
		}
		return withPrefix(names, "", typed, ""), cobra.ShellCompDirectiveNoFileComp
	}
}

// path completes a CLUSTER/NAMESPACE/… argument one part at a time: each
// part but the last is offered with its "/" and no space after it.
func (c completer) path(parts ...segment) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
		done := strings.Split(typed, "/")
		at := len(done) - 1
		if len(args) > 0 || at >= len(parts) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), completionTimeout)
		defer cancel()
		names, err := parts[at](ctx, done[:at])
		if err != nil {
			return noNames(err)
		}
		prefix := strings.Join(done[:at], "/")
		if at > 0 {
			prefix += "/"
		}
		if at < len(parts)-1 {
			return withPrefix(names, prefix, typed, "/"), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
		}
		return withPrefix(names, prefix, typed, ""), cobra.ShellCompDirectiveNoFileComp
	}
}

func (c completer) clusterPart(ctx context.Context, _ []string) ([]string, error) {
	return c.clusters(ctx)
}

func (c completer) namespacePart(ctx context.Context, before []string) ([]string, error) {
	return c.fromWECs(ctx, before[:1], kube.NamespaceNames)
}

func (c completer) kindPart(ctx context.Context, before []string) ([]string, error) {
	return c.fromWECs(ctx, before[:1], kube.ResourceNames)
}

// objectPart names the objects of a kind in the namespace; with kind "",
// the kind is the part before.
func (c completer) objectPart(kind string) segment {
	return func(ctx context.Context, before []string) ([]string, error) {
		of := kind
		if of == "" {
			of = before[2]
		}
		kc, its, wecContexts, err := c.load()
		if err != nil {
			return nil, err
		}
		list, err := kc.List(ctx, its, kube.ListRequest{Kinds: []string{of}, Clusters: before[:1],
			Namespace: before[1], WECContexts: wecContexts})
		if err != nil {
			return nil, err
		}
		var names []string
		for _, item := range list.Items {
			names = append(names, item.Meta().GetName())
		}
		return names, nil
	}
}

// withPrefix keeps the names that complete what was typed, each written
// after prefix and followed by suffix.
func withPrefix(names []string, prefix, typed, suffix string) []string {
	var out []string
	for _, n := range names {
		if full := prefix + n + suffix; strings.HasPrefix(full, typed) && !slices.Contains(out, full) {
			out = append(out, full)
		}
	}
	return out
}

// onlyClusters are the WECs --cluster names on the line being completed.
func onlyClusters(cmd *cobra.Command) []string {
	if f := cmd.Flags().Lookup("cluster"); f == nil || !f.Changed {
		return nil
	}
	only, _ := cmd.Flags().GetStringSlice("cluster")
	return only
}

// noNames completes nothing and tells why (the shell shows it in debug mode).
func noNames(err error) ([]cobra.Completion, cobra.ShellCompDirective) {
	cobra.CompErrorln(err.Error())
	return nil, cobra.ShellCompDirectiveNoFileComp
}
