package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/clientcmd"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	workv1 "open-cluster-management.io/api/work/v1"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
	"github.com/wecs-tui/wecs/kube"
)

// bindingsJSON runs `wecs bindings -o json` and returns the policies and
// the exit code.
func bindingsJSON(t *testing.T, s *sandbox.State, args ...string) ([]kube.PolicyBinding, int) {
	t.Helper()
	out, stderr, code := runWecs(t, append([]string{"bindings", "--kubeconfig", s.Kubeconfig, "-o", "json"}, args...)...)
	var doc struct {
		Policies []kube.PolicyBinding `json:"policies"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d, %v: %s; stderr: %s", code, err, out, stderr)
	}
	return doc.Policies, code
}

func findPolicy(policies []kube.PolicyBinding, name string) kube.PolicyBinding {
	for _, p := range policies {
		if p.Name == name {
			return p
		}
	}
	return kube.PolicyBinding{}
}

// TestBindingsShowWhatReachedEachWEC: shop-policy selects every WEC and is
// available everywhere but cluster2, reports-policy is not applied on
// cluster2 with the agent's reason, gpu-policy selects no WEC, and the
// command exits 2 for the gaps.
func TestBindingsShowWhatReachedEachWEC(t *testing.T) {
	s := sandboxtest.Shared(t)
	var policies []kube.PolicyBinding
	var problem string
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var code int
		policies, code = bindingsJSON(t, s)
		problem = shopProblem(findPolicy(policies, sandbox.ShopPolicy), s.WECNames())
		if problem == "" && code == exitPartial || time.Now().After(deadline) {
			if code != exitPartial {
				t.Errorf("exit %d, want %d for the gaps", code, exitPartial)
			}
			break
		}
		time.Sleep(time.Second)
	}
	if problem != "" {
		t.Fatal(problem)
	}
	reports := findPolicy(policies, sandbox.FailingPolicy)
	if !slices.Equal(reports.Clusters, []string{"cluster2"}) || len(reports.Objects) != 1 {
		t.Fatalf("%s: %+v, want one object on cluster2", sandbox.FailingPolicy, reports)
	}
	if d := reports.Objects[0].Deliveries[0]; d.State != kube.NotApplied || !strings.Contains(d.Reason, `namespaces "reports" not found`) {
		t.Errorf("%s on cluster2: %s %q, want NotApplied with the agent's reason", sandbox.FailingPolicy, d.State, d.Reason)
	}
	gpu := findPolicy(policies, sandbox.NoWECPolicy)
	if len(gpu.Clusters) != 0 || len(gpu.Objects) != 1 || len(gpu.Objects[0].Deliveries) != 0 || !gpu.FromWDS {
		t.Errorf("%s: %+v, want its object and no WEC", sandbox.NoWECPolicy, gpu)
	}

	table, _, code := runWecs(t, "bindings", "--kubeconfig", s.Kubeconfig)
	for _, row := range []string{
		`(?m)^shop-policy\s+shop/Deployment web\s+cluster2\s+NotAvailable\s+0 of 3 replicas available$`,
		`(?m)^shop-policy\s+shop/Deployment web\s+cluster1\s+Available\s+-$`,
		`(?m)^gpu-policy\s+-\s+-\s+-\s+selects no WEC$`,
		`(?m)^reports-policy\s+reports/ConfigMap daily-report\s+cluster2\s+NotApplied\s+\S+`,
	} {
		if !regexp.MustCompile(row).MatchString(table) {
			t.Errorf("no row %s in:\n%s", row, table)
		}
	}
	if code != exitPartial {
		t.Errorf("table: exit %d, want %d", code, exitPartial)
	}
	if only, code := bindingsJSON(t, s, sandbox.NoWECPolicy); code != 0 || len(only) != 1 || only[0].Name != sandbox.NoWECPolicy {
		t.Errorf("bindings %s: exit %d, %+v; want it alone, exit 0", sandbox.NoWECPolicy, code, only)
	}
	for _, bad := range [][]string{{"nope"}, {"-o", "xml"}, {"--wds-context", "wds9"}} {
		_, stderr, code := runWecs(t, append([]string{"bindings", "--kubeconfig", s.Kubeconfig}, bad...)...)
		if code != exitError || !strings.Contains(stderr, map[string]string{"nope": "the policies are: gpu-policy, monitoring-policy", "-o": "bindings prints table, wide, json, yaml", "--wds-context": `context "wds9" is not in the kubeconfig`}[bad[0]]) {
			t.Errorf("bindings %v: exit %d, %s", bad, code, stderr)
		}
	}
}

// shopProblem says how shop-policy's state differs from: every WEC
// selected, every object available but the web Deployment on cluster2.
func shopProblem(shop kube.PolicyBinding, wecs []string) string {
	if !slices.Equal(shop.Clusters, wecs) || len(shop.Objects) != 3 {
		return fmt.Sprintf("shop-policy: %+v, want 3 objects on %v", shop, wecs)
	}
	for _, o := range shop.Objects {
		for _, d := range o.Deliveries {
			want := kube.Available
			if o.Kind == "Deployment" && d.Cluster == "cluster2" {
				want = kube.NotAvailable
				if d.Reason != "0 of 3 replicas available" || d.Feedback["Replicas"] != "3" {
					return fmt.Sprintf("web on cluster2: %q, feedback %v", d.Reason, d.Feedback)
				}
			}
			if d.State != want || !d.Delivered || !d.Applied {
				return fmt.Sprintf("%s %s on %s: %+v, want %s", o.Kind, o.Name, d.Cluster, d, want)
			}
		}
	}
	return ""
}

// TestBindingsJSONAgreesWithTheManifestWorks compares -o json with the
// ManifestWorks kubectl reads from the ITS: every ManifestWork of the WDS
// is a delivery with its applied state, and every delivery has its
// ManifestWork.
func TestBindingsJSONAgreesWithTheManifestWorks(t *testing.T) {
	s := sandboxtest.Shared(t)
	policies, _ := bindingsJSON(t, s)
	out, err := exec.CommandContext(t.Context(), "kubectl", "--kubeconfig", s.Kubeconfig, "--context", "its1",
		"get", "manifestworks", "-A", "-l", sandbox.WDSLabel+"="+sandbox.WDS, "-o", "json").Output()
	if err != nil {
		t.Fatalf("kubectl: %v", err)
	}
	var works struct{ Items []workv1.ManifestWork }
	if err := json.Unmarshal(out, &works); err != nil {
		t.Fatal(err)
	}
	if len(works.Items) == 0 {
		t.Fatal("kubectl lists no ManifestWorks of the WDS")
	}
	delivered := map[string]kube.Delivery{}
	for _, p := range policies {
		for _, o := range p.Objects {
			for _, d := range o.Deliveries {
				if d.Delivered {
					delivered[d.Cluster+"/"+d.Work+"/"+o.Resource+"/"+o.Namespace+"/"+o.Name] = d
				}
			}
		}
	}
	seen := 0
	for _, mw := range works.Items {
		policy := mw.Labels[sandbox.BindingPolicyLabel]
		if mw.Name != sandbox.ManifestWorkName(policy) {
			t.Errorf("ManifestWork %s/%s of policy %q", mw.Namespace, mw.Name, policy)
		}
		for _, m := range mw.Status.ResourceStatus.Manifests {
			meta := m.ResourceMeta
			key := mw.Namespace + "/" + mw.Name + "/" + meta.Resource + "/" + meta.Namespace + "/" + meta.Name
			d, ok := delivered[key]
			if !ok {
				t.Errorf("ManifestWork manifest %s is no delivery of wecs bindings", key)
				continue
			}
			seen++
			if applied := conditionStatus(m.Conditions, workv1.ManifestApplied) == "True"; applied != d.Applied {
				t.Errorf("%s: ManifestWork says applied %v, wecs %v", key, applied, d.Applied)
			}
			for _, v := range m.StatusFeedbacks.Values {
				if v.Value.Integer != nil && d.Feedback[v.Name] != fmt.Sprint(*v.Value.Integer) {
					t.Errorf("%s: feedback %s=%d, wecs says %q", key, v.Name, *v.Value.Integer, d.Feedback[v.Name])
				}
			}
		}
	}
	if seen != len(delivered) {
		t.Errorf("wecs shows %d deliveries, the ManifestWorks report %d manifests", len(delivered), seen)
	}
}

// TestBindingsFollowARelabelledWEC relabels cluster3 out of
// monitoring-policy's selector: its copy leaves the view within seconds,
// and comes back with the label.
func TestBindingsFollowARelabelledWEC(t *testing.T) {
	s := sandboxtest.Shared(t)
	relabel := monitoringLabelOf(t, s, "cluster3")
	monitoredOn := func() []string {
		var out []string
		for _, o := range findPolicy(must(bindingsJSON(t, s, sandbox.MonitoringPolicy)), sandbox.MonitoringPolicy).Objects {
			for _, d := range o.Deliveries {
				out = append(out, d.Cluster)
			}
		}
		return out
	}
	waitFor := func(want []string) time.Duration {
		start := time.Now()
		for got := monitoredOn(); !slices.Equal(got, want); got = monitoredOn() {
			if time.Since(start) > 15*time.Second {
				t.Fatalf("monitoring-policy delivers to %v after %s, want %v", got, time.Since(start).Round(time.Second), want)
			}
			time.Sleep(300 * time.Millisecond)
		}
		return time.Since(start)
	}
	relabel("disabled")
	t.Cleanup(func() { relabel("enabled") })
	t.Logf("relabelled out: gone from the view after %s", waitFor([]string{"cluster1"}).Round(100*time.Millisecond))
	relabel("enabled")
	t.Logf("relabelled back: in the view after %s", waitFor([]string{"cluster1", "cluster3"}).Round(100*time.Millisecond))
}

func must[T any](v T, _ int) T { return v }

// monitoringLabelOf returns what sets the label monitoring-policy selects on a
// ManagedCluster of the ITS.
func monitoringLabelOf(t *testing.T, s *sandbox.State, cluster string) func(value string) {
	cfg, err := s.RESTConfig("its1")
	if err != nil {
		t.Fatal(err)
	}
	oc := clusterclient.NewForConfigOrDie(cfg)
	return func(value string) {
		patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, sandbox.MonitoringLabel, value)
		if _, err := oc.ClusterV1().ManagedClusters().Patch(context.Background(), cluster, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTUIBindingsViewShowsTheGapsAndFollowsARelabel opens :bindings on the
// sandbox: shop-policy's web is NotAvailable on cluster2 only, with the
// replicas; reports-policy is NotApplied with the agent's reason; gpu-policy
// selects no WEC. Relabelling cluster3 out of monitoring-policy's selector
// takes its copy out of the view within seconds; enter on cluster1's web
// shows it in the tree.
func TestTUIBindingsViewShowsTheGapsAndFollowsARelabel(t *testing.T) {
	s := sandboxtest.Shared(t)
	term := tmuxtest.Start(t, 200, 45, buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig)
	term.WaitFor(60*time.Second, "cluster1 Active ● Connected")
	term.Keys(":bindings", "Enter")
	term.WaitFor(60*time.Second, "Bindings · 4 policies", "WDS wds1", "gpu-policy ! selects no WEC",
		"! cluster2       ◐ NotAvailable  0 of 3 replicas available", "shop-policy → cluster1, cluster2, cluster3",
		"! cluster2       ✗ NotApplied", `namespaces "reports" not found`)
	// On a sandbox just up, the other copies may still be starting their
	// pods: they settle Available within the minute, cluster2's never does.
	term.WaitUntil(60*time.Second, func(screen string) string {
		if n := strings.Count(screen, "◐ NotAvailable"); n != 1 {
			return fmt.Sprintf("showed web NotAvailable on cluster2 alone (%d copies NotAvailable)", n)
		}
		if !strings.Contains(screen, "cluster1       ✓ Available 3/3") {
			return "showed web on cluster1 Available 3/3"
		}
		return ""
	})

	relabel := monitoringLabelOf(t, s, "cluster3")
	term.Keys("/", sandbox.MonitoringPolicy, "Enter")
	term.WaitFor(10*time.Second, "monitoring-policy → cluster1, cluster3", "cluster3       ✓ Available")
	relabel("disabled")
	t.Cleanup(func() { relabel("enabled") })
	start := time.Now()
	// The policy selects cluster1 alone (its line may go on with the gap
	// of cluster3's copy until that copy is gone).
	selectsCluster1 := regexp.MustCompile(`(?m)^monitoring-policy → cluster1( |$)`)
	term.WaitUntil(15*time.Second, func(screen string) string {
		if !selectsCluster1.MatchString(screen) {
			return "showed monitoring-policy selecting cluster1 alone"
		}
		return ""
	})
	term.WaitGone(15*time.Second, "cluster3       ")
	t.Logf("cluster3's copy left the view %s after the relabel", time.Since(start).Round(100*time.Millisecond))
	relabel("enabled")
	term.WaitFor(15*time.Second, "cluster3       ✓ Available")

	term.Keys("/", "Deployment web cluster1", "Enter")
	term.WaitFor(10*time.Second, "(1 copies)")
	term.Keys("G", "Enter")
	term.WaitFor(10*time.Second, "cluster1 › shop › Deployment web")
}

// TestTUIShowsWhatTheITSDeliveredToAWECItCannotReach points cluster3's
// context, in a copy of the kubeconfig, at a port nothing listens on (a
// context removed would bind it through the ITS's cluster-proxy): the tree
// still lists the objects the ITS's ManifestWorks delivered to cluster3,
// marked as such.
func TestTUIShowsWhatTheITSDeliveredToAWECItCannotReach(t *testing.T) {
	s := sandboxtest.Shared(t)
	raw, err := clientcmd.LoadFromFile(s.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	raw.Clusters[raw.Contexts["cluster3"].Cluster].Server = "https://127.0.0.1:1"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	term := tmuxtest.Start(t, 200, 45, buildWecs(t)+" tui --kubeconfig "+path)
	term.WaitFor(60*time.Second, "cluster1 Active ● Connected", "delivered, from the ITS ○ Disconnected")
	term.Keys(":cluster cluster3", "Enter")
	term.WaitFor(10*time.Second, "filter: cluster=cluster3")
	term.Keys("+")
	term.WaitFor(30*time.Second, "Deployment web ✓ Available 3/3 ⇣ delivered, from the ITS", "ConfigMap", "monitoring")
}
