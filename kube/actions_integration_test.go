package kube_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

// findOne waits for one object in the tree.
func findOne(t *testing.T, f *kube.Fleet, cluster, ns, kind, name string) kube.Object {
	t.Helper()
	var found kube.Object
	waitFor(t, 30*time.Second, kind+" "+ns+"/"+name+" on "+cluster, func() error {
		for _, o := range f.Tree.Find(kube.Filter{Clusters: []string{cluster}, Namespace: ns, Kinds: []string{kind}, Name: name, ShowSystem: true}) {
			if o.Name == name {
				found = o
				return nil
			}
		}
		return errors.New("not in the tree")
	})
	return found
}

// collect reads log lines, keeping those that pass keep, until done says the
// kept ones are enough or the time is up.
func collect(ch <-chan kube.LogLine, timeout time.Duration, keep func(kube.LogLine) bool, done func([]kube.LogLine) bool) []kube.LogLine {
	var out []kube.LogLine
	deadline := time.After(timeout)
	for !done(out) {
		select {
		case l, ok := <-ch:
			if !ok {
				return out
			}
			if keep(l) {
				out = append(out, l)
			}
		case <-deadline:
			return out
		}
	}
	return out
}

func TestLogsFollowPreviousAndInitContainers(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	pod := findOne(t, f, "cluster1", "shop", "Pod", "debug-shell")
	// kwok takes the pod through its init container first: following
	// before its app runs waits for that, which is not what this measures.
	waitFor(t, time.Minute, "debug-shell running", func() error {
		if pod = findOne(t, f, "cluster1", "shop", "Pod", "debug-shell"); pod.Word != "Running" {
			return fmt.Errorf("it is %s", pod.Word)
		}
		return nil
	})

	containers, err := f.Containers(t.Context(), pod)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(containers) != "[{migrate init} {app } {proxy }]" {
		t.Errorf("containers in run order: %v", containers)
	}

	// Following: a line written after the start arrives within a second or so.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ch := make(chan kube.LogLine, 100)
	start := time.Now()
	go f.StreamLogs(ctx, pod, []string{"cluster1"}, kube.LogOptions{Container: "app", Tail: 1, Follow: true}, ch)
	var seen []string // everything else that came, to say why nothing new did
	fresh := collect(ch, 10*time.Second, func(l kube.LogLine) bool {
		if l.Marker == "" && l.Time.After(start) {
			return true
		}
		seen = append(seen, fmt.Sprintf("%s %q%s", l.Time.Format(time.RFC3339Nano), l.Text, l.Marker))
		return false
	}, func(kept []kube.LogLine) bool { return len(kept) > 0 })
	if len(fresh) == 0 {
		t.Fatalf("no new line while following for 10s from %s; what came instead:\n%s", start.Format(time.RFC3339Nano), strings.Join(seen, "\n"))
	}
	t.Logf("first new line %s after the start, read %s after it was written: %q",
		fresh[0].Time.Sub(start).Round(time.Millisecond), time.Since(fresh[0].Time).Round(time.Millisecond), fresh[0].Text)
	cancel()

	read := func(opts kube.LogOptions) string {
		ch := make(chan kube.LogLine, 1000)
		f.StreamLogs(t.Context(), pod, []string{"cluster1"}, opts, ch)
		var b strings.Builder
		for l := range ch {
			b.WriteString(l.Text + l.Marker + "\n")
		}
		return b.String()
	}
	if prev := read(kube.LogOptions{Container: "app", Previous: true, Tail: -1}); !strings.Contains(prev, "FATAL giving up after 5 retries") {
		t.Errorf("previous log:\n%s", prev)
	}
	if initLog := read(kube.LogOptions{Container: "migrate", Tail: -1}); !strings.Contains(initLog, "INFO migrations complete") {
		t.Errorf("init container log:\n%s", initLog)
	}
}

func TestLogsOfADeploymentMergeItsPodsAcrossClusters(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	checkout := findOne(t, f, "cluster1", "payments", "Deployment", "checkout")
	var want []string // cluster/pod
	waitFor(t, 30*time.Second, "checkout pods on both clusters", func() error {
		want = nil
		for _, c := range []string{"cluster1", "cluster3"} {
			pods := f.LogPods(checkout, c)
			if len(pods) < 2 {
				return fmt.Errorf("%d pods on %s", len(pods), c)
			}
			for _, p := range pods {
				want = append(want, c+"/"+p.Name)
			}
		}
		return nil
	})
	ch := make(chan kube.LogLine, 1000)
	go f.StreamLogs(t.Context(), checkout, []string{"cluster1", "cluster3"}, kube.LogOptions{Tail: 3, Follow: true}, ch)
	sources := map[string]bool{}
	lines := collect(ch, 30*time.Second, func(l kube.LogLine) bool {
		if l.Marker != "" {
			return false
		}
		sources[l.Source.Cluster+"/"+l.Source.Pod] = true
		return true
	}, func([]kube.LogLine) bool {
		return !slices.ContainsFunc(want, func(p string) bool { return !sources[p] })
	})
	for _, l := range lines {
		if l.Source.Namespace != "payments" || !strings.HasPrefix(l.Source.Pod, "checkout-") {
			t.Errorf("a line from %s", l.Source)
		}
	}
	for _, p := range want {
		if !sources[p] {
			t.Errorf("no line from %s within 30s; lines came from %v", p, slices.Sorted(maps.Keys(sources)))
		}
	}
}

func TestEditUpdatesAndRefusesAStaleVersion(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	cfg, _ := s.RESTConfig("cluster2")
	cs := kubernetes.NewForConfigOrDie(cfg)
	name := fmt.Sprintf("edit-me-%d", time.Now().UnixNano())
	if _, err := cs.CoreV1().ConfigMaps("shop").Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"a": "1"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cm := findOne(t, f, "cluster2", "shop", "ConfigMap", name)

	text, err := f.EditableText(t.Context(), cm, false)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(text), "managedFields") || !strings.Contains(string(text), "resourceVersion") {
		t.Errorf("editable text:\n%s", text)
	}
	edited := strings.Replace(string(text), "  name: "+name, "  labels:\n    edited: \"yes\"\n  name: "+name, 1)
	if err := f.Update(t.Context(), cm, text, []byte(edited)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the label in the tree", func() error {
		if got := findOne(t, f, "cluster2", "shop", "ConfigMap", name).Labels["edited"]; got != "yes" {
			return fmt.Errorf("label %q", got)
		}
		return nil
	})

	// Someone else changes it while a second edit is open: a conflict.
	stale, _ := f.EditableText(t.Context(), cm, true)
	if _, err := cs.CoreV1().ConfigMaps("shop").Patch(t.Context(), name, types.MergePatchType, []byte(`{"data":{"b":"2"}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(stale, &obj); err != nil {
		t.Fatalf("JSON edit text: %v", err)
	}
	obj["data"] = map[string]any{"a": "mine"}
	mine, _ := json.Marshal(obj)
	if err := f.Update(t.Context(), cm, stale, mine); !apierrors.IsConflict(err) {
		t.Errorf("a stale update: %v, want a conflict", err)
	}
	for text, want := range map[string]string{"a: [": "not valid YAML", "": "empty", "kind: ConfigMap\nmetadata:\n  name: other\n  namespace: shop\n": "cannot be edited"} {
		if err := f.Update(t.Context(), cm, nil, []byte(text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Update(%q) = %v, want %q", text, err, want)
		}
	}

	if p := f.Can(t.Context(), "delete", cm, ""); !p.Allowed {
		t.Errorf("the sandbox admin may not delete: %s", p.Reason)
	}
	if err := f.Delete(t.Context(), cm); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ConfigMaps("shop").Get(t.Context(), name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
}

// TestEditOverAStatusChangeIsSaved: a controller writing the status while
// the user edits is no conflict; a change to anything else still is.
func TestEditOverAStatusChangeIsSaved(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	cfg, _ := s.RESTConfig("cluster2")
	widgets := dynamic.NewForConfigOrDie(cfg).Resource(schema.GroupVersionResource{Group: sandbox.WidgetGroup, Version: "v1", Resource: "widgets"}).Namespace("shop")
	name := fmt.Sprintf("edit-status-%d", time.Now().UnixNano())
	w := &unstructured.Unstructured{Object: map[string]any{"apiVersion": sandbox.WidgetGroup + "/v1", "kind": "Widget",
		"metadata": map[string]any{"name": name}, "spec": map[string]any{"colour": "blue"}}}
	if _, err := widgets.Create(t.Context(), w, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = widgets.Delete(context.Background(), name, metav1.DeleteOptions{}) })
	widget := findOne(t, f, "cluster2", "shop", "Widget", name)
	setStatus := func(phase string) {
		t.Helper()
		current, err := widgets.Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		current.Object["status"] = map[string]any{"phase": phase}
		if _, err := widgets.UpdateStatus(t.Context(), current, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	colour := func(text []byte, c string) []byte {
		return []byte(strings.Replace(string(text), "colour: ", "colour: "+c+"-", 1))
	}

	text, err := f.EditableText(t.Context(), widget, false)
	if err != nil {
		t.Fatal(err)
	}
	setStatus("Polishing") // the controller's write, while the user edits
	if err := f.Update(t.Context(), widget, text, colour(text, "dark")); err != nil {
		t.Fatalf("an edit over a status change: %v", err)
	}
	got, _ := widgets.Get(t.Context(), name, metav1.GetOptions{})
	if c, _, _ := unstructured.NestedString(got.Object, "spec", "colour"); c != "dark-blue" {
		t.Errorf("colour after the edit: %q", c)
	}
	if p, _, _ := unstructured.NestedString(got.Object, "status", "phase"); p != "Polishing" {
		t.Errorf("the edit lost the status: phase %q", p)
	}

	// The same text again: its version is stale and the spec it started
	// from has changed since (by the edit above): a conflict.
	setStatus("Shiny")
	if err := f.Update(t.Context(), widget, text, colour(text, "light")); !apierrors.IsConflict(err) {
		t.Errorf("an edit over a spec change: %v, want a conflict", err)
	}
}

// TestReadOnlySendsNoMutatingRequest proves --readonly with the
// apiserver's audit log, which records every mutating request it receives.
func TestReadOnlySendsNoMutatingRequest(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig, "--readonly")
	web := findOne(t, f, "cluster1", "shop", "Deployment", "web")
	auditLog := filepath.Join(s.Dir, "clusters", "cluster1", "audit.log")
	before := auditedFor(t, auditLog, "web")

	for what, err := range map[string]error{
		"delete":  f.Delete(t.Context(), web),
		"scale":   f.Scale(t.Context(), web, 7),
		"restart": f.Restart(t.Context(), web),
		"update":  f.Update(t.Context(), web, nil, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n")),
	} {
		if !errors.Is(err, kube.ErrReadOnly) {
			t.Errorf("%s in read-only mode: %v", what, err)
		}
	}
	if p := f.Can(t.Context(), "delete", web, ""); p.Allowed || !strings.Contains(p.Reason, "read-only") {
		t.Errorf("read-only permission: %+v", p)
	}
	// Reads still work.
	full, err := f.Fetch(t.Context(), web)
	if err != nil {
		t.Fatalf("a read in read-only mode: %v", err)
	}
	time.Sleep(time.Second) // the audit backend writes asynchronously
	after := auditedFor(t, auditLog, "web")
	if after != before {
		t.Errorf("the apiserver audited %d mutating requests from wecs on web during the read-only attempts", after-before)
	}

	// The control: the same scale from a writable fleet (to the replicas web
	// has, so nothing changes) is audited.
	replicas, _, _ := unstructured.NestedInt64(full.Object, "spec", "replicas")
	if err := startFleet(t, s.Kubeconfig).Scale(t.Context(), web, int32(replicas)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the writable scale in the audit log", func() error {
		if auditedFor(t, auditLog, "web") == after {
			return errors.New("not audited")
		}
		return nil
	})
}

// auditedFor counts the audit log's mutating requests from wecs (by its
// user agent) on objects named name in shop (the policy logs only mutating
// verbs).
func auditedFor(t *testing.T, path, name string) int {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	n := 0
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		var ev struct {
			UserAgent string                           `json:"userAgent"`
			ObjectRef struct{ Name, Namespace string } `json:"objectRef"`
		}
		if json.Unmarshal(scanner.Bytes(), &ev) == nil && strings.HasPrefix(ev.UserAgent, "wecs/") &&
			ev.ObjectRef.Name == name && ev.ObjectRef.Namespace == "shop" {
			n++
		}
	}
	return n
}

// TestAPermissionCheckThatFailedIsAskedAgain: a review that could not be
// made (the cluster not connected yet) is not remembered as a refusal.
func TestAPermissionCheckThatFailedIsAskedAgain(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := newFleet(t, s.Kubeconfig)
	cm := kube.Object{Cluster: "cluster1", Namespace: "shop", Kind: "ConfigMap", Name: "any", Version: "v1", Resource: "configmaps"}
	if p := f.Can(t.Context(), "delete", cm, ""); p.Allowed || !strings.Contains(p.Reason, "not connected") {
		t.Fatalf("before the fleet starts: %+v, want a refusal saying it is not connected", p)
	}
	runFleet(t, f)
	waitFor(t, 60*time.Second, "delete allowed once cluster1 is connected", func() error {
		if p := f.Can(t.Context(), "delete", cm, ""); !p.Allowed {
			return errors.New(p.Reason)
		}
		return nil
	})
}
