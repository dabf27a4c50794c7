package main

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/wecs-tui/wecs/internal/buildinfo"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui"
)

func newRoot() *cobra.Command {
	flags := kube.NewFlags()
	root := &cobra.Command{
		Use:           "wecs",
		Short:         "Watch the workloads of every KubeStellar WEC from one terminal",
		Long:          "wecs finds every WEC (Workload Execution Cluster) that a KubeStellar ITS knows and shows their workloads live, as one tree.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	flags.AddFlags(root.PersistentFlags())
	var configPath string
	root.PersistentFlags().StringVar(&configPath, "config", "", "wecs config file (default $XDG_CONFIG_HOME/wecs/config.yaml)")
	root.AddCommand(newVersion(), newTUI(flags), newClusters(flags, &configPath), newGet(flags, &configPath))
	return root
}

func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			version, commit, date := buildinfo.Info()
			fmt.Fprintf(cmd.OutOrStdout(), "wecs %s (commit %s, built %s)\n", version, commit, date)
		},
	}
}

func newTUI(flags *kube.Flags) *cobra.Command {
	var mouse bool
	cmd := &cobra.Command{
		Use:   "tui",
		Short: "Open the terminal UI on the fleet of the ITS",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kc, err := flags.LoadKubeconfig()
			if err != nil {
				return err
			}
			its, err := kc.ITSContext()
			if err != nil {
				return err
			}
			model := tui.New(tui.Config{ITSContext: its, Kubeconfig: strings.Join(kc.Paths, ":"), Mouse: mouse})
			_, err = tea.NewProgram(model, tea.WithContext(cmd.Context())).Run()
			return err
		},
	}
	cmd.Flags().BoolVar(&mouse, "mouse", false, "enable the mouse (breaks the terminal's own text selection)")
	return cmd
}
