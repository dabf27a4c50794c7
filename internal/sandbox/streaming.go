package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ExecClusterEnv is set, to the WEC's name, in the environment of every
// command run through `kubectl exec` on the sandbox.
const ExecClusterEnv = "WECS_SANDBOX_CLUSTER"

// writeKwokStreamingConfig writes kwok's ClusterExec and ClusterPortForward
// for a WEC: an exec into any container runs the command on this machine,
// in an empty working directory of the WEC's own; a port-forward to any port
// of any pod reaches the WEC's port server.
func (u *upper) writeKwokStreamingConfig(p *controlPlane) (string, error) {
	workDir := filepath.Join(u.Dir, "exec", p.cluster.Name)
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return "", err
	}
	config := fmt.Sprintf(`apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata:
  name: sandbox-exec
spec:
  execs:
  - local:
      workDir: %q
      envs:
      - name: %s
        value: %q
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterPortForward
metadata:
  name: sandbox-port-forward
spec:
  forwards:
  - target:
      address: 127.0.0.1
      port: %d
`, workDir, ExecClusterEnv, p.cluster.Name, p.portServerPort)
	path := filepath.Join(p.dir, "kwok-streaming.yaml")
	return path, os.WriteFile(path, []byte(config), 0o644)
}

// portServerEnv, when set in the environment, turns a process into the
// sandbox's port server; its value lists CLUSTER=PORT pairs, comma-separated.
const portServerEnv = "WECS_SANDBOX_SERVE_PORTS"

// startPortServer launches the port server: one small HTTP server per WEC,
// the target of every port-forward to that WEC's pods.
func (u *upper) startPortServer(wecs []*controlPlane) error {
	var pairs []string
	for _, p := range wecs {
		pairs = append(pairs, p.cluster.Name+"="+strconv.Itoa(p.portServerPort))
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable for the port server: %w", err)
	}
	return u.launch(&Component{Name: "port-server", Binary: self, Env: []string{portServerEnv + "=" + strings.Join(pairs, ",")}})
}

// PortServerAnswer is what the port server answers a forwarded GET of path
// on cluster's pods with.
func PortServerAnswer(cluster, path string) string {
	return fmt.Sprintf("hello from the sandbox's port server on %s: GET %s\n", cluster, path)
}

// servePorts serves every CLUSTER=PORT pair of pairs until one server fails.
func servePorts(pairs string) error {
	return servePairs(portServerEnv, "CLUSTER=PORT", pairs, func(_, port string) string { return net.JoinHostPort("127.0.0.1", port) },
		func(l net.Listener, cluster, _ string) error {
			server := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				fmt.Fprint(w, PortServerAnswer(cluster, r.URL.Path))
			})}
			return server.Serve(l)
		})
}

// servePairs listens, for each KEY=VALUE pair of the comma-separated pairs
// (named by env, written as form), at the address addr gives, and serves
// each listener with serve; it returns the first failure.
func servePairs(env, form, pairs string, addr func(key, value string) string, serve func(l net.Listener, key, value string) error) error {
	failed := make(chan error, 1)
	for _, pair := range strings.Split(pairs, ",") {
		key, value, ok := strings.Cut(pair, "=")
		if !ok {
			return fmt.Errorf("%s: %q is not %s", env, pair, form)
		}
		l, err := net.Listen("tcp", addr(key, value))
		if err != nil {
			return err
		}
		go func() {
			err := serve(l, key, value)
			select {
			case failed <- err:
			default:
			}
		}()
	}
	return <-failed
}

// RunHelperIfAsked makes the calling program the sandbox's log feeder,
// port server, transport, hub WEC simulator or service forwarder, or runs a component with
// its own /etc/hosts, when Up started it as one, and then never returns; otherwise
// it returns at once. Call it first thing in main and in TestMain of
// packages that start sandboxes.
func RunHelperIfAsked() {
	var err error
	switch {
	case os.Getenv(feedEnv) != "":
		clusters := strings.Split(os.Getenv(feedEnv+"_CLUSTERS"), ",")
		err = feedLogs(context.Background(), os.Getenv(feedEnv), clusters, 500*time.Millisecond)
	case os.Getenv(transportEnv) != "":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
		err = runTransport(ctx, os.Getenv(transportEnv))
	case os.Getenv(hubWECsEnv) != "":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
		err = runHubWECs(ctx, os.Getenv(hubWECsEnv))
	case os.Getenv(portServerEnv) != "":
		err = servePorts(os.Getenv(portServerEnv))
	case os.Getenv(serviceForwardsEnv) != "":
		err = forwardServices(os.Getenv(serviceForwardsEnv))
	case os.Getenv(hostsEnv) != "":
		err = execWithHosts(os.Getenv(hostsEnv), os.Args[1:])
	default:
		return
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "sandbox helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}
