package main

import (
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"

	"github.com/wecs-tui/wecs/internal/buildinfo"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui"
	"github.com/wecs-tui/wecs/tui/logview"
)

// newRoot is the wecs command; quit handles the signals that end it, prof
// the CPU profile of the run, log its log file.
func newRoot(quit *signalQuit, prof *profiler, log *runLog) *cobra.Command {
	flags := kube.NewFlags()
	root := &cobra.Command{
		Use:           "wecs",
		Short:         "Watch the workloads of every KubeStellar WEC from one terminal",
		Long:          "wecs finds every WEC (Workload Execution Cluster) that a KubeStellar ITS knows and shows their workloads live, as one tree.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			if err := log.start(); err != nil {
				return err
			}
			return prof.start()
		},
	}
	flags.AddFlags(root.PersistentFlags())
	log.addFlags(root.PersistentFlags())
	root.PersistentFlags().StringVar(&prof.path, "cpuprofile", "", "write a CPU profile of the run to this file (for go tool pprof)")
	root.PersistentFlags().StringVar(&prof.heapPath, "memprofile", "", "write a heap profile to this file when wecs ends (for go tool pprof)")
	var configPath string
	root.PersistentFlags().StringVar(&configPath, "config", "", "wecs config file (default $XDG_CONFIG_HOME/wecs/config.yaml)")
	root.AddCommand(newVersion(), newTUI(flags, &configPath, quit), newClusters(flags, &configPath), newBindings(flags, &configPath), newGet(flags, &configPath),
		newLogs(flags, &configPath), newEvents(flags, &configPath), newAccept(flags, &configPath),
		newExec(flags, &configPath), newPortForward(flags, &configPath))
	root.AddCommand(newReleaseFiles(root))
	completeNames(root, flags, &configPath)
	asKubectlPlugin(root, os.Args[0])
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

// newTUI is the tui command; quit handles the signals that end it.
func newTUI(flags *kube.Flags, configPath *string, quit *signalQuit) *cobra.Command {
	var mouse bool
	var logLines int
	var wdsContext, connect string
	cmd := &cobra.Command{
		Use:   "tui",
		Short: "Open the terminal UI on the fleet of the ITS",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if logLines < 0 {
				return fmt.Errorf("--log-lines %d: give a positive number of lines, or leave it out for %d", logLines, logview.DefaultCapacity)
			}
			mode, err := kube.ParseConnectMode(connect)
			if err != nil {
				return fmt.Errorf("--connect: %w", err)
			}
			// Credential plugins run while the UI owns the terminal.
			flags.NoStdin = true
			// The ITS's clusters are drawn first; the WECs' first lists,
			// which take the CPU for a while, start after that frame.
			ff := &fleetFlags{kube: flags, configPath: *configPath, holdWECs: true, connect: mode}
			wds, wdsClient, err := ff.wdsClient(wdsContext)
			if err != nil {
				return err
			}
			if wdsClient != nil {
				// Watched from the start, beside the ITS's first lists: a
				// view opened at once shows it without a read of its own.
				wdsClient.Watch(cmd.Context())
			}
			fleet, its, err := ff.openFleet(cmd.Context())
			if err != nil {
				return err
			}
			if logLines == 0 {
				logLines = ff.config.LogLines
			}
			output := quit.startingUI()
			// The WECs list from the renderer's first write after the window's
			// size came: the tick that writes the frame at that size (its
			// terminal queries go out just before the frame). Two frames after
			// the size at the latest.
			cfg := tui.Config{ITSContext: its, Mouse: mouse, LogLines: logLines, ReadOnly: flags.ReadOnly,
				Sized: func() { output.afterNextWrite(fleet.ReleaseWECs) }, Drawn: fleet.ReleaseWECs}
			if wdsClient != nil {
				cfg.WDS, cfg.WDSContext = wdsClient, wds
			}
			model := tui.New(cfg, fleet, fleet.Tree)
			go oneCoreWhenSettled(cmd.Context(), fleet)
			// The colour profile is the one lipgloss found for standard
			// output as the process started: finding it again would run
			// `tmux info` again inside tmux, before the first frame.
			_, err = tea.NewProgram(model, tea.WithContext(cmd.Context()), tea.WithoutSignalHandler(), tea.WithOutput(output),
				tea.WithFPS(tui.RendererFPS), tea.WithColorProfile(lipgloss.Writer.Profile)).Run()
			return err
		},
	}
	addWDSFlag(cmd, &wdsContext)
	cmd.Flags().StringVar(&connect, "connect", string(kube.ConnectAuto), fmt.Sprintf(
		"which WECs to watch: all, lazy (each when its part of the tree is opened, searched or filtered, or c in the clusters view) or auto (all up to %d, else lazy)", kube.AutoConnectLimit))
	fixedValues(cmd, "connect", string(kube.ConnectAuto), string(kube.ConnectAll), string(kube.ConnectLazy))
	cmd.Flags().BoolVar(&mouse, "mouse", false, "enable the mouse (breaks the terminal's own text selection)")
	cmd.Flags().IntVar(&logLines, "log-lines", 0, fmt.Sprintf("log lines the Logs tab keeps (default %d, or logLines in the config file)", logview.DefaultCapacity))
	return cmd
}
