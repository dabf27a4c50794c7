package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

func TestMain(m *testing.M) {
	code := sandboxtest.Run(m)
	if built.bin != "" {
		os.RemoveAll(filepath.Dir(built.bin))
	}
	os.Exit(code)
}

var built struct {
	once sync.Once
	bin  string
	err  error
}

// buildWecs builds the real binary once per test run, with version
// information linked in.
func buildWecs(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "wecs-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.bin = filepath.Join(dir, "wecs")
		ldflags := "-X github.com/wecs-tui/wecs/internal/buildinfo.Version=v9.8.7 -X github.com/wecs-tui/wecs/internal/buildinfo.Commit=abc1234"
		if out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", built.bin, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

func TestVersionComesFromLdflags(t *testing.T) {
	out, err := exec.Command(buildWecs(t), "version").CombinedOutput()
	if err != nil {
		t.Fatalf("wecs version: %v: %s", err, out)
	}
	if got := string(out); !strings.Contains(got, "wecs v9.8.7 (commit abc1234") {
		t.Errorf("wecs version printed %q", got)
	}
}

func TestTUIWithAMissingContextSaysWhatToDo(t *testing.T) {
	s := sandboxtest.Shared(t)
	cmd := exec.Command(buildWecs(t), "tui", "--kubeconfig", s.Kubeconfig, "--its-context", "its9")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("wecs tui with an unknown context succeeded: %s", out)
	}
	for _, want := range []string{`context "its9" is not in the kubeconfig`, "--its-context", "cluster4, its1"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("error does not say %q: %s", want, out)
		}
	}
	if strings.Contains(string(out), "goroutine") {
		t.Errorf("error has a stack trace: %s", out)
	}
}

// TestTUIShowsTheFleetLiveAndQuits runs the real binary in tmux against the
// sandbox, as a user would: the clusters with their connection, a cluster
// opened to its namespaces, then quit.
func TestTUIShowsTheFleetLiveAndQuits(t *testing.T) {
	s := sandboxtest.Shared(t)
	bin := buildWecs(t)
	for _, quitKey := range []string{"q", "C-c"} {
		t.Run(quitKey, func(t *testing.T) {
			// KUBECONFIG, not --kubeconfig: the default context choice must find its1.
			// 40 rows: cluster1's cluster-scoped objects (claims, applied
			// works, storage) come before batch's pods.
			term := tmuxtest.Start(t, 80, 40, "KUBECONFIG="+s.Kubeconfig+" "+bin+" tui")
			screen := term.WaitFor(60*time.Second, "ITS its1", "4/4 WECs connected", "cluster1 Active ● Connected",
				"cluster3 Active ● Connected", "cluster4 Pending ● Connected", "q quit")
			if strings.Contains(screen, "goroutine") {
				t.Fatalf("a stack trace on screen:\n%s", screen)
			}
			term.Keys("Enter")
			term.WaitFor(10*time.Second, "▾ cluster1", "shop", "payments", "batch")
			// (cluster-scoped) comes first, then batch: open it; + opens every kind.
			term.Keys("j", "j", "Enter")
			term.WaitFor(10*time.Second, "▾ batch", "CronJob", "Job", "Pod")
			term.Keys("+")
			term.WaitFor(30*time.Second, "Pod crashy ✗ containerFailed", "Job db-migrate ✓ Succeeded")
			// / finds a pod by name on every cluster; n goes to the next one.
			term.Keys("/", "c", "r", "a", "s", "h", "y")
			term.WaitFor(10*time.Second, "/crashy", "(1 of 3)")
			term.Keys("Enter", "n")
			term.WaitFor(10*time.Second, "/crashy (2 of 3)", "▾ cluster2")
			term.Keys("Escape")
			term.WaitGone(10*time.Second, "n/N next/previous")
			term.Keys(quitKey)
			if quitKey == "q" { // q asks first in the tree
				term.WaitFor(10*time.Second, "quit wecs? y/n")
				term.Keys("y")
			}
			term.WaitFor(10*time.Second, "[exited 0]")
		})
	}
}

// TestTUIShowsAnOutageAndTheReturn kills one WEC's apiserver under the
// running UI: its dot turns to Disconnected with the reason while the other
// stays Connected, and r brings it back once the server is up.
func TestTUIShowsAnOutageAndTheReturn(t *testing.T) {
	s := sandboxtest.New(t, sandbox.Options{WECs: 2, Nodes: 1})
	term := tmuxtest.Start(t, 140, 24, buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig)
	term.WaitFor(60*time.Second, "cluster1 Active ● Connected", "cluster2 Active ● Connected")
	if err := s.StopComponent("cluster2/kube-apiserver"); err != nil {
		t.Fatal(err)
	}
	// The ITS may mark cluster2 unavailable meanwhile (its agent checks the
	// WEC's apiserver once a minute), so its health is not checked here.
	term.WaitFor(30*time.Second, "○ Disconnected · stale since", "cluster1 Active ● Connected", "2/3 WECs connected")
	// The cluster's Summary says the same, and when it will try again.
	term.Keys("j")
	term.WaitFor(10*time.Second, "ManagedCluster cluster2", "connection  Disconnected: connection refused", "r retries now")
	if err := s.StartComponent("cluster2/kube-apiserver", true); err != nil {
		t.Fatal(err)
	}
	waitReady(t, s, "cluster2")
	term.Keys("r")
	term.WaitFor(60*time.Second, "3/3 WECs connected")
	// The ITS itself goes away and comes back: the header says so meanwhile.
	if err := s.StopComponent("its1/kube-apiserver"); err != nil {
		t.Fatal(err)
	}
	term.WaitFor(30*time.Second, "ITS its1 ○ not answering: connection refused", "(clusters as last seen)")
	if err := s.StartComponent("its1/kube-apiserver", true); err != nil {
		t.Fatal(err)
	}
	waitReady(t, s, "its1")
	screen := term.WaitFor(60*time.Second, "ITS its1 · 3/3 WECs connected")
	if strings.Contains(screen, "not answering") {
		t.Errorf("the ITS is back but the header still says it is not:\n%s", screen)
	}
	quitFromTheTree(term)
}

// waitReady waits up to 2 minutes for a restarted apiserver's /readyz.
func waitReady(t *testing.T, s *sandbox.State, context string) {
	t.Helper()
	cfg, err := s.RESTConfig(context)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 5 * time.Second
	readyz := kubernetes.NewForConfigOrDie(cfg).Discovery().RESTClient()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		_, err := readyz.Get().AbsPath("/readyz").DoRaw(t.Context())
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s's apiserver not ready within 2m: %v", context, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestTUIWalksToTheFailingWorkloadAndReadsIt is a new user's first look:
// find the Deployment that never becomes ready, read its Summary, YAML and
// Events (with its pods' scheduling failures), then narrow the tree to
// what failed.
func TestTUIWalksToTheFailingWorkloadAndReadsIt(t *testing.T) {
	s := sandboxtest.Shared(t)
	term := tmuxtest.Start(t, 160, 45, buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig+" --its-context its1")
	term.WaitFor(60*time.Second, "cluster1 Active ● Connected", "cluster3 Active ● Connected")
	term.Keys("/", "f", "r", "a", "u", "d", "Enter")
	// NotReady at first, Failed once its progress deadline has passed.
	term.WaitFor(10*time.Second, "cluster1 › payments › Deployment fraud-model", "Deployment fraud-model ")
	term.Keys("d")
	term.WaitFor(10*time.Second, "[Summary]", "Deployment payments/fraud-model on cluster1", " 0/2",
		"Available        False", "MinimumReplicasUnavailable", "ghcr.io/example/fraud-model:0.9", "memory 16Gi", "Owns (1)")
	term.Keys("y")
	term.WaitFor(10*time.Second, "[YAML]", "kind: Deployment", "name: fraud-model")
	term.Keys("v")
	term.WaitFor(10*time.Second, "[Events]", "ScalingReplicaSet", "Scaled up replica set fraud-model-")
	term.Keys("p")
	screen := term.WaitFor(20*time.Second, "Warning FailedScheduling Pod/fraud-model-", "Insufficient cpu", "p own events only")
	if strings.Contains(screen, "Pod/checkout-") {
		t.Errorf("another workload's events among fraud-model's:\n%s", screen)
	}
	// Back to the tree; f narrows it to what failed, x clears.
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "d/y/v details")
	term.Keys("f")
	screen = term.WaitFor(10*time.Second, "filter: status=Failed", "Pod crashy ✗ containerFailed", "Job report-failing ✗ Failed")
	if strings.Contains(screen, "✓ Running") {
		t.Errorf("a running object under the Failed filter:\n%s", screen)
	}
	// The failed pod's Summary says how its container ended.
	term.Keys("/", "c", "r", "a", "s", "h", "y", "Enter", "d")
	term.WaitFor(10*time.Second, "Pod batch/crashy on cluster1", "phase       Failed", "Containers")
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "d/y/v details")
	term.Keys("x")
	term.WaitFor(10*time.Second, "d/y/v details")
	term.Keys(":", "k", "i", "n", "d", " ", "d", "e", "p", "l", "o", "y", "Enter")
	term.WaitFor(10*time.Second, "filter: kind=Deployment")
	quitFromTheTree(term)
}

// quitFromTheTree quits the TUI as a user does from the tree: q, which
// asks first, then y; wecs must exit 0.
func quitFromTheTree(term *tmuxtest.Session) {
	term.Keys("q")
	term.WaitFor(10*time.Second, "quit wecs? y/n")
	term.Keys("y")
	term.WaitFor(10*time.Second, "[exited 0]")
}

func TestTUIWithNoContextsSaysWhatToDo(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty-kubeconfig")
	if err := os.WriteFile(empty, []byte("apiVersion: v1\nkind: Config\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(buildWecs(t), "tui", "--kubeconfig", empty).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "the kubeconfig has no contexts") {
		t.Fatalf("want a no-contexts error, got %v: %s", err, out)
	}
}

// TestProfilesAreWritten: --cpuprofile and --memprofile leave profiles go
// tool pprof reads (gzipped), and a path that cannot be written is an error
// that names its flag.
func TestProfilesAreWritten(t *testing.T) {
	for _, flag := range []string{"--cpuprofile", "--memprofile"} {
		path := filepath.Join(t.TempDir(), "prof.pprof")
		if out, err := exec.Command(buildWecs(t), "version", flag, path).CombinedOutput(); err != nil {
			t.Fatalf("wecs version %s: %v: %s", flag, err, out)
		}
		data, err := os.ReadFile(path)
		if err != nil || len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			t.Fatalf("%s: no gzipped profile at %s (%v, %d bytes)", flag, path, err, len(data))
		}
		out, err := exec.Command(buildWecs(t), "version", flag, filepath.Join(path, "no", "such")).CombinedOutput()
		if err == nil || !strings.Contains(string(out), flag+":") {
			t.Errorf("an unwritable %s path: %v: %s", flag, err, out)
		}
	}
}
