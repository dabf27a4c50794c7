package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

// TestExecRunsCommandsInContainers runs commands in the sandbox's pods
// through their API servers: the output, the container chosen by default or
// by -c, stdin, and the errors a user meets.
func TestExecRunsCommandsInContainers(t *testing.T) {
	s := sandboxtest.Shared(t)
	kc := "--kubeconfig=" + s.Kubeconfig
	pod := "cluster2/shop/" + sandbox.LoggingPod

	out, errOut, code := runWecs(t, kc, "exec", pod, "--", "echo", "hi")
	if code != 0 || out != "hi\n" || !strings.Contains(errOut, `Defaulted container "app" out of: app, proxy, migrate (init)`) {
		t.Errorf("exec echo hi: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, errOut, code = runWecs(t, kc, "exec", pod, "-c", "proxy", "--", "sh", "-c", "echo $"+sandbox.ExecClusterEnv)
	if code != 0 || out != "cluster2\n" || errOut != "" {
		t.Errorf("exec -c proxy on cluster2: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	cmd := exec.Command(buildWecs(t), kc, "exec", "-i", pod, "--", "head", "-n", "1")
	cmd.Stdin = strings.NewReader("from stdin\n")
	if got, err := cmd.Output(); err != nil || string(got) != "from stdin\n" {
		t.Errorf("exec -i head -n 1: %v, stdout %q", err, got)
	}
	// kwok reports a non-zero exit as an internal error, not as an exit
	// code (kubectl gets the same): wecs fails, and says what came back.
	_, errOut, code = runWecs(t, kc, "exec", pod, "--", "sh", "-c", "exit 3")
	if code == 0 || !strings.Contains(errOut, "exit status 3") || strings.Count(errOut, "\n") != 2 {
		t.Errorf("exec exit 3: exit %d, stderr %q", code, errOut)
	}

	if err := s.EnsureUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	notRunning := troubledPod(t, s, "cluster1", "image-pull")
	expectRefusals(t, kc, map[string]string{
		"exec cluster1/shop/no-such-pod -- echo":                                                          "no pod shop/no-such-pod on cluster1",
		"exec cluster1/shop/debug-shel -- echo":                                                           "the closest are debug-shell",
		"exec cluster9/shop/debug-shell -- echo":                                                          `no cluster "cluster9" on the ITS (it has cluster1, cluster2, cluster3, cluster4)`,
		"exec cluster1/shop/debug-shell -c nope -- echo":                                                  `has no container "nope"; its containers: app, proxy, migrate (init)`,
		"exec cluster1/troubleshoot/" + notRunning + " -- echo":                                           `container "app" of pod troubleshoot/` + notRunning + " on cluster1 is not running (waiting: ", // ErrImagePull, then ImagePullBackOff
		"exec cluster1/troubleshoot/evicted -- echo":                                                      "the pod has completed (phase Failed)",
		"exec cluster1/shop/debug-shell echo":                                                             "then the command after --",
		"exec cluster1/shop/deploy/web -- echo":                                                           "exec runs in a pod",
		"--readonly exec cluster1/shop/debug-shell -- echo":                                               "wecs runs read-only (--readonly or readonly: true in the config file): exec runs commands in containers",
		"--kubeconfig=" + s.UserKubeconfig(sandbox.PodViewer) + " exec cluster1/shop/debug-shell -- echo": "cannot run commands in pod shop/debug-shell: your user may not create pods/exec on cluster1",
	})
}

// troubledPod is the name of the troubleshoot pod in the given state on cluster.
func troubledPod(t *testing.T, s *sandbox.State, cluster, state string) string {
	t.Helper()
	cfg, err := s.RESTConfig(cluster)
	if err != nil {
		t.Fatal(err)
	}
	pods, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Pods(sandbox.TroubleshootNamespace).List(t.Context(),
		metav1.ListOptions{LabelSelector: sandbox.TroubleLabel + "=" + state})
	if err != nil || len(pods.Items) == 0 {
		t.Fatalf("no %s pod on %s: %v", state, cluster, err)
	}
	return pods.Items[0].Name
}

// TestExecExitCodeOfTheRemoteCommandIsWecss checks the mapping of a remote
// exit code to wecs's exit status (the sandbox's kwok cannot report one).
func TestExecExitCodeOfTheRemoteCommandIsWecss(t *testing.T) {
	err := execExit(fmt.Errorf("stream: %w", &kube.RemoteExitError{Code: 3}))
	if got := exitCode(err); got != 3 || err.Error() != "stream: command terminated with exit code 3" {
		t.Errorf("exit code %d, error %q", got, err)
	}
	if got := exitCode(execExit(errors.New("no pod"))); got != exitError {
		t.Errorf("another error exits %d", got)
	}
}

// TestPortForwardAnswersUntilStopped forwards local ports to a pod and to a
// service of the sandbox, GETs through them, stops wecs with a signal, and
// checks the errors a user meets.
func TestPortForwardAnswersUntilStopped(t *testing.T) {
	s := sandboxtest.Shared(t)
	kc := "--kubeconfig=" + s.Kubeconfig
	for _, c := range []struct {
		target, cluster string
		sig             syscall.Signal
	}{
		{"cluster2/shop/pod/" + sandbox.LoggingPod, "cluster2", syscall.SIGINT},
		{"cluster1/shop/svc/web", "cluster1", syscall.SIGTERM},
	} {
		t.Run(c.target, func(t *testing.T) {
			port := freePort(t)
			cmd := exec.Command(buildWecs(t), kc, "port-forward", c.target, port+":80")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(stdout)
			if !lines.Scan() || lines.Text() != "Forwarding from 127.0.0.1:"+port+" -> 80" {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatalf("first line %q; stderr %s", lines.Text(), stderr.String())
			}
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			client := &http.Client{Timeout: 10 * time.Second}
			resp, err := client.Get("http://127.0.0.1:" + port + "/hello")
			if err != nil {
				t.Errorf("GET through the forward: %v", err)
			} else {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(body) != sandbox.PortServerAnswer(c.cluster, "/hello") {
					t.Errorf("GET through the forward: %q", body)
				}
			}
			_ = cmd.Process.Signal(c.sig)
			err = cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 128+int(c.sig) || stderr.Len() > 0 {
				t.Errorf("after %s: %v, stderr %q", c.sig, err, stderr.String())
			}
			if l, err := net.Listen("tcp", "127.0.0.1:"+port); err != nil {
				t.Errorf("port %s still held after wecs ended: %v", port, err)
			} else {
				l.Close()
			}
		})
	}

	if err := s.EnsureUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	port := freePort(t)
	expectRefusals(t, kc, map[string]string{
		"port-forward cluster1/shop/debug-shell " + busyPort + ":80":                                                      "local port " + busyPort + " is in use",
		"port-forward cluster1/shop/pod/no-such-pod 80":                                                                   "no pod shop/no-such-pod on cluster1",
		"port-forward cluster1/shop/svc/wbe 80":                                                                           "no service shop/wbe on cluster1; the closest are db, web",
		"port-forward cluster1/shop/svc/web 81":                                                                           "service shop/web on cluster1 has no port 81; its ports: http=80",
		"port-forward cluster1/troubleshoot/evicted 80":                                                                   "pod troubleshoot/evicted on cluster1 is not running (phase Failed)",
		"port-forward cluster1/shop/debug-shell x:80":                                                                     `port "x:80": write [LOCAL:]REMOTE`,
		"port-forward cluster1/shop/deploy/web 80":                                                                        "port-forward goes to a pod or a service",
		"--readonly port-forward cluster1/shop/debug-shell " + port + ":80":                                               "wecs runs read-only (--readonly or readonly: true in the config file): port-forward opens connections into pods",
		"--kubeconfig=" + s.UserKubeconfig(sandbox.PodViewer) + " port-forward cluster1/shop/debug-shell " + port + ":80": "your user may not create pods/portforward on cluster1",
	})
}

// expectRefusals runs wecs with each line of arguments (with the
// kubeconfig kc unless the line names its own) and expects it to fail with
// exit status 1, nothing on stdout, and its line's words on stderr.
func expectRefusals(t *testing.T, kc string, cases map[string]string) {
	t.Helper()
	for args, want := range cases {
		args := strings.Fields(args)
		if !strings.HasPrefix(args[0], "--kubeconfig") {
			args = append([]string{kc}, args...)
		}
		out, errOut, code := runWecs(t, args...)
		if code != 1 || !strings.Contains(errOut, want) || strings.Contains(errOut, "goroutine") || out != "" {
			t.Errorf("wecs %s: exit %d, stdout %q, stderr %q; want %q", strings.Join(args[1:], " "), code, out, errOut, want)
		}
	}
}

// freePort is a loopback port nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// TestExecAndPortForwardCompleteTheirPath completes the CLUSTER/NAMESPACE/…
// argument of exec and port-forward one part at a time, as for logs.
func TestExecAndPortForwardCompleteTheirPath(t *testing.T) {
	s := sandboxtest.Shared(t)
	const noFiles, noSpace = ":4", ":6"
	for _, c := range []struct {
		args      []string
		want      []string
		directive string
	}{
		{[]string{"exec", "cluster2/shop/"}, prefixed(kubectlLines(t, s, "cluster2", "get", "pods", "-n", "shop", "-o", "name"), "cluster2/shop/", ""), noFiles},
		{[]string{"exec", "cluster2/shop/debug-shell", ""}, nil, noFiles},
		{[]string{"port-forward", "cluster1/shop/"}, []string{"cluster1/shop/pod/", "cluster1/shop/svc/"}, noSpace},
		{[]string{"port-forward", "cluster1/shop/svc/"}, prefixed(kubectlLines(t, s, "cluster1", "get", "services", "-n", "shop", "-o", "name"), "cluster1/shop/svc/", ""), noFiles},
	} {
		got, directive := complete(t, s.Kubeconfig, c.args...)
		if !slices.Equal(got, c.want) || directive != c.directive {
			t.Errorf("%q: got %q %s, want %q %s", c.args, got, directive, c.want, c.directive)
		}
	}
}
