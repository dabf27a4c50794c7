package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/wecs-tui/wecs/kube"
)

func newAccept(kf *kube.Flags, configPath *string) *cobra.Command {
	ff := &fleetFlags{kube: kf}
	var yes bool
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "accept CLUSTER",
		Short: "Accept a pending WEC, as clusteradm accept does",
		Long: `Accept a WEC whose agent asked to join the ITS: approve the registration CSRs its agent
filed (only those from an OCM bootstrap identity that ask for that cluster's agent identity)
and set hubAcceptsClient on its ManagedCluster. wecs says what it will do and asks first;
--yes skips the question (for scripts). It then waits until the WEC is Active (--wait 0 returns at once).

Exit status: 0 when accepted (and Active, when waiting), 2 when accepted but not Active in time, 1 on error.`,
		Example: `  wecs accept cluster4
  wecs accept cluster4 --yes --wait 2m`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ff.configPath = *configPath
			cluster := args[0]
			fleet, _, err := ff.openFleet(cmd.Context())
			if err != nil {
				return err
			}
			plan, err := fleet.PlanAccept(cmd.Context(), cluster)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if plan.Noop() {
				fmt.Fprintln(out, plan.String())
				return nil
			}
			for _, skipped := range plan.Skipped {
				fmt.Fprintln(cmd.ErrOrStderr(), "not approved:", skipped)
			}
			if !yes {
				if !term.IsTerminal(int(os.Stdin.Fd())) {
					return fmt.Errorf("accepting %s would %s; pass --yes to do it without a terminal", cluster, plan)
				}
				fmt.Fprintf(out, "Accept %s: %s? [y/N] ", cluster, plan)
				answer, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if a := strings.TrimSpace(strings.ToLower(answer)); a != "y" && a != "yes" {
					return fmt.Errorf("not accepted")
				}
			}
			done, err := fleet.Accept(cmd.Context(), cluster)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "accepted %s: %s\n", cluster, done)
			if wait <= 0 {
				return nil
			}
			return waitActive(cmd.Context(), fleet, cluster, wait, out)
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().DurationVar(&wait, "wait", time.Minute, "wait this long for the WEC to become Active (0: do not wait)")
	return cmd
}

// waitActive waits until the ITS reports the cluster Active.
func waitActive(ctx context.Context, fleet *kube.Fleet, cluster string, timeout time.Duration, out io.Writer) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := ""
	for {
		for _, m := range fleet.Members() {
			if m.Name != cluster {
				continue
			}
			if m.Health == kube.HealthActive {
				fmt.Fprintf(out, "%s is Active (%s after accepting)\n", cluster, time.Since(start).Round(time.Second))
				return nil
			}
			last = string(m.Health) + ": " + m.Reason
		}
		select {
		case <-ctx.Done():
			return &exitCodeError{code: exitPartial, err: fmt.Errorf("%s accepted, but not Active after %s (%s); see wecs clusters -o wide, and the agent's logs on the WEC", cluster, timeout, last)}
		case <-fleet.Changed():
		case <-time.After(time.Second):
		}
	}
}
