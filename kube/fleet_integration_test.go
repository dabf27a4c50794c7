package kube_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// kubeconfigAt parses wecs's kube flags (--kubeconfig path, then args) as
// the CLI does and loads the kubeconfig.
func kubeconfigAt(t testing.TB, path string, args ...string) (*kube.Kubeconfig, *kube.Flags) {
	t.Helper()
	flags := kube.NewFlags()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	flags.AddFlags(fs)
	if err := fs.Parse(append([]string{"--kubeconfig", path}, args...)); err != nil {
		t.Fatal(err)
	}
	kc, err := flags.LoadKubeconfig()
	if err != nil {
		t.Fatal(err)
	}
	return kc, flags
}

// newFleet is a Fleet on a sandbox's kubeconfig, not started.
func newFleet(t *testing.T, kubeconfig string, args ...string) *kube.Fleet {
	t.Helper()
	kc, flags := kubeconfigAt(t, kubeconfig, args...)
	its, err := kc.ITSContext()
	if err != nil {
		t.Fatal(err)
	}
	mapping, err := flags.WECContextMap()
	if err != nil {
		t.Fatal(err)
	}
	return kube.NewFleet(kc, its, kube.FleetOptions{WECContexts: mapping})
}

// runFleet starts f until the test ends.
func runFleet(t *testing.T, f *kube.Fleet) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := f.Start(ctx); err != nil {
		t.Fatal(err)
	}
}

// startFleet runs a Fleet on a sandbox's kubeconfig until the test ends.
func startFleet(t *testing.T, kubeconfig string, args ...string) *kube.Fleet {
	t.Helper()
	f := newFleet(t, kubeconfig, args...)
	runFleet(t, f)
	return f
}

func unstructuredOf(obj map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: obj}
}

func waitFor(t *testing.T, timeout time.Duration, what string, check func() error) time.Duration {
	t.Helper()
	start := time.Now()
	var last error
	for time.Since(start) < timeout {
		if last = check(); last == nil {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s: %v", what, timeout, last)
	return 0
}

func connected(f *kube.Fleet, names ...string) error {
	for _, m := range f.Members() {
		if slices.Contains(names, m.Name) && m.Connection.State != kube.Connected {
			return fmt.Errorf("%s is %s (%s)", m.Name, m.Connection.State, m.Connection.Err)
		}
	}
	return nil
}

// truth lists every object of the watched kinds straight from a WEC's apiserver.
func truth(t *testing.T, s *sandbox.State, cluster string) map[types.UID]string {
	t.Helper()
	cfg, err := s.RESTConfig(cluster)
	if err != nil {
		t.Fatal(err)
	}
	dyn := dynamic.NewForConfigOrDie(cfg)
	out := map[types.UID]string{}
	gvrs := []schema.GroupVersionResource{
		{Group: "apps", Version: "v1", Resource: "deployments"}, {Group: "apps", Version: "v1", Resource: "statefulsets"},
		{Group: "apps", Version: "v1", Resource: "daemonsets"}, {Group: "apps", Version: "v1", Resource: "replicasets"},
		{Group: "batch", Version: "v1", Resource: "jobs"}, {Group: "batch", Version: "v1", Resource: "cronjobs"},
		{Version: "v1", Resource: "pods"}, {Version: "v1", Resource: "services"}, {Version: "v1", Resource: "endpoints"},
		{Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"}, {Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
		{Version: "v1", Resource: "configmaps"}, {Version: "v1", Resource: "secrets"}, {Version: "v1", Resource: "persistentvolumes"},
		{Version: "v1", Resource: "persistentvolumeclaims"}, {Group: "storage.k8s.io", Version: "v1", Resource: "storageclasses"},
		{Version: "v1", Resource: "nodes"},
		{Group: sandbox.WidgetGroup, Version: "v1", Resource: "widgets"},
		{Group: "work.open-cluster-management.io", Version: "v1", Resource: "appliedmanifestworks"},
		{Group: "cluster.open-cluster-management.io", Version: "v1alpha1", Resource: "clusterclaims"},
	}
	for _, gvr := range gvrs {
		list, err := dyn.Resource(gvr).List(t.Context(), metav1.ListOptions{})
		if err != nil {
			t.Fatalf("%s: list %s: %v", cluster, gvr.Resource, err)
		}
		for _, o := range list.Items {
			out[o.GetUID()] = o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
		}
	}
	return out
}

// treeMatchesTruth compares the tree's objects of one cluster with the
// server's, read before and after the tree; a change in between is an error
// to retry on.
func treeMatchesTruth(t *testing.T, f *kube.Fleet, s *sandbox.State, cluster string) error {
	want := truth(t, s, cluster)
	got := map[types.UID]string{}
	for _, o := range f.Tree.Find(kube.Filter{Clusters: []string{cluster}, ShowSystem: true}) {
		got[o.UID] = o.Kind + " " + o.Namespace + "/" + o.Name
	}
	if again := truth(t, s, cluster); !maps.Equal(want, again) {
		var changed []string
		for uid, name := range want {
			if _, ok := again[uid]; !ok {
				changed = append(changed, "-"+name)
			}
		}
		for uid, name := range again {
			if _, ok := want[uid]; !ok {
				changed = append(changed, "+"+name)
			}
		}
		return fmt.Errorf("%s: the server's objects changed while the tree was read: %v", cluster, changed)
	}
	var missing, ghosts []string
	for uid, name := range want {
		if _, ok := got[uid]; !ok {
			missing = append(missing, name)
		}
	}
	for uid, name := range got {
		if _, ok := want[uid]; !ok {
			ghosts = append(ghosts, name)
		}
	}
	if len(missing)+len(ghosts) > 0 {
		slices.Sort(missing)
		slices.Sort(ghosts)
		return fmt.Errorf("%s: %d objects on the server, %d in the tree; missing %v; ghosts %v", cluster, len(want), len(got), missing, ghosts)
	}
	return nil
}

func TestFleetTreeEqualsTheServersAndFollowsScaling(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	// The pending WEC has a context too (it joined, it is not accepted).
	waitFor(t, 60*time.Second, "every WEC connected", func() error { return connected(f, append(s.WECNames(), s.Pending)...) })

	members := f.Members()
	if len(members) != len(s.WECNames())+1 {
		t.Fatalf("%d members, want the WECs and the pending cluster", len(members))
	}
	for _, m := range members {
		switch {
		case m.Name == s.Pending:
			if m.Health != kube.HealthPending || m.PendingCSRs != 1 || m.Binding.By != kube.BoundByName {
				t.Errorf("pending %s: health %s (%s), %d CSRs, binding %+v", m.Name, m.Health, m.Reason, m.PendingCSRs, m.Binding)
			}
		case m.Health != kube.HealthActive || m.Binding.By != kube.BoundByName:
			t.Errorf("%s: health %s (%s), bound by %q", m.Name, m.Health, m.Reason, m.Binding.By)
		}
	}
	// Objects come and go (CronJob runs): compare until a quiet moment agrees.
	for _, c := range s.WECNames() {
		waitFor(t, 60*time.Second, "tree equals truth", func() error { return treeMatchesTruth(t, f, s, c) })
	}

	// Children sit under their owners.
	web := f.Tree.Instances("cluster1", "shop", "Deployment")
	if len(web) != 1 || web[0].Name != "web" {
		t.Fatalf("shop Deployments on cluster1: %v", web)
	}
	// A pane fetches the full object: the spec is there, managedFields not.
	full, err := f.Fetch(t.Context(), web[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, found, _ := unstructured.NestedMap(full.Object, "spec", "template"); !found || len(full.GetManagedFields()) != 0 {
		t.Errorf("fetched web: template found %v, managedFields %d", found, len(full.GetManagedFields()))
	}
	rs := f.Tree.Children("cluster1", web[0].UID)
	if len(rs) != 1 || rs[0].Kind != "ReplicaSet" || len(f.Tree.Children("cluster1", rs[0].UID)) != 3 {
		t.Fatalf("web's ReplicaSet and pods: %v", rs)
	}

	// Scale checkout on cluster2 and watch the new pods arrive.
	cfg, _ := s.RESTConfig("cluster2")
	cs := kubernetes.NewForConfigOrDie(cfg)
	countCheckoutPods := func() int {
		return len(f.Tree.Find(kube.Filter{Clusters: []string{"cluster2"}, Namespace: "payments", Kinds: []string{"Pod"}, Name: "checkout-"}))
	}
	before := countCheckoutPods()
	scale, err := cs.AppsV1().Deployments("payments").GetScale(t.Context(), "checkout", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	replicas := scale.Spec.Replicas
	t.Cleanup(func() {
		patch := fmt.Sprintf(`{"spec":{"replicas":%d}}`, replicas)
		if _, err := cs.AppsV1().Deployments("payments").Patch(context.Background(), "checkout", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Errorf("scale checkout on cluster2 back to %d: %v", replicas, err)
		}
	})
	scale.Spec.Replicas += 2
	if _, err := cs.AppsV1().Deployments("payments").UpdateScale(t.Context(), "checkout", scale, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, 60*time.Second, "new checkout pods in the tree", func() error {
		if n := countCheckoutPods(); n < before+2 {
			return fmt.Errorf("%d checkout pods, want %d", n, before+2)
		}
		return nil
	})
	t.Logf("scaled from %d to %d pods: in the tree after %s", before, before+2, took)
}

// TestDeliveredObjectsNameTheirBindingPolicy checks the delivered marker
// against real deliveries: objects the work agent applied from a ManifestWork
// carry its AppliedManifestWork, whose hub ManifestWork names the binding policy.
func TestDeliveredObjectsNameTheirBindingPolicy(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	waitFor(t, 60*time.Second, "every WEC connected", func() error { return connected(f, s.WECNames()...) })
	cases := []struct {
		cluster, namespace, kind, name, policy string
	}{
		{"cluster1", "shop", "Deployment", sandbox.UnhealthyOnCluster2, sandbox.ShopPolicy},
		{"cluster2", "shop", "Service", "web", sandbox.ShopPolicy},
		{"cluster3", "shop", "ConfigMap", "web-config", sandbox.ShopPolicy},
		{"cluster3", "monitoring", "DaemonSet", "node-exporter", sandbox.MonitoringPolicy},
		{"cluster1", "payments", "Deployment", "checkout", ""},
	}
	for _, c := range cases {
		waitFor(t, 20*time.Second, c.cluster+" "+c.kind+" "+c.name, func() error {
			var found []kube.Object
			for _, o := range f.Tree.Instances(c.cluster, c.namespace, c.kind) {
				if o.Name == c.name {
					found = append(found, o)
				}
			}
			if len(found) != 1 {
				return fmt.Errorf("%d in the tree", len(found))
			}
			o := found[0]
			if c.policy == "" && o.DeliveredBy != "" {
				return fmt.Errorf("created directly, yet delivered by %q", o.DeliveredBy)
			}
			if got := f.BindingPolicy(c.cluster, o.DeliveredBy); got != c.policy {
				return fmt.Errorf("delivered by %q, binding policy %q, want %q", o.DeliveredBy, got, c.policy)
			}
			return nil
		})
	}
}

func TestOneDeadWECLeavesTheOthersLiveAndComesBackWhole(t *testing.T) {
	s := sandboxtest.New(t, sandbox.Options{WECs: 3, Nodes: 1})
	f := startFleet(t, s.Kubeconfig)
	waitFor(t, 60*time.Second, "every WEC connected", func() error { return connected(f, s.WECNames()...) })

	if err := s.StopComponent("cluster3/kube-apiserver"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "cluster3 disconnected", func() error {
		for _, m := range f.Members() {
			if m.Name == "cluster3" && m.Connection.State == kube.Disconnected && m.Connection.Err != "" {
				return nil
			}
		}
		return fmt.Errorf("cluster3 still %v", f.Members()[2].Connection.State)
	})
	waitFor(t, 30*time.Second, "the other WECs still connected", func() error { return connected(f, "cluster1", "cluster2") })
	// cluster1 stays live: a new ConfigMap shows up while cluster3 is down.
	cfg1, _ := s.RESTConfig("cluster1")
	cm := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "while-cluster3-is-down"}}
	if _, err := dynamic.NewForConfigOrDie(cfg1).Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("shop").
		Create(t.Context(), unstructuredOf(cm), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "cluster1 still updates", func() error {
		if len(f.Tree.Find(kube.Filter{Clusters: []string{"cluster1"}, Name: "while-cluster3-is-down"})) != 1 {
			return fmt.Errorf("new ConfigMap not in the tree")
		}
		return nil
	})

	// Restart it and, as soon as it answers, delete an object: whether the
	// fleet saw the deletion or reconnected after it, the tree must end up
	// equal to the server's (no ghosts, nothing missing).
	if err := s.StartComponent("cluster3/kube-apiserver", true); err != nil {
		t.Fatal(err)
	}
	cfg3, _ := s.RESTConfig("cluster3")
	widgets := dynamic.NewForConfigOrDie(cfg3).Resource(schema.GroupVersionResource{Group: sandbox.WidgetGroup, Version: "v1", Resource: "widgets"}).Namespace("shop")
	waitFor(t, 60*time.Second, "cluster3's apiserver answers", func() error {
		// NotFound: an earlier attempt deleted it, its answer lost.
		if err := widgets.Delete(t.Context(), "green", metav1.DeleteOptions{}); !apierrors.IsNotFound(err) {
			return err
		}
		return nil
	})
	f.Reconnect("cluster3")
	waitFor(t, 90*time.Second, "cluster3 connected again", func() error { return connected(f, "cluster3") })
	waitFor(t, 60*time.Second, "cluster3 tree equals truth", func() error { return treeMatchesTruth(t, f, s, "cluster3") })
}

func TestRenamedContextsAreBoundByURLOrCA(t *testing.T) {
	s := sandboxtest.Shared(t)
	raw, err := clientcmd.LoadFromFile(s.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	// cluster1's context renamed (bound by URL); cluster2's renamed and its
	// server written as localhost (bound by CA); cluster3 mapped explicitly.
	for old, renamed := range map[string]string{"cluster1": "kind-cluster1", "cluster2": "edge-2", "cluster3": "third"} {
		raw.Contexts[renamed] = raw.Contexts[old]
		delete(raw.Contexts, old)
	}
	c2 := raw.Clusters[raw.Contexts["edge-2"].Cluster]
	c2.Server = strings.Replace(c2.Server, "127.0.0.1", "localhost", 1)
	path := filepath.Join(t.TempDir(), "renamed")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	f := startFleet(t, path, "--wec-context", "cluster3=third")
	want := map[string][2]string{"cluster1": {"kind-cluster1", kube.BoundByURL}, "cluster2": {"edge-2", kube.BoundByCA}, "cluster3": {"third", kube.BoundByExplicit}}
	for _, m := range f.Members() {
		w, ok := want[m.Name]
		if !ok {
			continue
		}
		if m.Binding.Context != w[0] || m.Binding.By != w[1] {
			t.Errorf("%s bound to %q by %q, want %q by %q", m.Name, m.Binding.Context, m.Binding.By, w[0], w[1])
		}
	}
	waitFor(t, 60*time.Second, "renamed contexts connect", func() error { return connected(f, "cluster1", "cluster2", "cluster3") })
}

func TestITSErrorsSayWhatToDo(t *testing.T) {
	s := sandboxtest.Shared(t)
	// cluster1 answers but is no OCM hub.
	kc, _ := kubeconfigAt(t, s.Kubeconfig)
	err := kube.NewFleet(kc, "cluster1", kube.FleetOptions{}).Start(t.Context())
	if err == nil || !strings.Contains(err.Error(), "not an Open Cluster Management hub") || !strings.Contains(err.Error(), "--its-context") {
		t.Errorf("a non-hub ITS context: %v", err)
	}
	if _, err := kc.ManagedClusters(t.Context(), "cluster1"); err == nil || !strings.Contains(err.Error(), "not an Open Cluster Management hub") {
		t.Errorf("ManagedClusters of a non-hub ITS context: %v", err)
	}
	// A dead server.
	raw, _ := clientcmd.LoadFromFile(s.Kubeconfig)
	raw.Clusters[raw.Contexts["its1"].Cluster].Server = "https://127.0.0.1:1"
	path := filepath.Join(t.TempDir(), "dead")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	kc, _ = kubeconfigAt(t, path)
	err = kube.NewFleet(kc, "its1", kube.FleetOptions{}).Start(t.Context())
	if err == nil || !strings.Contains(err.Error(), "does not answer") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("a dead ITS: %v", err)
	}
	if _, err := kc.ManagedClusters(t.Context(), "its1"); err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Errorf("ManagedClusters of a dead ITS: %v", err)
	}
}

// TestForbiddenKindsAreReportedNotFatal runs the fleet as a user who may
// read ManagedClusters on the ITS and only pods and services on the WECs.
func TestForbiddenKindsAreReportedNotFatal(t *testing.T) {
	s := sandboxtest.Shared(t)
	const viewer = "wecs-test-viewer"
	// grant lets the viewer read resources (of API version v1) of group.
	grant := func(ctxName, group string, resources ...string) {
		cfg, _ := s.RESTConfig(ctxName)
		cs := kubernetes.NewForConfigOrDie(cfg)
		rules := []rbacv1.PolicyRule{{APIGroups: []string{group}, Resources: resources, Verbs: []string{"get", "list", "watch"}}}
		role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: viewer}, Rules: rules}
		if _, err := cs.RbacV1().ClusterRoles().Create(t.Context(), role, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: viewer},
			RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: viewer},
			Subjects: []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: viewer}}}
		if _, err := cs.RbacV1().ClusterRoleBindings().Create(t.Context(), binding, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cs.RbacV1().ClusterRoleBindings().Delete(context.Background(), viewer, metav1.DeleteOptions{})
			_ = cs.RbacV1().ClusterRoles().Delete(context.Background(), viewer, metav1.DeleteOptions{})
		})
		// The authorizer learns of the grant a moment later: wait until the
		// viewer can list, or the fleet would start with a stale 403.
		cfg.Impersonate.UserName = viewer
		dyn := dynamic.NewForConfigOrDie(cfg)
		for _, r := range resources {
			waitFor(t, 60*time.Second, viewer+" lists "+r+" on "+ctxName, func() error {
				_, err := dyn.Resource(schema.GroupVersionResource{Group: group, Version: "v1", Resource: r}).List(t.Context(), metav1.ListOptions{Limit: 1})
				return err
			})
		}
	}
	grant("its1", "cluster.open-cluster-management.io", "managedclusters")
	for _, c := range s.WECNames() {
		grant(c, "", "pods", "services")
	}
	f := startFleet(t, s.Kubeconfig, "--as", viewer)
	waitFor(t, 60*time.Second, "every WEC connected despite RBAC", func() error { return connected(f, s.WECNames()...) })
	for _, m := range f.Members() {
		// Only the sandbox's accepted WECs (other tests may add clusters).
		if !slices.Contains(s.WECNames(), m.Name) {
			continue
		}
		if !slices.Contains(m.Connection.Forbidden, "deployments.apps") || slices.Contains(m.Connection.Forbidden, "pods.") {
			t.Errorf("%s: forbidden kinds %v, want deployments.apps and not pods", m.Name, m.Connection.Forbidden)
		}
	}
	if n := len(f.Tree.Find(kube.Filter{Kinds: []string{"Pod"}})); n == 0 {
		t.Error("no pods in the tree although pods may be read")
	}
	if n := len(f.Tree.Find(kube.Filter{Kinds: []string{"Deployment"}})); n != 0 {
		t.Errorf("%d Deployments in the tree although they may not be read", n)
	}
}

func TestWatchDetailFollowsTheObjectAndItsEvents(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	waitFor(t, 60*time.Second, "cluster1 connected", func() error { return connected(f, "cluster1") })
	var fraud kube.Object
	waitFor(t, 20*time.Second, "fraud-model in the tree", func() error {
		found := f.Tree.Find(kube.Filter{Clusters: []string{"cluster1"}, Namespace: "payments", Kinds: []string{"Deployment"}, Name: sandbox.NeverReady})
		if len(found) != 1 {
			return fmt.Errorf("found %d", len(found))
		}
		fraud = found[0]
		return nil
	})

	// read takes snapshots until one passes check.
	read := func(ch <-chan kube.Detail, what string, check func(kube.Detail) error) kube.Detail {
		t.Helper()
		timeout := time.After(20 * time.Second)
		var last error
		for {
			select {
			case d := <-ch:
				if last = check(d); last == nil {
					return d
				}
			case <-timeout:
				t.Fatalf("%s: %v", what, last)
			}
		}
	}
	hasEvent := func(d kube.Detail, kind, reason string) bool {
		return slices.ContainsFunc(d.Events, func(e kube.Event) bool { return strings.HasPrefix(e.Object, kind+"/") && e.Reason == reason })
	}

	own, err := f.WatchDetail(t.Context(), fraud, false)
	if err != nil {
		t.Fatal(err)
	}
	d := read(own, "the Deployment and its own events", func(d kube.Detail) error {
		if d.Object == nil || !hasEvent(d, "Deployment", "ScalingReplicaSet") {
			return fmt.Errorf("object read %v, events %v", d.Object != nil, d.Events)
		}
		return nil
	})
	if d.Object.GetName() != sandbox.NeverReady || len(d.Object.GetManagedFields()) != 0 || hasEvent(d, "Pod", "FailedScheduling") {
		t.Errorf("own detail: name %s, managedFields %d, events %v", d.Object.GetName(), len(d.Object.GetManagedFields()), d.Events)
	}

	// A label change arrives as a new snapshot.
	cfg, _ := s.RESTConfig("cluster1")
	cs := kubernetes.NewForConfigOrDie(cfg)
	stamp := fmt.Sprint(time.Now().UnixNano())
	patch := fmt.Sprintf(`{"metadata":{"labels":{"wecs-test":"%s"}}}`, stamp)
	if _, err := cs.AppsV1().Deployments("payments").Patch(t.Context(), sandbox.NeverReady, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		unlabel := []byte(`{"metadata":{"labels":{"wecs-test":null}}}`)
		if _, err := cs.AppsV1().Deployments("payments").Patch(context.Background(), sandbox.NeverReady, types.MergePatchType, unlabel, metav1.PatchOptions{}); err != nil {
			t.Errorf("remove the wecs-test label: %v", err)
		}
	})
	read(own, "the new label", func(d kube.Detail) error {
		if got := d.Object.GetLabels()["wecs-test"]; got != stamp {
			return fmt.Errorf("label %q", got)
		}
		return nil
	})

	// With related events, the pods' scheduling failures show up too.
	related, err := f.WatchDetail(t.Context(), fraud, true)
	if err != nil {
		t.Fatal(err)
	}
	d = read(related, "the pods' FailedScheduling", func(d kube.Detail) error {
		if !hasEvent(d, "Pod", "FailedScheduling") || !hasEvent(d, "Deployment", "ScalingReplicaSet") {
			return fmt.Errorf("events %v", d.Events)
		}
		return nil
	})
	for _, e := range d.Events {
		if !strings.Contains(e.Object, sandbox.NeverReady) {
			t.Errorf("unrelated event %s %s", e.Object, e.Reason)
		}
	}
	for i := 1; i < len(d.Events); i++ {
		if d.Events[i].Last.After(d.Events[i-1].Last) {
			t.Errorf("events not newest first at %d: %v after %v", i, d.Events[i].Last, d.Events[i-1].Last)
		}
	}
}

func TestAFleetAskedForSomeKindsReadsThoseAlone(t *testing.T) {
	s := sandboxtest.Shared(t)
	kc, _ := kubeconfigAt(t, s.Kubeconfig)
	f := kube.NewFleet(kc, "its1", kube.FleetOptions{Kinds: []string{"pod", "Deployment"}})
	runFleet(t, f)
	waitFor(t, 2*time.Minute, "every WEC connected", func() error {
		for _, m := range f.Members() {
			if m.Binding.Bound() && m.Connection.State != kube.Connected {
				return fmt.Errorf("%s is %s", m.Name, m.Connection.State)
			}
		}
		return nil
	})
	kinds := map[string]int{}
	for _, o := range f.Tree.Find(kube.Filter{ShowSystem: true}) {
		kinds[o.Kind]++
	}
	if len(kinds) != 2 || kinds["Pod"] == 0 || kinds["Deployment"] == 0 {
		t.Errorf("kinds read: %v, want pods and deployments alone", kinds)
	}
	for _, m := range f.Members() {
		if m.Binding.Bound() && m.Connection.Kinds != 2 {
			t.Errorf("%s watches %d kinds, want 2", m.Name, m.Connection.Kinds)
		}
	}
}

// TestHeldWECsWaitForTheRelease: with HoldWECs, the ITS's clusters are
// there once Start returns, and the WECs connect but read no object until
// ReleaseWECs. The fleet says it lists while they wait and connect, and not
// once they have.
func TestHeldWECsWaitForTheRelease(t *testing.T) {
	s := sandboxtest.Shared(t)
	kc, _ := kubeconfigAt(t, s.Kubeconfig)
	its, err := kc.ITSContext()
	if err != nil {
		t.Fatal(err)
	}
	f := kube.NewFleet(kc, its, kube.FleetOptions{HoldWECs: true})
	runFleet(t, f)
	if got, want := len(f.Members()), len(s.WECNames())+1; got != want {
		t.Fatalf("%d clusters once started, want %d (the WECs and the pending one)", got, want)
	}
	time.Sleep(3 * time.Second)
	for _, m := range f.Members() {
		if slices.Contains(s.WECNames(), m.Name) && m.Connection.State != kube.Connecting {
			t.Fatalf("%s is %s before the release, want Connecting", m.Name, m.Connection.State)
		}
	}
	if n := len(f.Tree.Find(kube.Filter{})); n != 0 {
		t.Fatalf("%d objects read before the release", n)
	}
	if !f.Listing() {
		t.Fatal("not listing while the WECs wait to list")
	}
	f.ReleaseWECs()
	waitFor(t, 60*time.Second, "every WEC connected after the release", func() error { return connected(f, s.WECNames()...) })
	if len(f.Tree.Find(kube.Filter{})) == 0 {
		t.Fatal("no object read after the release")
	}
	waitFor(t, 60*time.Second, "nothing listing once the WECs connected", func() error {
		if f.Listing() {
			return errors.New("still listing with every WEC connected")
		}
		return nil
	})
}

// TestAFleetAboutOneObjectReadsItsNamespaceAndWECAlone: with Namespace,
// Clusters and Kinds, as the commands about one object open it, the fleet
// reads the pods of that namespace on that WEC and nothing else, and they
// are the server's; that WEC alone is a member.
func TestAFleetAboutOneObjectReadsItsNamespaceAndWECAlone(t *testing.T) {
	s := sandboxtest.Shared(t)
	kc, _ := kubeconfigAt(t, s.Kubeconfig)
	f := kube.NewFleet(kc, "its1", kube.FleetOptions{Kinds: []string{"Pod"}, Namespace: "shop", Clusters: []string{"cluster1"}})
	runFleet(t, f)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	f.WaitSettled(ctx)
	want := podNames(t, s, "cluster1", "shop")
	var got []string
	for _, o := range f.Tree.Find(kube.Filter{ShowSystem: true}) {
		if o.Cluster != "cluster1" || o.Namespace != "shop" || o.Kind != "Pod" {
			t.Errorf("read %s, outside cluster1's pods of shop", o)
			continue
		}
		got = append(got, o.Name)
	}
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("pods of cluster1/shop: got %v, the server has %v", got, want)
	}
	if members := f.Members(); len(members) != 1 || members[0].Name != "cluster1" || members[0].Connection.State != kube.Connected {
		t.Errorf("members %+v, want cluster1 alone, connected", members)
	}
	if names := f.ClusterNames(); !slices.Equal(names, append(s.WECNames(), "cluster4")) {
		t.Errorf("cluster names %v, want every ManagedCluster", names)
	}
}

// podNames are the names of a namespace's pods on a WEC, sorted.
func podNames(t *testing.T, s *sandbox.State, cluster, namespace string) []string {
	t.Helper()
	cfg, err := s.RESTConfig(cluster)
	if err != nil {
		t.Fatal(err)
	}
	list, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Pods(namespace).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range list.Items {
		out = append(out, p.Name)
	}
	slices.Sort(out)
	return out
}
