package sandbox_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	workclient "open-cluster-management.io/api/client/work/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

func clientFor(t *testing.T, s *sandbox.State, context string) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(restConfig(t, s, context))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// eventually polls check every 200 ms until it returns nil or timeout passes.
func eventually(t *testing.T, timeout time.Duration, check func(ctx context.Context) error) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		last = check(ctx)
		return last == nil, nil
	})
	if err != nil {
		t.Fatalf("not within %s: %v", timeout, last)
	}
}

func TestEveryContextIsReachable(t *testing.T) {
	s := sandboxtest.Shared(t)
	want := []string{"its1", "cluster1", "cluster2", "cluster3"}
	for _, name := range want {
		v, err := clientFor(t, s, name).Discovery().ServerVersion()
		if err != nil {
			t.Fatalf("context %s: %v", name, err)
		}
		if v.GitVersion != sandbox.KubernetesVersion {
			t.Errorf("context %s runs %s, want %s", name, v.GitVersion, sandbox.KubernetesVersion)
		}
	}
	if got := s.WECNames(); !slices.Equal(got, want[1:]) {
		t.Errorf("WECs %v, want %v", got, want[1:])
	}
}

func ocmClients(t *testing.T, s *sandbox.State) (clusterclient.Interface, workclient.Interface) {
	t.Helper()
	cfg := restConfig(t, s, "its1")
	return clusterclient.NewForConfigOrDie(cfg), workclient.NewForConfigOrDie(cfg)
}

// statusWriters are the field managers that wrote a ManagedCluster's status.
func statusWriters(mc *clusterv1.ManagedCluster) []string {
	var out []string
	for _, f := range mc.ManagedFields {
		if f.Subresource == "status" {
			out = append(out, f.Manager)
		}
	}
	slices.Sort(out)
	return out
}

// OCM's binaries are the only writers of a ManagedCluster's status: the
// hub's registration controller and the WEC's klusterlet agent
// (registration-operator).
var ocmStatusWriters = []string{"registration", "registration-operator"}

func TestManagedClustersAcceptedAndOnePending(t *testing.T) {
	s := sandboxtest.Shared(t)
	oc, _ := ocmClients(t, s)
	list, err := oc.ClusterV1().ManagedClusters().List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]clusterv1.ManagedCluster{}
	for _, mc := range list.Items {
		byName[mc.Name] = mc
	}
	if len(byName) != 4 {
		t.Fatalf("%d ManagedClusters, want 3 accepted and 1 pending: %v", len(byName), byName)
	}
	for _, name := range s.WECNames() {
		mc, ok := byName[name]
		if !ok {
			t.Fatalf("no ManagedCluster %s", name)
		}
		if !mc.Spec.HubAcceptsClient || mc.Spec.LeaseDurationSeconds != sandbox.LeaseDurationSeconds {
			t.Errorf("%s: accepted %v, lease %ds", name, mc.Spec.HubAcceptsClient, mc.Spec.LeaseDurationSeconds)
		}
		// Available lapses while a busy box delays the agent's lease: wait for it.
		eventually(t, 30*time.Second, func(ctx context.Context) error {
			mc, err := oc.ClusterV1().ManagedClusters().Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			for _, cond := range []string{clusterv1.ManagedClusterConditionHubAccepted, clusterv1.ManagedClusterConditionJoined, clusterv1.ManagedClusterConditionAvailable} {
				if !conditionTrue(mc.Status.Conditions, cond) {
					return fmt.Errorf("%s: condition %s not True: %+v", name, cond, mc.Status.Conditions)
				}
			}
			return nil
		})
		if writers := statusWriters(&mc); !slices.Equal(writers, ocmStatusWriters) {
			t.Errorf("%s: status written by %v, want only OCM's %v", name, writers, ocmStatusWriters)
		}
		if mc.Labels["location-group"] != "edge" || mc.Labels["name"] != name {
			t.Errorf("%s labels %v, want location-group=edge and name=%s", name, mc.Labels, name)
		}
		wec, _ := s.Cluster(name)
		if len(mc.Spec.ManagedClusterClientConfigs) != 1 || mc.Spec.ManagedClusterClientConfigs[0].URL != wec.Server ||
			len(mc.Spec.ManagedClusterClientConfigs[0].CABundle) == 0 {
			t.Errorf("%s client configs %+v, want URL %s and its CA", name, mc.Spec.ManagedClusterClientConfigs, wec.Server)
		}
		if mc.Status.Version.Kubernetes != sandbox.KubernetesVersion {
			t.Errorf("%s version %q", name, mc.Status.Version.Kubernetes)
		}
		claims := map[string]string{}
		for _, c := range mc.Status.ClusterClaims {
			claims[c.Name] = c.Value
		}
		if claims["id.k8s.io"] != name || claims["kubeversion.open-cluster-management.io"] != sandbox.KubernetesVersion {
			t.Errorf("%s claims %v", name, claims)
		}
		// Capacity is the sum of the WEC's nodes, as the agent counts it.
		nodes, err := clientFor(t, s, name).CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var cpu, pods int64
		for _, n := range nodes.Items {
			cpu += n.Status.Capacity.Cpu().Value()
			pods += n.Status.Allocatable.Pods().Value()
		}
		if got := mc.Status.Capacity[clusterv1.ResourceCPU]; got.Value() != cpu || cpu == 0 {
			t.Errorf("%s cpu capacity %s, want the nodes' sum %d", name, got.String(), cpu)
		}
		if got := mc.Status.Allocatable["pods"]; got.Value() != pods {
			t.Errorf("%s allocatable pods %s, want the nodes' sum %d", name, got.String(), pods)
		}
	}

	pending, ok := byName[s.Pending]
	if !ok {
		t.Fatalf("no pending ManagedCluster %s", s.Pending)
	}
	if pending.Spec.HubAcceptsClient || conditionTrue(pending.Status.Conditions, clusterv1.ManagedClusterConditionJoined) {
		t.Errorf("%s should be pending: accepted=%v conditions=%+v", s.Pending, pending.Spec.HubAcceptsClient, pending.Status.Conditions)
	}
	csr := pendingCSR(t, s, s.Pending)
	if csr.Spec.Username != sandbox.BootstrapUser {
		t.Errorf("registration CSR of %s filed by %s, want the bootstrap identity %s", s.Pending, csr.Spec.Username, sandbox.BootstrapUser)
	}
}

// pendingCSR returns the one registration CSR of cluster, which must be
// neither approved nor denied.
func pendingCSR(t *testing.T, s *sandbox.State, cluster string) certificatesv1.CertificateSigningRequest {
	t.Helper()
	csrs, err := clientFor(t, s, "its1").CertificatesV1().CertificateSigningRequests().List(t.Context(),
		metav1.ListOptions{LabelSelector: clusterv1.ClusterNameLabelKey + "=" + cluster})
	if err != nil {
		t.Fatal(err)
	}
	if len(csrs.Items) != 1 {
		t.Fatalf("%d registration CSRs for %s, want 1", len(csrs.Items), cluster)
	}
	if conds := csrs.Items[0].Status.Conditions; len(conds) != 0 {
		t.Fatalf("registration CSR of %s should be pending, has %+v", cluster, conds)
	}
	return csrs.Items[0]
}

func availableStatus(oc clusterclient.Interface, cluster string) func(ctx context.Context) (*clusterv1.ManagedCluster, metav1.ConditionStatus, error) {
	return func(ctx context.Context) (*clusterv1.ManagedCluster, metav1.ConditionStatus, error) {
		mc, err := oc.ClusterV1().ManagedClusters().Get(ctx, cluster, metav1.GetOptions{})
		if err != nil {
			return nil, "", err
		}
		for _, c := range mc.Status.Conditions {
			if c.Type == clusterv1.ManagedClusterConditionAvailable {
				return mc, c.Status, nil
			}
		}
		return mc, "", nil
	}
}

// TestAcceptThenAgentOutage accepts the pending WEC as clusteradm would and
// watches its agent turn it Available; then stops and starts an agent and
// watches the hub's lease check mark the WEC Unknown and the agent bring it back.
func TestAcceptThenAgentOutage(t *testing.T) {
	s := sandboxtest.New(t, sandbox.Options{WECs: 1, Nodes: 2})
	oc, _ := ocmClients(t, s)
	pending := s.Pending
	csr := pendingCSR(t, s, pending)

	start := time.Now()
	if err := s.Accept(t.Context(), pending); err != nil {
		t.Fatal(err)
	}
	status := availableStatus(oc, pending)
	eventually(t, 60*time.Second, func(ctx context.Context) error {
		mc, available, err := status(ctx)
		if err != nil {
			return err
		}
		if !mc.Spec.HubAcceptsClient || !conditionTrue(mc.Status.Conditions, clusterv1.ManagedClusterConditionJoined) || available != metav1.ConditionTrue {
			return fmt.Errorf("%s: accepted %v, conditions %+v", pending, mc.Spec.HubAcceptsClient, mc.Status.Conditions)
		}
		if writers := statusWriters(mc); !slices.Equal(writers, ocmStatusWriters) {
			return fmt.Errorf("%s: status written by %v, want only OCM's %v", pending, writers, ocmStatusWriters)
		}
		if cpu := mc.Status.Capacity[clusterv1.ResourceCPU]; cpu.IsZero() || mc.Status.Version.Kubernetes == "" {
			return fmt.Errorf("%s: no capacity or version reported yet", pending)
		}
		return nil
	})
	t.Logf("%s Joined and Available %s after accept", pending, time.Since(start).Round(100*time.Millisecond))
	got, err := clientFor(t, s, "its1").CertificatesV1().CertificateSigningRequests().Get(t.Context(), csr.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Status.Conditions) == 0 || got.Status.Conditions[0].Type != certificatesv1.CertificateApproved || len(got.Status.Certificate) == 0 {
		t.Errorf("CSR %s after accept: %+v, certificate %d bytes", csr.Name, got.Status.Conditions, len(got.Status.Certificate))
	}
	if err := s.Accept(t.Context(), pending); err != nil {
		t.Errorf("accepting %s again: %v", pending, err)
	}
	if err := s.Accept(t.Context(), "cluster9"); err == nil || !strings.Contains(err.Error(), "no ManagedCluster cluster9") {
		t.Errorf("accepting an unknown cluster: %v", err)
	}

	wec := s.WECNames()[0]
	status = availableStatus(oc, wec)
	if err := s.StopComponent(sandbox.AgentComponent(wec)); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	grace := 5 * sandbox.LeaseDurationSeconds * time.Second
	eventually(t, grace+60*time.Second, func(ctx context.Context) error {
		if _, available, err := status(ctx); err != nil || available != metav1.ConditionUnknown {
			return fmt.Errorf("%s Available=%s (%v)", wec, available, err)
		}
		return nil
	})
	t.Logf("%s Available=Unknown %s after its agent stopped", wec, time.Since(stopped).Round(100*time.Millisecond))
	if err := s.StartComponent(sandbox.AgentComponent(wec), true); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()
	eventually(t, 60*time.Second, func(ctx context.Context) error {
		if _, available, err := status(ctx); err != nil || available != metav1.ConditionTrue {
			return fmt.Errorf("%s Available=%s (%v)", wec, available, err)
		}
		return nil
	})
	t.Logf("%s Available again %s after its agent started", wec, time.Since(restarted).Round(100*time.Millisecond))
}

// TestWorkloadsDeliveredThroughManifestWorks checks the KubeStellar-style
// deliveries: labelled ManifestWorks in each WEC's mailbox, applied by the
// work agent, and directly created objects next to them.
func TestWorkloadsDeliveredThroughManifestWorks(t *testing.T) {
	s := sandboxtest.Shared(t)
	_, wc := ocmClients(t, s)
	for i, name := range s.WECNames() {
		wants := map[string]bool{sandbox.ShopPolicy: true, sandbox.MonitoringPolicy: i%2 == 0}
		for policy, want := range wants {
			mw, err := wc.WorkV1().ManifestWorks(name).Get(t.Context(), sandbox.ManifestWorkName(policy), metav1.GetOptions{})
			if !want {
				if err == nil {
					t.Errorf("%s got ManifestWork %s, which %s does not select", name, mw.Name, policy)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if mw.Labels[sandbox.BindingPolicyLabel] != policy || mw.Labels[sandbox.WDSLabel] != sandbox.WDS {
				t.Errorf("%s/%s labels %v", name, mw.Name, mw.Labels)
			}
		}
		cs := clientFor(t, s, name)
		web, err := cs.AppsV1().Deployments("shop").Get(t.Context(), sandbox.UnhealthyOnCluster2, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		owner := appliedManifestWork(web.OwnerReferences)
		if owner == nil || !strings.HasSuffix(owner.Name, "-"+sandbox.ManifestWorkName(sandbox.ShopPolicy)) || owner.APIVersion != "work.open-cluster-management.io/v1" {
			t.Errorf("%s: web's owners %+v, want the AppliedManifestWork of %s", name, web.OwnerReferences, sandbox.ManifestWorkName(sandbox.ShopPolicy))
		} else {
			dyn := dynamic.NewForConfigOrDie(restConfig(t, s, name))
			applied, err := dyn.Resource(schema.GroupVersionResource{Group: "work.open-cluster-management.io", Version: "v1", Resource: "appliedmanifestworks"}).
				Get(t.Context(), owner.Name, metav1.GetOptions{})
			if err != nil || applied.GetUID() != owner.UID {
				t.Errorf("%s: AppliedManifestWork %s: %v", name, owner.Name, err)
			}
		}
		_, err = cs.AppsV1().DaemonSets("monitoring").Get(t.Context(), "node-exporter", metav1.GetOptions{})
		if delivered := err == nil; delivered != wants[sandbox.MonitoringPolicy] {
			t.Errorf("%s: node-exporter delivered %v, want %v", name, delivered, wants[sandbox.MonitoringPolicy])
		}
		checkout, err := cs.AppsV1().Deployments("payments").Get(t.Context(), "checkout", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if appliedManifestWork(checkout.OwnerReferences) != nil {
			t.Errorf("%s: checkout was created directly, yet has owners %+v", name, checkout.OwnerReferences)
		}
	}
}

func appliedManifestWork(refs []metav1.OwnerReference) *metav1.OwnerReference {
	for i := range refs {
		if refs[i].Kind == "AppliedManifestWork" {
			return &refs[i]
		}
	}
	return nil
}

func restConfig(t *testing.T, s *sandbox.State, context string) *rest.Config {
	t.Helper()
	cfg, err := s.RESTConfig(context)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestCustomizationPropertiesPerWEC(t *testing.T) {
	s := sandboxtest.Shared(t)
	list, err := clientFor(t, s, "its1").CoreV1().ConfigMaps(sandbox.CustomizationNamespace).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, cm := range list.Items {
		if cm.Name == "kube-root-ca.crt" {
			continue
		}
		names = append(names, cm.Name)
		if cm.Data["region"] == "" || cm.Data["zone"] == "" || cm.Data["tier"] == "" {
			t.Errorf("%s properties %v, want region, zone and tier", cm.Name, cm.Data)
		}
	}
	if want := append(s.WECNames(), s.Pending); !slices.Equal(names, want) {
		t.Errorf("properties for %v, want one ConfigMap for each of %v", names, want)
	}
}

func conditionTrue(conds []metav1.Condition, typ string) bool {
	for _, c := range conds {
		if c.Type == typ {
			return c.Status == metav1.ConditionTrue
		}
	}
	return false
}

func TestPodsRunOnKwokNodes(t *testing.T) {
	s := sandboxtest.Shared(t)
	for _, name := range s.WECNames() {
		cs := clientFor(t, s, name)
		eventually(t, 60*time.Second, func(ctx context.Context) error {
			pods, err := cs.CoreV1().Pods("payments").List(ctx, metav1.ListOptions{LabelSelector: "app=checkout"})
			if err != nil {
				return err
			}
			running := 0
			for _, p := range pods.Items {
				if p.Status.Phase != corev1.PodRunning {
					continue
				}
				node, err := cs.CoreV1().Nodes().Get(ctx, p.Spec.NodeName, metav1.GetOptions{})
				if err != nil {
					return err
				}
				if node.Labels["type"] != "kwok" {
					return fmt.Errorf("%s/%s runs on %s, which is not a kwok node", name, p.Name, node.Name)
				}
				running++
			}
			if running != 2 {
				return fmt.Errorf("%s: %d of 2 checkout pods Running", name, running)
			}
			return nil
		})
	}
}

func TestUnhealthyWorkloadsAndWarningEvents(t *testing.T) {
	s := sandboxtest.Shared(t)
	cs := clientFor(t, s, "cluster2")
	// web cannot be scheduled on cluster2 only.
	eventually(t, 60*time.Second, func(ctx context.Context) error {
		events, err := cs.CoreV1().Events("shop").List(ctx, metav1.ListOptions{FieldSelector: fields.Set{"type": corev1.EventTypeWarning, "reason": "FailedScheduling"}.String()})
		if err != nil {
			return err
		}
		for _, e := range events.Items {
			if strings.HasPrefix(e.InvolvedObject.Name, sandbox.UnhealthyOnCluster2+"-") {
				return nil
			}
		}
		return fmt.Errorf("no FailedScheduling warning for %s pods on cluster2 (%d warnings)", sandbox.UnhealthyOnCluster2, len(events.Items))
	})
	eventually(t, 60*time.Second, func(ctx context.Context) error {
		d, err := clientFor(t, s, "cluster1").AppsV1().Deployments("shop").Get(ctx, sandbox.UnhealthyOnCluster2, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if d.Status.AvailableReplicas != 3 {
			return fmt.Errorf("web on cluster1 has %d of 3 available", d.Status.AvailableReplicas)
		}
		return nil
	})
	eventually(t, 60*time.Second, func(ctx context.Context) error {
		p, err := cs.CoreV1().Pods("batch").Get(ctx, sandbox.FailingPod, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.Status.Phase != corev1.PodFailed {
			return fmt.Errorf("pod %s is %s, want Failed", sandbox.FailingPod, p.Status.Phase)
		}
		return nil
	})
}

func TestFollowedLogsReceiveNewLines(t *testing.T) {
	s := sandboxtest.Shared(t)
	cs := clientFor(t, s, "cluster2")
	eventually(t, 60*time.Second, func(ctx context.Context) error {
		p, err := cs.CoreV1().Pods("shop").Get(ctx, sandbox.LoggingPod, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.Status.Phase != corev1.PodRunning {
			return fmt.Errorf("%s is %s", sandbox.LoggingPod, p.Status.Phase)
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	started := time.Now()
	stream, err := cs.CoreV1().Pods("shop").GetLogs(sandbox.LoggingPod, &corev1.PodLogOptions{Container: "app", Follow: true, TailLines: ptrTo(int64(0)), Timestamps: true}).Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	lines := bufio.NewScanner(stream)
	var fresh []string
	for len(fresh) < 3 && lines.Scan() {
		stamp, text, _ := strings.Cut(lines.Text(), " ")
		at, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil {
			t.Fatalf("log line without a timestamp: %q", lines.Text())
		}
		fromCluster2 := strings.Contains(text, "cluster=cluster2") || strings.Contains(text, `"cluster":"cluster2"`)
		if at.After(started.Add(-time.Second)) && fromCluster2 {
			fresh = append(fresh, text)
		}
	}
	if len(fresh) < 3 {
		t.Fatalf("followed log gave %d new lines (%v), want 3: %v", len(fresh), fresh, lines.Err())
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestBadInputIsRefusedClearly(t *testing.T) {
	cases := []struct {
		name string
		opts sandbox.Options
		want string
	}{
		{"no WECs", sandbox.Options{WECs: 0, Nodes: 1}, "--wecs 0"},
		{"no nodes", sandbox.Options{WECs: 1, Nodes: 0}, "--nodes 0"},
		{"too many pods", sandbox.Options{WECs: 1, Nodes: 1, Pods: 500}, "add --nodes"},
		{"unknown component", sandbox.Options{WECs: 1, Nodes: 1, ExtraArgs: map[string][]string{"kubelet": {"--v=2"}}}, "components are"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Dir = t.TempDir()
			_, err := sandbox.Up(t.Context(), c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one that says %q", err, c.want)
			}
		})
	}
}

func TestBusyPortIsNamed(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	_, err = sandbox.Up(t.Context(), sandbox.Options{Dir: t.TempDir(), WECs: 1, Nodes: 1, PortBase: port})
	if err == nil || !strings.Contains(err.Error(), "port "+strconv.Itoa(port)+" is busy") {
		t.Fatalf("error %v, want one naming busy port %d", err, port)
	}
}

func TestComponentDyingAtStartIsReported(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	_, err := sandbox.Up(t.Context(), sandbox.Options{Dir: dir, WECs: 1, Nodes: 1,
		ExtraArgs: map[string][]string{"kube-apiserver": {"--no-such-flag"}}})
	if err == nil {
		t.Fatal("Up succeeded with a kube-apiserver that cannot start")
	}
	for _, want := range []string{"kube-apiserver exited", "unknown flag: --no-such-flag"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if took := time.Since(start); took > 120*time.Second {
		t.Errorf("took %s to notice a dead kube-apiserver", took)
	}
	s, err := sandbox.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range s.Status() {
		if c.Running {
			t.Errorf("%s (pid %d) still runs after a failed start", c.Name, c.PID)
		}
	}
}

func TestDownLeavesNothingRunning(t *testing.T) {
	dir := t.TempDir()
	s, err := sandbox.Up(t.Context(), sandbox.Options{Dir: dir, WECs: 1, Nodes: 1, DieWithParent: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Down() }) // in case the test stops early; Down again is harmless
	again, err := sandbox.Up(t.Context(), sandbox.Options{Dir: dir, WECs: 1, Nodes: 1})
	if err != nil {
		t.Fatalf("up on a running sandbox: %v", err)
	}
	if len(again.Components) != len(s.Components) || again.Components[0].PID != s.Components[0].PID {
		t.Errorf("up on a running sandbox started new processes")
	}
	statuses := s.Status()
	if len(statuses) < 7 {
		t.Fatalf("only %d components recorded", len(statuses))
	}
	for _, c := range statuses {
		if !c.Running {
			t.Fatalf("%s not running before down", c.Name)
		}
	}
	// A crashed component is reported by name, not hidden.
	if err := s.StopComponent("cluster1/kwok"); err != nil {
		t.Fatal(err)
	}
	_, err = sandbox.Up(t.Context(), sandbox.Options{Dir: dir, WECs: 1, Nodes: 1})
	if err == nil || !strings.Contains(err.Error(), "only partly running") || !strings.Contains(err.Error(), "cluster1/kwok exited") {
		t.Errorf("up on a sandbox with a crashed kwok: %v", err)
	}
	// A fresh load checks the processes through /proc, as another process would.
	recorded, err := sandbox.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Down(); err != nil {
		t.Fatal(err)
	}
	for _, c := range recorded.Status() {
		if c.Running {
			t.Errorf("%s (pid %d) still runs after down", c.Name, c.PID)
		}
	}
	if _, err := sandbox.Load(dir); err == nil {
		t.Errorf("state of %s still there after down", dir)
	}
}
