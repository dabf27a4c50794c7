package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/wecs-tui/wecs/kube"
)

// created is when every test object was created; now is the tests' clock.
var (
	created = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	now     = created.Add(90 * time.Minute)
)

type fakeFleet struct {
	members     []kube.Member
	changed     chan struct{}
	reconnected *[]string
	watched     *[]string
	itsProblem  *string
	changes     *[]string
	objects     *kube.Tree
	works       []kube.WorkStatus
	// worksListing: the ManifestWorks' first list has not ended, and
	// worksProblem is why it failed.
	worksListing bool
	worksProblem string
}

func (f fakeFleet) Members() []kube.Member   { return f.members }
func (f fakeFleet) Changed() <-chan struct{} { return f.changed }
func (f fakeFleet) Reconnect(cluster string) error {
	if cluster == "cluster2" {
		return errors.New(`cluster "cluster2" has no connection to renew`)
	}
	*f.reconnected = append(*f.reconnected, cluster)
	return nil
}
func (f fakeFleet) ITSProblem() string { return *f.itsProblem }
func (f fakeFleet) Can(_ context.Context, verb string, o kube.Object, _ string) kube.Permission {
	if o.Name == "db" {
		return kube.Permission{Reason: "your user may not " + verb + " secrets on " + o.Cluster}
	}
	return kube.Permission{Allowed: true}
}
func (f fakeFleet) Delete(_ context.Context, o kube.Object) error {
	*f.changes = append(*f.changes, "delete "+o.Cluster+"/"+o.Name)
	return nil
}
func (f fakeFleet) Scale(_ context.Context, o kube.Object, n int32) error {
	*f.changes = append(*f.changes, fmt.Sprintf("scale %s/%s %d", o.Cluster, o.Name, n))
	return nil
}
func (f fakeFleet) Restart(_ context.Context, o kube.Object) error {
	*f.changes = append(*f.changes, "restart "+o.Cluster+"/"+o.Name)
	return nil
}
func (f fakeFleet) Fetch(_ context.Context, o kube.Object) (*unstructured.Unstructured, error) {
	full := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": o.Kind, "metadata": map[string]any{"name": o.Name}}}
	if o.Kind == "Secret" {
		withSecretValues(full)
	}
	return full, nil
}
func (f fakeFleet) EditableText(_ context.Context, o kube.Object, _ bool) ([]byte, error) {
	return []byte("kind: " + o.Kind + "\nmetadata:\n  name: " + o.Name + "\n"), nil
}
func (f fakeFleet) Update(_ context.Context, o kube.Object, _, text []byte) error {
	*f.changes = append(*f.changes, "update "+o.Cluster+"/"+o.Name+": "+strings.ReplaceAll(string(text), "\n", " "))
	return nil
}
func (f fakeFleet) ClustersWith(o kube.Object) []string {
	if o.Namespace == "shop" && o.Cluster == "cluster1" {
		return []string{"cluster2"}
	}
	return nil
}
func (f fakeFleet) LogPods(o kube.Object, cluster string) []kube.Object {
	if o.Kind == "Pod" {
		return []kube.Object{o}
	}
	return nil
}
func (f fakeFleet) PodClient(cluster string) (*kube.PodClient, error) {
	return nil, errors.New("no pods to reach in a unit test")
}
func (f fakeFleet) Containers(ctx context.Context, pod kube.Object) ([]kube.Container, error) {
	return []kube.Container{{Name: "migrate", Kind: "init"}, {Name: "app"}}, nil
}

// StreamLogs sends lines at every level from each cluster, then follows
// with nothing more until the context ends.
func (f fakeFleet) StreamLogs(ctx context.Context, o kube.Object, clusters []string, opts kube.LogOptions, out chan<- kube.LogLine) {
	defer close(out)
	for _, c := range clusters {
		src := kube.LogSource{Cluster: c, Namespace: o.Namespace, Pod: o.Name, Container: opts.Container}
		for i, text := range []string{"INFO starting", "DEBUG cache size 12", "WARN slow request", `{"level":"error","msg":"payment declined"}`, "ERROR \x1b[2Jcannot reach db"} {
			out <- kube.LogLine{Source: src, Time: created.Add(time.Duration(i) * time.Second), Text: text}
		}
		if opts.Previous {
			out <- kube.LogLine{Source: src, Text: "FATAL previous run gave up"}
		}
	}
	if opts.Follow {
		<-ctx.Done()
	}
}
func (f fakeFleet) BindingPolicy(cluster, work string) string { return "shop-policy" }
func (f fakeFleet) Works() []kube.WorkStatus                  { return f.works }
func (f fakeFleet) Connect(...string)                         {}
func (f fakeFleet) WorksListed() (bool, string)               { return !f.worksListing, f.worksProblem }
func (f fakeFleet) DeliveredObjects(cluster string) []kube.Object {
	var out []kube.Object
	for _, w := range f.works {
		if w.Cluster == cluster {
			out = append(out, w.Objects()...)
		}
	}
	return out
}

// OpenTable is a table of the tree's objects of a kind, with kubectl's
// pod columns and a wide one; cluster2 has no rows but a problem. A kind
// the fake has no object of is one no WEC serves.
func (f fakeFleet) OpenTable(name string) *kube.FleetTable {
	t := kube.NewFleetTable()
	kind := kube.ResolveKind(name)
	columns := []kube.TableColumn{{Name: "Name"}, {Name: "Ready"}, {Name: "Status"}, {Name: "Restarts", Type: "integer"}, {Name: "Age"}, {Name: "IP", Priority: 1}, {Name: "Node", Priority: 1}}
	var rows []kube.TableRow
	for i, o := range f.objects.Find(kube.Filter{Clusters: []string{"cluster1"}, Kinds: []string{kind}, ShowSystem: true}) {
		rows = append(rows, kube.TableRow{Object: o, Cells: []string{o.Name, o.Ready, o.StatusWord(), fmt.Sprintf("%d (%dm ago)", 10-3*i, i+1), "1h", "10.0.0." + fmt.Sprint(i+1), "node-" + o.Name}})
	}
	if len(f.objects.Find(kube.Filter{Kinds: []string{kind}, ShowSystem: true})) == 0 {
		t.SetProblem("cluster1", &kube.UnknownKindError{Kind: name})
		return t
	}
	t.SetRows("cluster1", kind, columns, rows)
	return t
}
func (f fakeFleet) ClusterObject(name string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "cluster.open-cluster-management.io/v1", "kind": "ManagedCluster",
		"metadata": map[string]any{"name": name}, "spec": map[string]any{"hubAcceptsClient": true}}}
}

// WatchDetail answers with the object as the sandbox seeds it and two events.
func (f fakeFleet) WatchDetail(ctx context.Context, o kube.Object, related bool) (<-chan kube.Detail, error) {
	*f.watched = append(*f.watched, fmt.Sprintf("%s/%s/%s related=%v", o.Cluster, o.Namespace, o.Name, related))
	full := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": o.Kind,
		"metadata": map[string]any{"name": o.Name, "namespace": o.Namespace, "uid": string(o.UID), "resourceVersion": "4711",
			"labels": map[string]any{"app": o.Name}, "creationTimestamp": created.Format(time.RFC3339)},
		"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "image": "ghcr.io/example/" + o.Name + ":1.0",
			"env": []any{map[string]any{"name": "MODE", "value": "fast"},
				map[string]any{"name": "DB_PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "db", "key": "password"}}}},
			"resources": map[string]any{"requests": map[string]any{"cpu": "100m", "memory": "64Mi"}}}}},
		"status": map[string]any{"phase": "Failed", "conditions": []any{map[string]any{"type": "Ready", "status": "False", "reason": "PodFailed",
			"message": "container app exited with code 1", "lastTransitionTime": created.Add(time.Hour).Format(time.RFC3339)}}},
	}}
	if o.Kind == "Secret" {
		withSecretValues(full)
	}
	evs := []kube.Event{
		{UID: "e2", Type: "Warning", Reason: "BackOff", Message: "Back-off restarting failed container app", Source: "kubelet, node-1", Count: 7, Last: now.Add(-2 * time.Minute), Object: "Pod/" + o.Name},
		{UID: "e1", Type: "Normal", Reason: "Scheduled", Message: "Successfully assigned to node-1", Source: "default-scheduler", Count: 1, Last: now.Add(-80 * time.Minute), Object: "Pod/" + o.Name},
	}
	ch := make(chan kube.Detail, 1)
	ch <- kube.Detail{Object: full, Events: evs}
	go func() { <-ctx.Done(); close(ch) }()
	return ch, nil
}

// testTree is a small fleet: a healthy shop, a failing batch pod, a
// delivered Service, and a Secret.
func testTree() *kube.Tree {
	objs := kube.NewTree()
	add := func(cluster, ns, kind, name string, status kube.Status, ready string, owners ...types.UID) {
		o := kube.Object{Cluster: cluster, Namespace: ns, Kind: kind, Name: name, UID: types.UID(cluster + "/" + ns + "/" + kind + "/" + name),
			Status: status, Ready: ready, Owners: owners, Created: created, Version: "v1", Resource: strings.ToLower(kind) + "s"}
		if kind == "Service" {
			o.DeliveredBy = "work-1"
		}
		objs.Upsert(o)
	}
	for _, c := range []string{"cluster1", "cluster2"} {
		add(c, "shop", "Deployment", "web", kube.StatusReady, "2/2")
		add(c, "shop", "ReplicaSet", "web-7d4b9", kube.StatusReady, "2/2", types.UID(c+"/shop/Deployment/web"))
		add(c, "shop", "Pod", "web-7d4b9-a", kube.StatusRunning, "1/1", types.UID(c+"/shop/ReplicaSet/web-7d4b9"))
		add(c, "shop", "Pod", "web-7d4b9-b", kube.StatusRunning, "1/1", types.UID(c+"/shop/ReplicaSet/web-7d4b9"))
		add(c, "shop", "Service", "web", kube.StatusReady, "")
		add(c, "shop", "Secret", "db", kube.StatusReady, "")
	}
	add("cluster1", "batch", "Pod", "crashy", kube.StatusFailed, "0/1")
	return objs
}

func newModel() Model { return newModelWith(testTree()) }

func newModelWith(objs *kube.Tree) Model {
	f := fakeFleet{objects: objs, changed: make(chan struct{}, 1), reconnected: new([]string), watched: new([]string), itsProblem: new(string), changes: new([]string), members: []kube.Member{
		{ClusterInfo: kube.ClusterInfo{Name: "cluster1", Health: kube.HealthActive, Created: created}, Connection: kube.Connection{State: kube.Connected}},
		{ClusterInfo: kube.ClusterInfo{Name: "cluster2", Health: kube.HealthInactive, Reason: "the agent stopped renewing its lease", Created: created},
			Connection: kube.Connection{State: kube.Disconnected, Err: "connection refused"}},
	}}
	m := New(Config{ITSContext: "its1"}, f, objs)
	m.pane.Now = func() time.Time { return now }
	m.views.clusters.Now = func() time.Time { return now }
	m.views.table.Now = func() time.Time { return now }
	return m
}

// send feeds messages through Update and runs the commands they return,
// feeding their messages back (a command that blocks, such as the wait for
// fleet changes, is dropped after a moment).
func send(m Model, msgs ...tea.Msg) Model {
	queue := append([]tea.Msg(nil), msgs...)
	for steps := 0; len(queue) > 0 && steps < 50; steps++ {
		msg := queue[0]
		queue = queue[1:]
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				queue = append(queue, run(c)...)
			}
			continue
		}
		next, cmd := m.Update(msg)
		m = next.(Model)
		queue = append(queue, run(cmd)...)
	}
	return m
}

func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	out := make(chan tea.Msg, 1)
	go func() { out <- cmd() }()
	select {
	case msg := <-out:
		if msg == nil {
			return nil
		}
		if _, ok := msg.(tea.QuitMsg); ok {
			return nil
		}
		return []tea.Msg{msg}
	case <-time.After(400 * time.Millisecond):
		return nil
	}
}

// keys turns "j", "enter", ":deploy" into key presses.
func keys(ks ...string) []tea.Msg {
	var out []tea.Msg
	named := map[string]rune{"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "backspace": tea.KeyBackspace, "left": tea.KeyLeft, "right": tea.KeyRight}
	for _, k := range ks {
		if code, ok := named[k]; ok {
			out = append(out, tea.KeyPressMsg{Code: code})
			continue
		}
		for _, r := range k {
			out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
		}
	}
	return out
}

func screen(m Model) string { return ansi.Strip(m.View().Content) }

func sized(w, h int) Model {
	return send(newModel(), tea.WindowSizeMsg{Width: w, Height: h})
}

// TestQuitKeys: ctrl+c and :q quit; q backs out of the pane, a fleet view
// and the help, and in the tree asks first.
func TestQuitKeys(t *testing.T) {
	quits := func(cmd tea.Cmd) bool {
		for _, msg := range run(cmd) {
			if _, ok := msg.(quitMsg); ok {
				return true
			}
		}
		return cmd != nil && cmd() == tea.Quit()
	}
	if _, cmd := newModel().Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}); !quits(cmd) {
		t.Error("ctrl+c does not quit")
	}
	m := send(sized(120, 30), keys(":q")...)
	if _, cmd := m.Update(keys("enter")[0]); !quits(cmd) {
		t.Error(":q does not quit")
	}
	m = send(sized(120, 30), keys("/crashy", "enter", "y", "q")...)
	if len(m.modes) != 1 {
		t.Fatalf("q in the pane did not go back to the tree (modes %v)", m.modes)
	}
	m = send(m, keys("C", "q", "?", "q")...)
	if len(m.modes) != 1 {
		t.Fatalf("q did not leave the clusters view and the help:\n%s", screen(m))
	}
	next, cmd := m.Update(keys("q")[0])
	m = next.(Model)
	if quits(cmd) || !strings.Contains(screen(m), "quit wecs? y/n") {
		t.Fatalf("q in the tree quit without asking:\n%s", screen(m))
	}
	m = send(m, keys("n")...)
	if len(m.modes) != 1 || strings.Contains(screen(m), "quit wecs?") {
		t.Fatalf("n did not keep wecs running:\n%s", screen(m))
	}
	m = send(m, keys("q")...)
	next, cmd = m.Update(keys("y")[0])
	if !quits(cmd) {
		t.Error("q then y does not quit")
	}
	if _, cmd := next.(Model).Update(quitMsg{}); cmd == nil || cmd() != tea.Quit() {
		t.Error("the confirmed quit does not end the program")
	}
}

func TestEveryLayoutFitsItsWindow(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {60, 12}, {200, 50}} {
		m := sized(size[0], size[1])
		for _, step := range [][]string{nil, {"+"}, {"d"}, {"y"}, {"?"}} {
			m = send(m, keys(step...)...)
			v := m.View()
			lines := strings.Split(v.Content, "\n")
			if len(lines) != size[1] {
				t.Errorf("%dx%d after %v: %d lines", size[0], size[1], step, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%dx%d after %v: line %d is %d wide: %q", size[0], size[1], step, i, w, ansi.Strip(l))
				}
			}
			if !v.AltScreen || v.MouseMode != tea.MouseModeNone {
				t.Error("want the alternate screen and no mouse by default")
			}
		}
	}
	plain := screen(sized(80, 24))
	for _, want := range []string{"ITS its1", "1/2 WECs connected", "cluster1", "● Connected", "○ Disconnected: connection refused", "? help"} {
		if !strings.Contains(plain, want) {
			t.Errorf("80x24 lacks %q:\n%s", want, plain)
		}
	}
}

func TestChangesAreCoalescedIntoOneRedraw(t *testing.T) {
	m := newModel()
	f := m.fleet.(fakeFleet)
	<-m.objects.Changed() // the tree's own pending change from being filled
	cmd := m.waitForChange()
	f.changed <- struct{}{}
	if _, ok := cmd().(changedMsg); !ok {
		t.Fatal("a change did not produce a redraw message")
	}
	// The redraw took the pending change, so the one-slot channel has room.
	select {
	case f.changed <- struct{}{}:
	default:
		t.Fatal("channel still full after the redraw took the change")
	}
}

// TestAChangeAfterAQuietFrameIsShownAtOnce: the first change after a frame
// without any is reported at once; one that follows within a frame waits
// until that frame has passed (time here is synctest's, not the clock's).
func TestAChangeAfterAQuietFrameIsShownAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newModel()
		f := m.fleet.(fakeFleet)
		<-m.objects.Changed() // the tree's own pending change from being filled
		start := time.Now()
		f.changed <- struct{}{}
		if msg, ok := m.waitForChange()().(changedMsg); !ok || !msg.fleet {
			t.Fatalf("a change of the fleet reported as %#v", msg)
		}
		if waited := time.Since(start); waited != 0 {
			t.Fatalf("the first change waited %s", waited)
		}
		f.changed <- struct{}{}
		m.waitForChange()()
		if waited := time.Since(start); waited != frameInterval {
			t.Fatalf("a change within a frame of the last was reported after %s, want %s", waited, frameInterval)
		}
		time.Sleep(5 * frameInterval)
		f.changed <- struct{}{}
		before := time.Now()
		m.waitForChange()()
		if waited := time.Since(before); waited != 0 {
			t.Fatalf("a change after quiet frames waited %s", waited)
		}
	})
}

func TestReconnectKeyActsOnTheSelectedCluster(t *testing.T) {
	m := sized(120, 30)
	f := m.fleet.(fakeFleet)
	m = send(m, keys("r")...)
	if !slices.Equal(*f.reconnected, []string{"cluster1"}) || !strings.Contains(screen(m), "reconnecting to cluster1") {
		t.Fatalf("reconnected %v, screen:\n%s", *f.reconnected, screen(m))
	}
	m = send(m, keys("j", "r")...)
	if !strings.Contains(screen(m), "no connection to renew") {
		t.Fatalf("an error is not shown:\n%s", screen(m))
	}
}

func TestStatusFilterNarrowsToFailedAndOneKeyClears(t *testing.T) {
	m := send(sized(120, 30), keys("f")...)
	plain := screen(m)
	if !strings.Contains(plain, "filter: status=Failed") || !strings.Contains(plain, "crashy ✗ Failed") || strings.Contains(plain, "web-7d4b9") {
		t.Fatalf("failed filter:\n%s", plain)
	}
	for _, next := range []string{"NotReady", "Pending", "Terminating", "Running"} {
		m = send(m, keys("f")...)
		if !strings.Contains(screen(m), "status="+next) {
			t.Errorf("f steps to %s:\n%s", next, screen(m))
		}
	}
	m = send(m, keys("x")...)
	if plain := screen(m); strings.Contains(plain, "filter:") {
		t.Errorf("x leaves a filter:\n%s", plain)
	}
}

func TestCommandsFilterByKindNamespaceAndCluster(t *testing.T) {
	m := send(sized(120, 30), keys(":kind deploy", "enter")...)
	plain := screen(m)
	if !strings.Contains(plain, "filter: kind=Deployment") || strings.Contains(plain, "crashy") || !strings.Contains(plain, "Deployment") {
		t.Fatalf(":deploy:\n%s", plain)
	}
	// Completion: ":ns ba" + tab → ":ns batch".
	m = send(m, keys(":ns ba", "tab")...)
	if got := m.command.Input(); got != "ns batch" {
		t.Errorf("completion gave %q", got)
	}
	m = send(m, keys("enter", ":kind po", "enter", ":cluster cluster1", "enter")...)
	plain = screen(m)
	if !strings.Contains(plain, "cluster=cluster1 · ns=batch · kind=Pod") || !strings.Contains(plain, "crashy") {
		t.Fatalf("three filters:\n%s", plain)
	}
	m = send(m, keys(":kind nosuchthing", "enter")...)
	if !strings.Contains(screen(m), `unknown kind "nosuchthing"`) {
		t.Errorf("an unknown command is not explained:\n%s", screen(m))
	}
	m = send(m, keys(":label app in (", "enter")...)
	if !strings.Contains(screen(m), "label selector") {
		t.Errorf("a bad selector is not explained:\n%s", screen(m))
	}
	m = send(m, keys(":clear", "enter")...)
	if strings.Contains(screen(m), "filter:") {
		t.Errorf(":clear leaves a filter:\n%s", screen(m))
	}
}

func TestSearchThenSummaryYAMLAndEventsOfTheFailingPod(t *testing.T) {
	m := send(sized(120, 40), keys("/crashy", "enter")...)
	if !strings.Contains(screen(m), "cluster1 › batch › Pod crashy") {
		t.Fatalf("breadcrumbs:\n%s", screen(m))
	}
	m = send(m, keys("d")...)
	plain := screen(m)
	for _, want := range []string{"[Summary]", "Pod batch/crashy on cluster1", "✗ Failed", "Ready", "PodFailed", "container app exited with code 1",
		"ghcr.io/example/crashy:1.0", "MODE=fast", "DB_PASSWORD from Secret db key password", "cpu 100m", "app=crashy"} {
		if !strings.Contains(plain, want) {
			t.Errorf("summary lacks %q:\n%s", want, plain)
		}
	}
	m = send(m, keys("y")...)
	if plain := screen(m); !strings.Contains(plain, "[YAML]") || !strings.Contains(plain, "kind: Pod") || !strings.Contains(plain, "resourceVersion: \"4711\"") {
		t.Errorf("yaml:\n%s", plain)
	}
	m = send(m, keys("J")...)
	if plain := screen(m); !strings.Contains(plain, `"kind": "Pod"`) {
		t.Errorf("json:\n%s", plain)
	}
	m = send(m, keys("v")...)
	plain = screen(m)
	if !strings.Contains(plain, "[Events]") || strings.Index(plain, "BackOff") > strings.Index(plain, "Scheduled") || !strings.Contains(plain, "×7") {
		t.Errorf("events, newest first:\n%s", plain)
	}
	m = send(m, keys("esc")...)
	if len(m.modes) != 1 {
		t.Error("esc does not return to the tree")
	}
}

func TestSecretsStayMaskedUntilRevealedAndForgottenAfter(t *testing.T) {
	m := send(sized(120, 40), keys("/db", "enter", "y")...)
	if plain := screen(m); !strings.Contains(plain, "password: ••••••••") || strings.Contains(plain, "c2VjcmV0") {
		t.Fatalf("secret not masked:\n%s", plain)
	}
	m = send(m, keys("x")...)
	if !strings.Contains(screen(m), "password: secret") {
		t.Fatalf("x does not reveal the decoded value:\n%s", screen(m))
	}
	// Another object, then back: masked again.
	m = send(m, keys("esc", "j", "k", "y")...)
	if plain := screen(m); !strings.Contains(plain, "password: ••••••••") {
		t.Errorf("the reveal was remembered:\n%s", plain)
	}
}

func TestHelpListsTheKeysOfTheFocusedView(t *testing.T) {
	m := send(sized(120, 40), keys("?")...)
	if plain := helpText(m); !strings.Contains(plain, "Fleet tree") || !strings.Contains(plain, ":ns N") || !strings.Contains(plain, "ctrl+d") {
		t.Errorf("tree help:\n%s", plain)
	}
	m = send(send(m, keys("esc", "/db", "enter", "y")...), keys("?")...)
	if plain := helpText(m); !strings.Contains(plain, "Details pane") || !strings.Contains(plain, "reveal") || strings.Contains(plain, "follow on or off") {
		t.Errorf("YAML tab help of a Secret:\n%s", plain)
	}
	m = send(m, keys("esc", "4", "?")...)
	if plain := helpText(m); !strings.Contains(plain, "Details pane") || !strings.Contains(plain, "follow on or off") || strings.Contains(plain, "JSON or YAML") {
		t.Errorf("Logs tab help:\n%s", plain)
	}
}

func TestEscClimbsTheTreeOneLevel(t *testing.T) {
	m := send(sized(120, 40), keys("/crashy", "enter", "esc", "esc")...)
	if got := m.breadcrumbs(); !strings.Contains(ansi.Strip(got), "cluster1 › batch › Pod") || strings.Contains(ansi.Strip(got), "crashy") {
		t.Errorf("after esc twice (search dropped, then up): %q", ansi.Strip(got))
	}
}

func TestNarrowTerminalShowsThePaneAlone(t *testing.T) {
	m := send(sized(80, 24), keys("/crashy", "enter")...)
	if strings.Contains(screen(m), "[Summary]") {
		t.Errorf("80 columns: the tree has the screen until details are asked for:\n%s", screen(m))
	}
	m = send(m, keys("d")...)
	if plain := screen(m); !strings.Contains(plain, "[Summary]") || strings.Contains(plain, "▾ cluster1") {
		t.Errorf("80 columns: the pane takes the screen:\n%s", plain)
	}
}

func TestHeaderSaysWhenTheITSStopsAnswering(t *testing.T) {
	m := sized(160, 20)
	*m.fleet.(fakeFleet).itsProblem = "connection refused"
	if plain := screen(m); !strings.Contains(plain, "ITS its1 ○ not answering: connection refused (clusters as last seen)") {
		t.Errorf("header:\n%s", plain)
	}
}

func TestLogsTabColoursFiltersSearchesAndSaves(t *testing.T) {
	saveDir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", saveDir)
	m := send(sized(140, 30), keys("/crashy", "enter", "L")...)
	plain := screen(m)
	for _, want := range []string{"[Logs]", "Pod crashy on cluster1 · all containers · tail 100 · following", "INFO starting", "WARN slow request",
		`{"level":"error","msg":"payment declined"}`, "ERROR \\x1b[2Jcannot reach db"} {
		if !strings.Contains(plain, want) {
			t.Errorf("logs lack %q:\n%s", want, plain)
		}
	}
	if strings.Contains(m.View().Content, "\x1b[2J") {
		t.Error("an escape sequence from the log reached the screen")
	}
	styled := m.View().Content
	s := m.styles
	if !strings.Contains(styled, s.Error.Render("ERROR \\x1b[2Jcannot reach db")) || !strings.Contains(styled, s.Warn.Render("WARN slow request")) ||
		!strings.Contains(styled, s.Error.Render(`{"level":"error","msg":"payment declined"}`)) {
		t.Errorf("levels not coloured:\n%q", styled)
	}
	// F keeps only matching lines; a leading ! inverts; /re/ is a regex.
	m = send(m, keys("F", "slow", "enter")...)
	if plain := screen(m); !strings.Contains(plain, "WARN slow request") || strings.Contains(plain, "INFO starting") {
		t.Errorf("filter slow:\n%s", plain)
	}
	m = send(m, keys("F", "/[/", "enter")...)
	if !strings.Contains(screen(m), "pattern /[/: error parsing regexp") {
		t.Errorf("a bad regex is not explained:\n%s", screen(m))
	}
	m = send(m, keys("F", "!/^(INFO|DEBUG)/", "enter")...)
	if plain := screen(m); strings.Contains(plain, "INFO starting") || !strings.Contains(plain, "ERROR \\x1b[2Jcannot reach db") {
		t.Errorf("inverse regex filter:\n%s", plain)
	}
	// s saves what is shown and says where.
	m = send(m, keys("s")...)
	plain = screen(m)
	i := strings.Index(plain, "saved ")
	if i < 0 {
		t.Fatalf("no saved note:\n%s", plain)
	}
	files, _ := filepath.Glob(filepath.Join(saveDir, "wecs", "logs", "cluster1_batch_crashy_*.log"))
	if len(files) != 1 {
		t.Fatalf("saved files %v", files)
	}
	data, _ := os.ReadFile(files[0])
	if !strings.Contains(string(data), "ERROR \\x1b[2Jcannot reach db") || strings.Contains(string(data), "INFO starting") {
		t.Errorf("saved log:\n%s", data)
	}
	// p reads the previous run; c picks a container.
	m = send(m, keys("F", "esc", "p")...)
	if plain := screen(m); !strings.Contains(plain, "previous run") || !strings.Contains(plain, "FATAL previous run gave up") {
		t.Errorf("previous:\n%s", plain)
	}
	m = send(m, keys("c")...)
	if plain := screen(m); !strings.Contains(plain, "migrate (init)") {
		t.Errorf("container picker:\n%s", plain)
	}
}

func TestLogsOfAWorkloadAcrossClustersArePrefixed(t *testing.T) {
	m := send(sized(160, 30), keys("/web-7d4b9-a", "enter", "L", "a")...)
	plain := screen(m)
	for _, want := range []string{"on cluster1,cluster2", "cluster1/web-7d4b9-a INFO starting", "cluster2/web-7d4b9-a INFO starting"} {
		if !strings.Contains(plain, want) {
			t.Errorf("lacks %q:\n%s", want, plain)
		}
	}
}

func TestDeleteAsksFirstAndANamespaceMustBeTyped(t *testing.T) {
	m := send(sized(140, 30), keys("/crashy", "enter")...)
	f := m.fleet.(fakeFleet)
	m = send(m, tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
	if !strings.Contains(screen(m), "delete Pod batch/crashy on cluster1? y/n") {
		t.Fatalf("no confirmation:\n%s", screen(m))
	}
	m = send(m, keys("n")...)
	if len(*f.changes) != 0 {
		t.Fatalf("n deleted: %v", *f.changes)
	}
	m = send(m, tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
	m = send(m, keys("y")...)
	if fmt.Sprint(*f.changes) != "[delete cluster1/crashy]" || !strings.Contains(screen(m), "deleted Pod batch/crashy on cluster1") {
		t.Errorf("changes %v\n%s", *f.changes, screen(m))
	}
}

// TestANamespaceRowCarriesItsNamespace: the row shows the Namespace's
// details, and ctrl+d deletes it once its name is typed.
func TestANamespaceRowCarriesItsNamespace(t *testing.T) {
	objs := testTree()
	objs.Upsert(kube.Object{Cluster: "cluster1", Kind: "Namespace", Name: "shop", UID: "ns-shop", Version: "v1", Resource: "namespaces",
		Status: kube.StatusReady, Created: created})
	m := send(newModelWith(objs), tea.WindowSizeMsg{Width: 140, Height: 30})
	f := m.fleet.(fakeFleet)
	m = send(m, keys("enter", "j")...) // cluster1's batch: no Namespace object known
	m = send(m, tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
	if plain := screen(m); !strings.Contains(plain, "delete: the Namespace batch is not listed on cluster1") {
		t.Errorf("ctrl+d on a namespace without its object:\n%s", plain)
	}
	m = send(m, keys("j", "d")...)
	plain := screen(m)
	for _, want := range []string{"cluster1 › shop", "Namespace shop on cluster1", "uid         ns-shop", "objects     6"} {
		if !strings.Contains(plain, want) {
			t.Errorf("the shop row's details lack %q:\n%s", want, plain)
		}
	}
	m = send(m, keys("esc")...)
	m = send(m, tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
	if plain := screen(m); !strings.Contains(plain, "delete Namespace shop on cluster1? Everything in it goes too. type shop and enter") {
		t.Fatalf("no typed confirmation:\n%s", plain)
	}
	m = send(m, keys("sho", "enter")...)
	if len(*f.changes) != 0 {
		t.Fatalf("a wrong name deleted: %v", *f.changes)
	}
	m = send(m, tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
	m = send(m, keys("shop", "enter")...)
	if fmt.Sprint(*f.changes) != "[delete cluster1/shop]" || !strings.Contains(screen(m), "deleted Namespace shop on cluster1") {
		t.Errorf("changes %v\n%s", *f.changes, screen(m))
	}
}

func TestActionsTheUserMayNotDoAreRefusedWithTheReason(t *testing.T) {
	m := send(sized(140, 30), keys("/db", "enter")...)
	m = send(m, tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
	if plain := screen(m); !strings.Contains(plain, "delete is not available: your user may not delete secrets on cluster1") || strings.Contains(plain, "y/n") {
		t.Errorf("forbidden delete:\n%s", plain)
	}
}

func TestEditScaleAndRestart(t *testing.T) {
	m := send(sized(140, 30), keys("/web", "enter")...) // the Deployment web on cluster1
	f := m.fleet.(fakeFleet)
	m.editor.Run = func(path string, done func(error) tea.Msg) tea.Cmd {
		return func() tea.Msg {
			data, _ := os.ReadFile(path)
			_ = os.WriteFile(path, append(data, "  labels: {edited: \"yes\"}\n"...), 0o600)
			return done(nil)
		}
	}
	m = send(m, keys("e")...)
	if !strings.Contains(screen(m), "saved Deployment shop/web on cluster1") || len(*f.changes) != 1 || !strings.Contains((*f.changes)[0], `labels: {edited: "yes"}`) {
		t.Fatalf("edit: %v\n%s", *f.changes, screen(m))
	}
	m = send(m, keys(":scale 5", "enter")...)
	m = send(m, keys(":restart", "enter")...)
	m = send(m, keys("y")...) // once the question is up
	if got := fmt.Sprint((*f.changes)[1:]); got != "[scale cluster1/web 5 restart cluster1/web]" {
		t.Errorf("changes %s\n%s", got, screen(m))
	}
	m = send(m, keys(":scale many", "enter")...)
	if !strings.Contains(screen(m), `scale "many": give the number of replicas`) {
		t.Errorf("bad scale:\n%s", screen(m))
	}
}

func TestReadOnlyOffersNoMutatingAction(t *testing.T) {
	f := newModel().fleet.(fakeFleet)
	m := New(Config{ITSContext: "its1", ReadOnly: true}, f, testTree())
	m = send(m, tea.WindowSizeMsg{Width: 140, Height: 40})
	m = send(m, keys("/web", "enter")...)
	if !strings.Contains(screen(m), "wecs RO · ITS its1") {
		t.Errorf("no RO in the header:\n%s", screen(m))
	}
	for _, k := range []tea.Msg{keys("e")[0], tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}, keys("s")[0], keys("F")[0]} {
		m = send(m, k)
		if !strings.Contains(screen(m), "read-only") {
			t.Errorf("%v in read-only mode:\n%s", k, screen(m))
		}
	}
	for _, line := range []string{":scale 2", ":restart", ":delete", ":edit", ":exec ls"} {
		m = send(m, keys(line, "enter")...)
		if !strings.Contains(screen(m), "read-only") {
			t.Errorf("%s in read-only mode:\n%s", line, screen(m))
		}
	}
	m = send(m, keys("?")...)
	if plain := helpText(m); !strings.Contains(plain, "delete (asks first) (off now)") || !strings.Contains(plain, "edit in $KUBE_EDITOR / $EDITOR / vi (off now)") {
		t.Errorf("help in read-only mode:\n%s", plain)
	}
	// The clusters view offers no accept and no label edit either.
	m = send(m, keys("esc", "C", "a")...)
	if plain := screen(m); !strings.Contains(plain, "accept, labels and edit: wecs runs read-only") {
		t.Errorf("accept in read-only mode:\n%s", plain)
	}
	if len(*f.changes) != 0 {
		t.Errorf("changes in read-only mode: %v", *f.changes)
	}
}

// TestShellAndForwardSayWhatTheyNeed: a shell and a command run in pods,
// a forward goes to a pod or a service; otherwise the key says so, and a
// failure to reach the pods is shown.
func TestShellAndForwardSayWhatTheyNeed(t *testing.T) {
	m := send(sized(140, 40), keys("/web", "enter")...)
	for key, want := range map[string]string{"s": "shell: select a Pod, not a Deployment", "F": "port-forward: select a Pod or a Service, not a Deployment"} {
		if plain := screen(send(m, keys(key)...)); !strings.Contains(plain, want) {
			t.Errorf("%s on a Deployment: no %q:\n%s", key, want, plain)
		}
	}
	if plain := screen(send(m, keys(":exec ls", "enter")...)); !strings.Contains(plain, "exec: select a Pod, not a Deployment") {
		t.Errorf(":exec on a Deployment:\n%s", plain)
	}
	m = send(m, keys("/crashy", "enter")...)
	if plain := screen(send(m, keys(":exec", "enter")...)); !strings.Contains(plain, "exec: give the command") {
		t.Errorf(":exec without a command:\n%s", plain)
	}
	if plain := screen(send(m, keys("s")...)); !strings.Contains(plain, "no pods to reach in a unit test") {
		t.Errorf("s when the pods cannot be reached:\n%s", plain)
	}
}

// helpText is the whole help, read by scrolling it from top to bottom.
func helpText(m Model) string {
	var b strings.Builder
	for range 10 {
		b.WriteString(screen(m))
		m = send(m, tea.KeyPressMsg{Code: tea.KeyPgDown})
	}
	return b.String()
}

// TestSizedAndDrawnAreToldOnce: the fleet's WECs list once the first frame
// at the window's size is out: Sized and Drawn are each called once,
// however often the window changes.
func TestSizedAndDrawnAreToldOnce(t *testing.T) {
	m := newModel()
	var sized, drawn atomic.Int32
	m.cfg.Sized = func() { sized.Add(1) }
	m.cfg.Drawn = func() { drawn.Add(1) }
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40}, tea.WindowSizeMsg{Width: 100, Height: 30})
	if sized.Load() != 1 || drawn.Load() != 1 {
		t.Fatalf("Sized called %d times and Drawn %d after two window sizes, want once each", sized.Load(), drawn.Load())
	}
}

// TestAChangeTheScreenDoesNotShowLeavesItAsItWas: a pod's restarts change in
// a namespace that is not open; its cluster's counts stay the same, so the
// screen, header included, is what it was, and the renderer draws nothing.
func TestAChangeTheScreenDoesNotShowLeavesItAsItWas(t *testing.T) {
	objs := testTree()
	m := send(newModelWith(objs), tea.WindowSizeMsg{Width: 140, Height: 30})
	pod, ok := objs.Object("cluster1", "cluster1/shop/Pod/web-7d4b9-a")
	if !ok {
		t.Fatal("the test tree has no pod web-7d4b9-a on cluster1")
	}
	for attempt := 0; ; attempt++ {
		minute := time.Now().Truncate(time.Minute)
		before := m.View().Content
		time.Sleep(1100 * time.Millisecond) // a header to the second would change
		pod.Restarts++
		objs.Upsert(pod)
		m = send(m, changedMsg{})
		if after := m.View().Content; after != before {
			if attempt == 0 && !time.Now().Truncate(time.Minute).Equal(minute) {
				continue // the header's minute turned meanwhile
			}
			t.Fatalf("a change nothing on screen shows redrew it:\nbefore:\n%s\nafter:\n%s", before, after)
		}
		return
	}
}
