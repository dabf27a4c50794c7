package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wecs-tui/wecs/internal/ttyexec"
	"github.com/wecs-tui/wecs/kube"
)

// Kinds as kubectl's exec and port-forward take them in KIND/NAME.
var (
	podKinds     = []string{"Pod", "pod", "pods", "po"}
	serviceKinds = []string{"svc", "service", "services"}
)

const execExample = "wecs exec cluster1/shop/debug-shell -- sh -c 'echo hi'"

// podClient reaches the pods of the WEC named cluster, without starting
// the fleet's watches.
func (ff *fleetFlags) podClient(ctx context.Context, cluster string) (*kube.PodClient, error) {
	kc, its, wecContexts, err := ff.loadConfig()
	if err != nil {
		return nil, err
	}
	pc, err := kc.PodClient(ctx, its, cluster, wecContexts)
	var noCluster *kube.NoSuchClusterError
	if errors.As(err, &noCluster) {
		return nil, fmt.Errorf("no cluster %q on the ITS (it has %s)", cluster, strings.Join(noCluster.Known, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cluster, err)
	}
	return pc, nil
}

func newExec(kf *kube.Flags, configPath *string) *cobra.Command {
	ff := &fleetFlags{kube: kf}
	var (
		container  string
		stdin, tty bool
	)
	cmd := &cobra.Command{
		Use:   "exec CLUSTER/NAMESPACE/POD [-c CONTAINER] [-i] [-t] -- COMMAND [ARG...]",
		Short: "Run a command in a container, as kubectl exec does",
		Long: `Run a command in a container of a pod on a WEC, through its API server, as kubectl exec does:
-c names the container (default: the pod's kubectl.kubernetes.io/default-container, else its first),
-i passes stdin, -t gives the command a terminal (with -i, when stdin is one).

Exit status: the command's own, or 1 when it could not be run.`,
		Example: `  ` + execExample + `
  wecs exec cluster2/shop/debug-shell -c proxy -it -- sh`,
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() != 1 || len(args) < 2 {
				return fmt.Errorf("give one CLUSTER/NAMESPACE/POD, then the command after --, e.g. %s", execExample)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ff.configPath = *configPath
			ref, err := parseRef(args[0])
			if err != nil {
				return err
			}
			if !slices.Contains(podKinds, ref.kind) {
				return fmt.Errorf("%q: exec runs in a pod; write CLUSTER/NAMESPACE/POD", args[0])
			}
			pc, err := ff.podClient(cmd.Context(), ref.cluster)
			if err != nil {
				return err
			}
			// The container's output is passed as it comes, escape sequences
			// and all, as kubectl passes it: a terminal session needs them.
			opts := kube.ExecOptions{Container: container, Command: args[1:], Stdout: os.Stdout, Stderr: os.Stderr}
			if stdin {
				opts.Stdin = os.Stdin
				if tty && !ttyexec.Use(cmd.Context(), os.Stdin, os.Stdout, &opts) {
					fmt.Fprintln(os.Stderr, "Unable to use a TTY - input is not a terminal or the right kind of file")
				}
			}
			return execExit(pc.Exec(cmd.Context(), ref.namespace, ref.name, opts))
		},
	}
	cmd.Flags().StringVarP(&container, "container", "c", "", "the container (default: the pod's default container, else its first)")
	cmd.Flags().BoolVarP(&stdin, "stdin", "i", false, "pass stdin to the command")
	cmd.Flags().BoolVarP(&tty, "tty", "t", false, "give the command a terminal (with -i)")
	return cmd
}

// execExit makes the exit code of a command that failed in its container
// wecs's exit status.
func execExit(err error) error {
	var exit *kube.RemoteExitError
	if errors.As(err, &exit) {
		return &exitCodeError{code: exit.Code, err: err}
	}
	return err
}

func newPortForward(kf *kube.Flags, configPath *string) *cobra.Command {
	ff := &fleetFlags{kube: kf}
	cmd := &cobra.Command{
		Use:   "port-forward CLUSTER/NAMESPACE/(pod|svc)/NAME [LOCAL:]REMOTE...",
		Short: "Forward local ports to a pod or a service's pod, as kubectl port-forward does",
		Long: `Forward local ports to a pod, or to a ready pod of a service, on a WEC, through its API server,
as kubectl port-forward does, until interrupted. Each port is LOCAL:REMOTE, REMOTE alone (the same port
locally) or :REMOTE (a free local port); REMOTE may be a port's name. For a service, REMOTE is the
service's port, forwarded to its target port on the pod.`,
		Example: `  wecs port-forward cluster1/shop/svc/web 8080:80
  wecs port-forward cluster2/shop/pod/debug-shell :80`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ff.configPath = *configPath
			ref, err := parseRef(args[0])
			if err != nil {
				return err
			}
			service := slices.Contains(serviceKinds, ref.kind)
			if !service && !slices.Contains(podKinds, ref.kind) {
				return fmt.Errorf("%q: port-forward goes to a pod or a service; write CLUSTER/NAMESPACE/pod/NAME or CLUSTER/NAMESPACE/svc/NAME", args[0])
			}
			pc, err := ff.podClient(cmd.Context(), ref.cluster)
			if err != nil {
				return err
			}
			return pc.PortForward(cmd.Context(), ref.namespace, kube.ForwardOptions{Service: service, Name: ref.name,
				Ports: args[1:], Out: cmd.OutOrStdout(), ErrOut: cmd.ErrOrStderr()})
		},
	}
	return cmd
}
