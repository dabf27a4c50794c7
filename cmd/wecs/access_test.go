package main

import (
	"strings"
	"testing"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

// TestLimitedUsersGetAnswersAndExitCodes runs the CLI as the sandbox's
// namespace-scoped and kind-scoped users: what they may read is printed
// with exit 0; an answer their rights cut short says so on stderr, exit 2.
func TestLimitedUsersGetAnswersAndExitCodes(t *testing.T) {
	s := sandboxtest.Shared(t)
	if err := s.EnsureUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	shop, pods := s.UserKubeconfig(sandbox.ShopViewer), s.UserKubeconfig(sandbox.PodViewer)
	cases := []struct {
		name       string
		args       []string
		exit       int
		stdout     []string // each must appear
		stderr     []string
		noStderr   string
		noStdoutOf string
	}{
		{name: "shop-viewer reads pods and deployments of shop",
			args: []string{"--kubeconfig", shop, "get", "--cluster", "cluster1", "-n", "shop", "--kind", "po,deploy"},
			exit: 0, stdout: []string{"debug-shell", "Deployment", "web"}, noStderr: "No resources found"},
		{name: "shop-viewer asks for pods everywhere",
			args: []string{"--kubeconfig", shop, "get", "--cluster", "cluster1", "--kind", "po"},
			exit: 2, stdout: []string{"debug-shell"}, stderr: []string{"incomplete", "your rights hide objects on cluster1", "pods: only namespace shop"}},
		{name: "shop-viewer asks for secrets of shop",
			args: []string{"--kubeconfig", shop, "get", "--cluster", "cluster1", "-n", "shop", "--kind", "secrets"},
			exit: 2, stderr: []string{"secrets: not allowed"}, noStdoutOf: "web-credentials"},
		{name: "shop-viewer reads a pod's log",
			args: []string{"--kubeconfig", shop, "logs", "cluster1/shop/" + sandbox.LoggingPod, "--tail", "3"},
			exit: 0, noStderr: "does not exist"},
		{name: "pod-viewer reads pods everywhere",
			args: []string{"--kubeconfig", pods, "get", "--cluster", "cluster1", "--kind", "po"},
			exit: 0, stdout: []string{"debug-shell", "payments"}},
		{name: "pod-viewer asks for deployments",
			args: []string{"--kubeconfig", pods, "get", "--cluster", "cluster1", "--kind", "deploy"},
			exit: 2, stderr: []string{"deployments.apps: not allowed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, exit := runWecs(t, c.args...)
			if exit != c.exit {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", exit, c.exit, stdout, stderr)
			}
			for _, want := range c.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			for _, want := range c.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if c.noStderr != "" && strings.Contains(stderr, c.noStderr) {
				t.Errorf("stderr says %q:\n%s", c.noStderr, stderr)
			}
			if c.noStdoutOf != "" && strings.Contains(stdout, c.noStdoutOf) {
				t.Errorf("stdout shows %q:\n%s", c.noStdoutOf, stdout)
			}
			if c.name == "shop-viewer reads a pod's log" && strings.TrimSpace(stdout) == "" {
				t.Errorf("no log lines; stderr: %s", stderr)
			}
		})
	}
}
