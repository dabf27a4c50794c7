package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

// TestVerboseLogGoesToTheLogFileOnly: -v 6 writes client-go's request lines
// to --log-file, and nothing but the answer reaches the terminal.
func TestVerboseLogGoesToTheLogFileOnly(t *testing.T) {
	s := sandboxtest.Shared(t)
	logFile := filepath.Join(t.TempDir(), "wecs.log")
	stdout, stderr, code := runWecs(t, "clusters", "--kubeconfig", s.Kubeconfig, "-v", "6", "--log-file", logFile)
	if code != 0 {
		t.Fatalf("wecs clusters: exit %d\n%s%s", code, stdout, stderr)
	}
	if stderr != "" || strings.Contains(stdout, "round_trippers") || !strings.HasPrefix(stdout, "NAME") {
		t.Errorf("the terminal got more than the table:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--- wecs v9.8.7", `round_trippers.go`, `verb="GET"`, "/apis/cluster.open-cluster-management.io/v1"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the log does not have %q:\n%.2000s", want, log)
		}
	}
}

// TestVerboseLogDefaultsToTheStateDir: -v alone logs to $XDG_STATE_HOME/wecs/wecs.log.
func TestVerboseLogDefaultsToTheStateDir(t *testing.T) {
	state := t.TempDir()
	cmd := exec.Command(buildWecs(t), "version", "-v", "2")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
	if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "I1") {
		t.Fatalf("wecs version -v 2: %v: %s", err, out)
	}
	if log, err := os.ReadFile(filepath.Join(state, "wecs", "wecs.log")); err != nil || !strings.Contains(string(log), "verbosity 2") {
		t.Errorf("no log in the state dir: %v %q", err, log)
	}
}

// TestContextFlagNamesTheITS: --context its1 is --its-context its1, and the
// two flags naming different contexts is an error that says so.
func TestContextFlagNamesTheITS(t *testing.T) {
	s := sandboxtest.Shared(t)
	names := func(args ...string) string {
		stdout, stderr, code := runWecs(t, append([]string{"clusters", "--kubeconfig", s.Kubeconfig}, args...)...)
		if code != 0 {
			t.Fatalf("wecs clusters %v: exit %d\n%s", args, code, stderr)
		}
		var out []string
		for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
			out = append(out, strings.Fields(line)[0])
		}
		return strings.Join(out, " ")
	}
	viaContext, viaITSContext := names("--context", "its1"), names("--its-context", "its1")
	if viaContext != viaITSContext || viaContext != "NAME cluster1 cluster2 cluster3 cluster4" {
		t.Errorf("--context its1 listed %q, --its-context its1 %q", viaContext, viaITSContext)
	}
	// its1 is also the default: a context the kubeconfig lacks shows --context is read.
	_, stderr, code := runWecs(t, "clusters", "--kubeconfig", s.Kubeconfig, "--context", "its9")
	if code != exitError || !strings.Contains(stderr, `context "its9" is not in the kubeconfig`) {
		t.Errorf("--context its9: exit %d: %s", code, stderr)
	}
	_, stderr, code = runWecs(t, "clusters", "--kubeconfig", s.Kubeconfig, "--context", "cluster1", "--its-context", "its1")
	if code != exitError || !strings.Contains(stderr, "--its-context its1 and --context cluster1 name different contexts") {
		t.Errorf("differing --context and --its-context: exit %d: %s", code, stderr)
	}
}
