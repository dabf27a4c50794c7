// Command wecs-sandbox runs a local fleet of real Kubernetes control planes
// (an ITS and several WECs) for developing, testing and demonstrating wecs.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wecs-tui/wecs/internal/sandbox"
)

func main() {
	sandbox.RunHelperIfAsked()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRoot().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "wecs-sandbox:", err)
		os.Exit(1)
	}
}

func newRoot() *cobra.Command {
	var dir string
	root := &cobra.Command{
		Use:           "wecs-sandbox",
		Short:         "Run a local KubeStellar-like fleet (an ITS and WECs) of real control planes",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&dir, "dir", sandbox.DefaultDir(), "directory for the sandbox's state, logs and kubeconfig")
	root.AddCommand(newUp(&dir), newDown(&dir), newStatus(&dir), newKubeconfig(&dir),
		newComponentCommand(&dir, "stop", "Stop one component, as an outage would (e.g. cluster3/kube-apiserver)"),
		newComponentCommand(&dir, "start", "Start a stopped component again with its recorded command"),
		newAccept(&dir), newAgentCommand(&dir, "stop-agent"), newAgentCommand(&dir, "start-agent"))
	return root
}

func newAccept(dir *string) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "accept CLUSTER",
		Short: "Accept a WEC that joined the ITS, as clusteradm accept does, and wait until its agent reports it Available",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := sandbox.Load(*dir)
			if err != nil {
				return err
			}
			start := time.Now()
			if err := s.Accept(cmd.Context(), args[0]); err != nil {
				return err
			}
			if err := s.WaitAvailable(cmd.Context(), args[0], timeout); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "accepted %s: Joined and Available after %s\n", args[0], time.Since(start).Round(100*time.Millisecond))
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", time.Minute, "how long to wait for the WEC to turn Available")
	return cmd
}

// newAgentCommand is `stop-agent CLUSTER` or `start-agent CLUSTER`: the WEC's
// klusterlet agent, whose lease then lapses or is renewed again.
func newAgentCommand(dir *string, verb string) *cobra.Command {
	short := "Stop a WEC's OCM agent: the ITS marks the WEC Available=Unknown once its lease lapses"
	if verb == "start-agent" {
		short = "Start a WEC's stopped OCM agent again: the WEC turns Available"
	}
	return &cobra.Command{
		Use:   verb + " CLUSTER",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := sandbox.Load(*dir)
			if err != nil {
				return err
			}
			if c, ok := s.Cluster(args[0]); !ok || c.ITS {
				return fmt.Errorf("no WEC %q in the sandbox; its WECs are %s", args[0], strings.Join(append(s.WECNames(), s.Pending), ", "))
			}
			name := sandbox.AgentComponent(args[0])
			if verb == "stop-agent" {
				err = s.StopComponent(name)
			} else {
				err = s.StartComponent(name, false)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", verb, name)
			return nil
		},
	}
}

func newUp(dir *string) *cobra.Command {
	opts := sandbox.Options{WECs: 3, Nodes: 3}
	var extra []string
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Build the binaries if needed, start the fleet and seed it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Dir = *dir
			opts.Progress = cmd.ErrOrStderr()
			var err error
			if opts.ExtraArgs, err = parseExtraArgs(extra); err != nil {
				return err
			}
			s, err := sandbox.Up(cmd.Context(), opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "sandbox running in %s: ITS its1, WECs %s, pending %s\n", s.Dir, strings.Join(s.WECNames(), ", "), s.Pending)
			if s.HubWECs > 0 {
				fmt.Fprintf(out, "simulated on the ITS alone: %d hub WECs, %s to %s\n", s.HubWECs, sandbox.HubWECName(1), sandbox.HubWECName(s.HubWECs))
			}
			fmt.Fprintf(out, "\n  export KUBECONFIG=%s\n  kubectl --context its1 get managedclusters\n  wecs tui --its-context its1\n\naccept %s with: wecs-sandbox accept %s --dir %s\nstop it with: wecs-sandbox down --dir %s\n", s.Kubeconfig, s.Pending, s.Pending, s.Dir, s.Dir)
			return nil
		},
	}
	cmd.Flags().IntVar(&opts.WECs, "wecs", opts.WECs, "number of accepted WECs (one more joins the ITS and is left pending)")
	cmd.Flags().IntVar(&opts.Nodes, "nodes", opts.Nodes, "kwok nodes per WEC")
	cmd.Flags().IntVar(&opts.Pods, "pods", 0, "extra pods per WEC, in Deployments of namespace load")
	cmd.Flags().IntVar(&opts.HubWECs, "hub-wecs", 0, "simulated WECs that exist only on the ITS (hub-wec-0001 …): a simulator writes their ManagedClusters, leases and ManifestWorks with status, as their agents would")
	cmd.Flags().StringArrayVar(&extra, "extra-arg", nil, "KIND=ARG: one more argument for every component of a kind, e.g. kube-apiserver=--v=4 (repeatable)")
	cmd.Flags().IntVar(&opts.PortBase, "port-base", 0, "use consecutive ports from this one (default: free ports)")
	return cmd
}

func newDown(dir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "down",
		Short: "Stop every process the sandbox started and remove its directory",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := sandbox.Load(*dir)
			if errors.Is(err, sandbox.ErrNoSandbox) {
				fmt.Fprintf(cmd.OutOrStdout(), "no sandbox in %s: nothing to stop\n", *dir)
				return nil
			}
			if err != nil {
				return err
			}
			if err := s.Down(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "stopped %d processes and removed %s\n", len(s.Components), s.Dir)
			return nil
		},
	}
}

func newStatus(dir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Say which of the sandbox's processes run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := sandbox.Load(*dir)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "COMPONENT\tPID\tPORT\tSTATE\tLOG")
			down := 0
			for _, c := range s.Status() {
				state := "running"
				if !c.Running {
					state = "EXITED"
					down++
				}
				port := "-"
				if c.Port > 0 {
					port = fmt.Sprint(c.Port)
				}
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\n", c.Name, c.PID, port, state, c.Log)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "kubeconfig: %s\n", s.Kubeconfig)
			if down > 0 {
				return fmt.Errorf("%d of %d components have exited; their logs say why", down, len(s.Components))
			}
			return nil
		},
	}
}

func newKubeconfig(dir *string) *cobra.Command {
	var itsOnly bool
	cmd := &cobra.Command{
		Use:   "kubeconfig",
		Short: "Print the path of the sandbox's kubeconfig",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := sandbox.Load(*dir)
			if err != nil {
				return err
			}
			path := s.Kubeconfig
			if itsOnly {
				path = s.ITSOnlyKubeconfig()
			}
			fmt.Fprintln(cmd.OutOrStdout(), path)
			return nil
		},
	}
	cmd.Flags().BoolVar(&itsOnly, "its-only", false, "print instead the kubeconfig of a fleet operator who holds only the ITS context and reaches the WECs through the cluster-proxy add-on")
	return cmd
}

// parseExtraArgs turns KIND=ARG flags into arguments by component kind.
func parseExtraArgs(flags []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, f := range flags {
		kind, arg, ok := strings.Cut(f, "=")
		if !ok || kind == "" || arg == "" {
			return nil, fmt.Errorf("--extra-arg %q: write KIND=ARG, e.g. kube-apiserver=--v=4", f)
		}
		out[kind] = append(out[kind], arg)
	}
	return out, nil
}

// newComponentCommand is `stop NAME` or `start NAME` for one component.
func newComponentCommand(dir *string, verb, short string) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " COMPONENT",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := sandbox.Load(*dir)
			if err != nil {
				return err
			}
			if verb == "stop" {
				err = s.StopComponent(args[0])
			} else {
				err = s.StartComponent(args[0], false)
			}
			if err != nil {
				return err
			}
			done := map[string]string{"stop": "stopped", "start": "started"}[verb]
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", done, args[0])
			return nil
		},
	}
}
