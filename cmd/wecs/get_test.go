package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

// kubectlLines runs kubectl on one context and returns its output's
// lines, sorted, each line's fields joined by "/".
func kubectlLines(t *testing.T, s *sandbox.State, context string, args ...string) []string {
	t.Helper()
	out, err := exec.Command("kubectl", append([]string{"--kubeconfig", s.Kubeconfig, "--context", context}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %v on %s: %v: %s", args, context, err, out)
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		lines = append(lines, strings.Join(strings.Fields(line), "/"))
	}
	slices.Sort(lines)
	return lines
}

// TestGetPrintsAsKubectlPerCluster compares -o name, jsonpath and
// custom-columns with kubectl get pods -A on each WEC.
func TestGetPrintsAsKubectlPerCluster(t *testing.T) {
	s := sandboxtest.Shared(t)
	wecs := func(args ...string) []string {
		out, stderr, code := runWecs(t, append([]string{"get", "--kubeconfig", s.Kubeconfig, "--kind", "po", "--system"}, args...)...)
		if code != 0 {
			t.Fatalf("wecs get %v: exit %d: %s", args, code, stderr)
		}
		words := strings.Fields(out)
		slices.Sort(words)
		return words
	}
	// Jobs add pods now and then: compare at a moment when kubectl says
	// the same before and after wecs reads.
	var diffs []string
	for attempt := 0; attempt < 10; attempt++ {
		diffs = diffs[:0]
		var before, allNames []string
		for _, c := range s.WECNames() {
			before = append(before, kubectlLines(t, s, c, "get", "pods", "-A", "-o", "name")...)
			for _, nsName := range kubectlLines(t, s, c, "get", "pods", "-A", "--no-headers", "-o", "custom-columns=NS:.metadata.namespace,NAME:.metadata.name") {
				allNames = append(allNames, c+"/"+nsName)
			}
		}
		for _, c := range s.WECNames() {
			if got, want := wecs("--cluster", c, "-o", "name"), kubectlLines(t, s, c, "get", "pods", "-A", "-o", "name"); !slices.Equal(got, want) {
				diffs = append(diffs, c+" -o name:\nwecs    "+strings.Join(got, " ")+"\nkubectl "+strings.Join(want, " "))
			}
		}
		var names []string
		for _, n := range allNames {
			names = append(names, n[strings.LastIndex(n, "/")+1:])
		}
		slices.Sort(names)
		if got := wecs("-o", "jsonpath={.items[*].metadata.name}"); !slices.Equal(got, names) {
			diffs = append(diffs, "-o jsonpath:\nwecs    "+strings.Join(got, " ")+"\nkubectl "+strings.Join(names, " "))
		}
		slices.Sort(allNames)
		if got := wecsNames(t, "get", "--kubeconfig", s.Kubeconfig, "--kind", "po", "--system"); !slices.Equal(got, allNames) {
			diffs = append(diffs, "-o custom-columns:\nwecs    "+strings.Join(got, " ")+"\nkubectl "+strings.Join(allNames, " "))
		}
		var after []string
		for _, c := range s.WECNames() {
			after = append(after, kubectlLines(t, s, c, "get", "pods", "-A", "-o", "name")...)
		}
		if len(diffs) == 0 || slices.Equal(before, after) {
			break
		}
		time.Sleep(3 * time.Second)
	}
	if len(diffs) > 0 {
		t.Errorf("wecs and kubectl differ:\n%s", strings.Join(diffs, "\n"))
	}
	// Custom columns are headed as typed, once.
	const columns = "custom-columns=Name:.metadata.name,ns:.metadata.namespace"
	out, stderr, code := runWecs(t, "get", "--kubeconfig", s.Kubeconfig, "--kind", "po", "--cluster", "cluster1", "-o", columns)
	if code != 0 {
		t.Fatalf("wecs get -o %s: exit %d: %s", columns, code, stderr)
	}
	kubectl, err := exec.Command("kubectl", "--kubeconfig", s.Kubeconfig, "--context", "cluster1", "get", "pods", "-A", "-o", columns).Output()
	if err != nil {
		t.Fatal(err)
	}
	header := func(out string) string { return strings.Join(strings.Fields(strings.SplitN(out, "\n", 2)[0]), " ") }
	if header(out) != header(string(kubectl)) || strings.Count(out, "Name") != 1 {
		t.Errorf("-o %s is headed %q, kubectl's %q", columns, header(out), header(string(kubectl)))
	}
}

func TestGetUnknownKindNamesTheClosest(t *testing.T) {
	s := sandboxtest.Shared(t)
	for kind, closest := range map[string]string{"foobar": "the closest kinds are ", "deploymnt": "the closest kinds are deployment", "wdgets": "widgets"} {
		out, stderr, code := runWecs(t, "get", "--kubeconfig", s.Kubeconfig, "--kind", kind)
		if code != exitError || out != "" || !strings.Contains(stderr, `doesn't have a resource type "`+kind+`"`) || !strings.Contains(stderr, closest) {
			t.Errorf("--kind %s: exit %d, want %d and %q; stdout %q, stderr %q", kind, code, exitError, closest, out, stderr)
		}
	}
}

// TestGetResolvesACustomResourceThroughDiscovery reads the sandbox's
// widgets by every name kubectl takes, with discovery cached on disk.
func TestGetResolvesACustomResourceThroughDiscovery(t *testing.T) {
	s := sandboxtest.Shared(t)
	var want []string
	for _, c := range s.WECNames() {
		for _, w := range kubectlLines(t, s, c, "get", "widgets", "-A", "--no-headers", "-o", "custom-columns=NS:.metadata.namespace,NAME:.metadata.name") {
			want = append(want, c+"/"+w)
		}
	}
	slices.Sort(want)
	if len(want) == 0 {
		t.Fatal("the sandbox has no widgets")
	}
	cache := t.TempDir()
	for _, kind := range []string{"widgets", "wdg", "widget", "Widget", "widgets.sandbox.wecs.dev"} {
		got := wecsNames(t, "get", "--kubeconfig", s.Kubeconfig, "--cache-dir", cache, "--kind", kind)
		if !slices.Equal(got, want) {
			t.Errorf("--kind %s: %v, kubectl %v", kind, got, want)
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(cache, "discovery", "*"))
	if len(dirs) < len(s.WECNames()) {
		t.Errorf("discovery is not cached per cluster under --cache-dir: %v", dirs)
	}
}

// TestGetLeavesOutAKindOnlyAStaleCacheNames: a cached discovery that names
// a kind the server does not serve (its definition deleted, or the cache
// written by another server once at the same address) is read anew from
// the server, and the kind left out, not reported as unreadable.
func TestGetLeavesOutAKindOnlyAStaleCacheNames(t *testing.T) {
	s := sandboxtest.Shared(t)
	cache := t.TempDir()
	want := wecsNames(t, "get", "--kubeconfig", s.Kubeconfig, "--cache-dir", cache, "--kind", "widgets")
	files, _ := filepath.Glob(filepath.Join(cache, "discovery", "*", "sandbox.wecs.dev", "*", "serverresources.json"))
	if len(files) < len(s.WECNames()) {
		t.Fatalf("discovery of the widgets' group cached for %d servers, want one for each of %d WECs", len(files), len(s.WECNames()))
	}
	ghost := `{"name":"ghosts","singularName":"ghost","namespaced":true,"kind":"Ghost","verbs":["get","list","watch"]},`
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		planted := strings.Replace(string(data), `"resources":[`, `"resources":[`+ghost, 1)
		if planted == string(data) {
			t.Fatalf("%s has no resources to add to: %s", f, data)
		}
		if err := os.WriteFile(f, []byte(planted), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got := wecsNames(t, "get", "--kubeconfig", s.Kubeconfig, "--cache-dir", cache, "--kind", "widgets"); !slices.Equal(got, want) {
		t.Errorf("widgets with the stale cache: %v, want %v", got, want)
	}
	out, stderr, code := runWecs(t, "get", "--kubeconfig", s.Kubeconfig, "--cache-dir", cache)
	if code != 0 || strings.Contains(stderr, "ghosts") || out == "" {
		t.Fatalf("every kind with a stale cache: exit %d, stderr %q", code, stderr)
	}
}

// TestGetUnboundWECIsAWarningAndExit2 leaves the pending WEC without a
// context: the others are printed, stderr says which WEC and why.
func TestGetUnboundWECIsAWarningAndExit2(t *testing.T) {
	s := sandboxtest.Shared(t)
	raw, err := clientcmd.LoadFromFile(s.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	delete(raw.Contexts, s.Pending)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runWecs(t, "get", "--kubeconfig", path, "--kind", "deploy")
	if code != exitPartial {
		t.Errorf("exit %d, want %d", code, exitPartial)
	}
	if !strings.Contains(stderr, "could not read "+s.Pending+" (unbound: no kubeconfig context named") {
		t.Errorf("stderr does not say %s is unbound:\n%s", s.Pending, stderr)
	}
	for _, c := range s.WECNames() {
		if !strings.Contains(out, c+" ") {
			t.Errorf("%s is not printed:\n%s", c, out)
		}
	}
}

// TestGetWatchPrintsAPodCreatedOnCluster2 follows pods with -w and
// creates one on cluster2: its row is printed within a second.
func TestGetWatchPrintsAPodCreatedOnCluster2(t *testing.T) {
	s := sandboxtest.Shared(t)
	const ns = "wecs-get-watch"
	cfg, err := s.RESTConfig("cluster2")
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	ctx := t.Context()
	_ = cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	for {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // the last run's namespace is still terminating
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	})
	pod := func(name string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PodSpec{SchedulerName: "wecs-none", Containers: []corev1.Container{{Name: "app", Image: "img"}}}}
	}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod("first"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := watchLines(t, buildWecs(t), "get", "--kubeconfig", s.Kubeconfig, "--kind", "po", "-n", ns, "-w", "--output-watch-events")
	waitLine := func(want []string, within time.Duration) (string, bool) {
		deadline := time.After(within)
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					return "", false
				}
				if fields := strings.Fields(line); len(fields) >= len(want) && slices.Equal(fields[:len(want)], want) {
					return line, true
				}
			case <-deadline:
				return "", false
			}
		}
	}
	if _, ok := waitLine([]string{"ADDED", "cluster2", ns, "Pod", "first"}, 30*time.Second); !ok {
		t.Fatal("the listed pod was not printed")
	}
	created := time.Now()
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod("second"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	line, ok := waitLine([]string{"ADDED", "cluster2", ns, "Pod", "second"}, time.Second)
	if !ok {
		t.Fatalf("the pod created on cluster2 was not printed within a second")
	}
	t.Logf("printed %s after %s: %s", "second", time.Since(created).Round(time.Millisecond), line)

	// With -o, kubectl prints each object on its own while it watches: the
	// listed ones first, then each change, never a List.
	objects := watchLines(t, buildWecs(t), "get", "--kubeconfig", s.Kubeconfig, "--kind", "po", "-n", ns, "-w",
		"-o", `jsonpath={.kind} {.metadata.name}{"\n"}`)
	var printed []string
	for len(printed) < 2 {
		select {
		case line := <-objects:
			printed = append(printed, line)
		case <-time.After(30 * time.Second):
			t.Fatalf("-w -o jsonpath printed %q, then nothing for 30 s", printed)
		}
	}
	slices.Sort(printed)
	if want := []string{"Pod first", "Pod second"}; !slices.Equal(printed, want) {
		t.Fatalf("-w -o jsonpath printed %q first, want each listed pod on its own: %q", printed, want)
	}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod("third"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case line := <-objects:
		if line != "Pod third" {
			t.Fatalf("-w -o jsonpath printed %q after the pod third was created", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("-w -o jsonpath did not print the pod third")
	}
}

// watchLines runs bin with args until the test ends (then interrupts it)
// and sends each line it prints.
func watchLines(t *testing.T, bin string, args ...string) <-chan string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return lines
}
