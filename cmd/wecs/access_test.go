package main

import (
	"strings"
	"testing"
	"time"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
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

// TestLimitedUsersSeeTheTreeTheirRightsAllow runs the TUI as each limited
// user: the clusters are Connected, the rows say how many kinds the rights
// limit, the Summary says which and how, what may be read is in the tree,
// and nothing calls the cluster disconnected or its certificate bad.
func TestLimitedUsersSeeTheTreeTheirRightsAllow(t *testing.T) {
	s := sandboxtest.Shared(t)
	if err := s.EnsureUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		user string
		// summary are lines of cluster1's Summary; tree, rows of the tree;
		// pods, what the table of pods says beside its rows.
		summary, tree []string
		pods          string
	}{
		{user: sandbox.ShopViewer, summary: []string{"pods: only namespace shop", "deployments.apps: only namespace shop", "secrets: not allowed"},
			tree: []string{"shop"}, pods: "cluster1: only namespace shop: you may not list pods cluster-wide"},
		{user: sandbox.PodViewer, summary: []string{"deployments.apps: not allowed", "secrets: not allowed"},
			tree: []string{"shop", sandbox.TroubleshootNamespace}},
	} {
		t.Run(c.user, func(t *testing.T) {
			term := tmuxtest.Start(t, 200, 60, buildWecs(t)+" tui --kubeconfig "+s.UserKubeconfig(c.user)+" --its-context its1")
			screen := term.WaitFor(90*time.Second, "cluster1 Active ● Connected (", "kinds limited by your rights)")
			for _, bad := range []string{"Disconnected", "TLS", "Unbound"} {
				if strings.Contains(screen, bad) {
					t.Errorf("%s sees %q:\n%s", c.user, bad, screen)
				}
			}
			// A wide window shows the Summary before d focuses it; the
			// footer says when it has. Keys sent before then would follow
			// the Escape too closely and be read as alt+Right.
			term.Keys("d")
			term.WaitFor(20*time.Second, append([]string{"esc back", "ManagedCluster cluster1"}, c.summary...)...)
			term.Keys("Escape")
			term.WaitGone(20*time.Second, "esc back")
			// The row opens once the first objects are listed; before, it is
			// a leaf and Right would show its details.
			term.WaitFor(20*time.Second, "d/y/v details", "▸ cluster1 Active")
			term.Keys("Right")
			term.WaitFor(20*time.Second, c.tree...)
			term.Keys(":", "pods", "Enter")
			term.WaitFor(30*time.Second, "Pod · ", c.pods, sandbox.LoggingPod)
			// Neither user may read the ITS's ManifestWorks: the bindings
			// view says so rather than calling every copy undelivered.
			term.Keys(":", "bindings", "Enter")
			screen = term.WaitFor(30*time.Second, "the ITS's ManifestWorks cannot be read: manifestworks.work.open-cluster-management.io is forbidden")
			if strings.Contains(screen, "NotDelivered") {
				t.Errorf("%s's bindings view calls a copy undelivered:\n%s", c.user, screen)
			}
			term.Keys(":", "q", "Enter")
			term.WaitFor(10*time.Second, "[exited 0]")
		})
	}
}
