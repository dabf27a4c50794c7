package sandbox_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	workv1 "open-cluster-management.io/api/work/v1"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// TestWDSHoldsTheBindingPolicies reads the WDS's policies and staged
// workloads, as KubeStellar's API names them.
func TestWDSHoldsTheBindingPolicies(t *testing.T) {
	s := sandboxtest.Shared(t)
	cfg := restConfig(t, s, sandbox.WDS)
	wds, err := bindingpolicy.Read(t.Context(), dynamic.NewForConfigOrDie(cfg), clientFor(t, s, sandbox.WDS).Discovery())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range wds.Policies {
		names = append(names, p.Name)
	}
	if want := []string{sandbox.NoWECPolicy, sandbox.MonitoringPolicy, sandbox.FailingPolicy, sandbox.ShopPolicy}; !slices.Equal(names, want) {
		t.Errorf("policies %v, want %v", names, want)
	}
	selected := map[string][]string{}
	for _, p := range wds.Policies {
		for _, o := range wds.Selected(p) {
			selected[p.Name] = append(selected[p.Name], o.Kind+" "+o.Namespace+"/"+o.Name)
		}
	}
	want := map[string][]string{
		sandbox.ShopPolicy:       {"ConfigMap shop/web-config", "Service shop/web", "Deployment shop/web"},
		sandbox.MonitoringPolicy: {"DaemonSet monitoring/node-exporter"},
		sandbox.NoWECPolicy:      {"ConfigMap reports/daily-report"},
		sandbox.FailingPolicy:    {"ConfigMap reports/daily-report"},
	}
	for policy, objs := range want {
		if !slices.Equal(selected[policy], objs) {
			t.Errorf("%s selects %v, want %v", policy, selected[policy], objs)
		}
	}
}

// TestTransportFollowsThePolicies checks the ManifestWorks the sandbox's
// transport derives: the web Deployment with its template expanded, its feedback
// rule and the work agent's replica feedback, the copy cluster2 cannot
// apply, and a relabelled WEC losing and regaining monitoring-policy.
func TestTransportFollowsThePolicies(t *testing.T) {
	s := sandboxtest.Shared(t)
	oc, wc := ocmClients(t, s)
	for _, cluster := range s.WECNames() {
		mw, err := wc.WorkV1().ManifestWorks(cluster).Get(t.Context(), sandbox.ManifestWorkName(sandbox.ShopPolicy), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		props, err := clientFor(t, s, "its1").CoreV1().ConfigMaps(sandbox.CustomizationNamespace).Get(t.Context(), cluster, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var web string
		for _, m := range mw.Spec.Workload.Manifests {
			if strings.Contains(string(m.Raw), `"kind":"Deployment"`) {
				web = string(m.Raw)
			}
		}
		if want := `{"name":"REGION","value":"` + props.Data["region"] + `"}`; !strings.Contains(web, want) || strings.Contains(web, "{{") {
			t.Errorf("%s: web's manifest %s, want its REGION template expanded: %s", cluster, web, want)
		}
		if len(mw.Spec.ManifestConfigs) != 1 || mw.Spec.ManifestConfigs[0].FeedbackRules[0].Type != workv1.WellKnownStatusType {
			t.Errorf("%s: manifest configs %+v, want WellKnownStatus feedback for the Deployment", cluster, mw.Spec.ManifestConfigs)
		}
	}
	eventually(t, 60*time.Second, func(ctx context.Context) error {
		mw, err := wc.WorkV1().ManifestWorks("cluster1").Get(ctx, sandbox.ManifestWorkName(sandbox.ShopPolicy), metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, m := range mw.Status.ResourceStatus.Manifests {
			for _, v := range m.StatusFeedbacks.Values {
				if m.ResourceMeta.Kind == "Deployment" && v.Name == "AvailableReplicas" && v.Value.Integer != nil && *v.Value.Integer == 3 {
					return nil
				}
			}
		}
		return fmt.Errorf("no AvailableReplicas=3 feedback for web on cluster1: %+v", mw.Status.ResourceStatus)
	})
	eventually(t, 60*time.Second, func(ctx context.Context) error {
		mw, err := wc.WorkV1().ManifestWorks("cluster2").Get(ctx, sandbox.ManifestWorkName(sandbox.FailingPolicy), metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range mw.Status.Conditions {
			if c.Type == workv1.WorkApplied && c.Status == metav1.ConditionFalse {
				return nil
			}
		}
		return fmt.Errorf("%s on cluster2: conditions %+v, want Applied=False", mw.Name, mw.Status.Conditions)
	})
	for _, cluster := range []string{"cluster1", "cluster3"} {
		if _, err := wc.WorkV1().ManifestWorks(cluster).Get(t.Context(), sandbox.ManifestWorkName(sandbox.FailingPolicy), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("%s has %s's ManifestWork (%v); it selects only cluster2", cluster, sandbox.FailingPolicy, err)
		}
	}

	relabel := func(value string) {
		patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, sandbox.MonitoringLabel, value)
		if _, err := oc.ClusterV1().ManagedClusters().Patch(context.Background(), "cluster3", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	monitoring := func(ctx context.Context) error {
		_, err := wc.WorkV1().ManifestWorks("cluster3").Get(ctx, sandbox.ManifestWorkName(sandbox.MonitoringPolicy), metav1.GetOptions{})
		return err
	}
	relabel("disabled")
	t.Cleanup(func() { relabel("enabled") })
	start := time.Now()
	eventually(t, 10*time.Second, func(ctx context.Context) error {
		if err := monitoring(ctx); !apierrors.IsNotFound(err) {
			return fmt.Errorf("cluster3 still has monitoring-policy's ManifestWork (%v)", err)
		}
		return nil
	})
	t.Logf("relabelled out: ManifestWork gone after %s", time.Since(start).Round(100*time.Millisecond))
	relabel("enabled")
	start = time.Now()
	eventually(t, 10*time.Second, monitoring)
	t.Logf("relabelled back: ManifestWork back after %s", time.Since(start).Round(100*time.Millisecond))
}
