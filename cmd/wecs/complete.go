package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"

	"github.com/wecs-tui/wecs/kube"
)

// completionTimeout bounds the reads behind one TAB.
const completionTimeout = 3 * time.Second

// completeNames registers the completion of real names on every command
// that has the flag: kubeconfig contexts, the ITS's WECs, the WECs' kinds
// and namespaces. The fleet flags already given on the line are honoured.
func completeNames(root *cobra.Command, flags *kube.Flags, configPath *string) {
	load := func() (*kube.Kubeconfig, string, map[string]string, error) {
		ff := &fleetFlags{kube: flags, configPath: *configPath}
		return ff.load()
	}
	contexts := func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		kc, err := flags.LoadKubeconfig()
		if err != nil {
			return noNames(err)
		}
		return kc.Contexts(), cobra.ShellCompDirectiveNoFileComp
	}
	clusters := func(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		kc, its, _, err := load()
		if err != nil {
			return noNames(err)
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), completionTimeout)
		defer cancel()
		mcs, err := kc.ManagedClusters(ctx, its)
		if err != nil {
			return noNames(err)
		}
		names := make([]string, len(mcs))
		for i, mc := range mcs {
			names[i] = mc.Name
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
	fromWECs := func(read func(context.Context, *rest.Config) ([]string, error)) cobra.CompletionFunc {
		return func(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			kc, its, wecContexts, err := load()
			if err != nil {
				return noNames(err)
			}
			var only []string
			if f := cmd.Flags().Lookup("cluster"); f != nil && f.Changed {
				only, _ = cmd.Flags().GetStringSlice("cluster")
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), completionTimeout)
			defer cancel()
			names, err := kc.NamesFromWECs(ctx, its, wecContexts, only, read)
			if err != nil {
				return noNames(err)
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		}
	}
	byFlag := map[string]cobra.CompletionFunc{
		"cluster":   clusters,
		"kind":      fromWECs(kube.ResourceNames),
		"namespace": fromWECs(kube.NamespaceNames),
	}
	for _, name := range []string{"its-context", "context"} {
		_ = root.RegisterFlagCompletionFunc(name, contexts)
	}
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		for name, complete := range byFlag {
			if cmd.LocalNonPersistentFlags().Lookup(name) != nil {
				_ = cmd.RegisterFlagCompletionFunc(name, complete)
			}
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// noNames completes nothing and tells why (the shell shows it in debug mode).
func noNames(err error) ([]cobra.Completion, cobra.ShellCompDirective) {
	cobra.CompErrorln(err.Error())
	return nil, cobra.ShellCompDirectiveNoFileComp
}
