package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	workclient "open-cluster-management.io/api/client/work/clientset/versioned"
	workv1 "open-cluster-management.io/api/work/v1"
)

// Some seeded workloads reach the WECs the KubeStellar way: the sandbox
// writes ManifestWorks into each WEC's mailbox namespace on the ITS, named
// and labelled as KubeStellar's transport controller does, and the WEC's
// work agent applies them (so the objects carry an AppliedManifestWork
// owner reference).
const (
	// BindingPolicyLabel names the binding policy behind a ManifestWork.
	BindingPolicyLabel = "transport.kubestellar.io/originOwnerReferenceBindingKey"
	// WDSLabel names the WDS the ManifestWork's objects came from.
	WDSLabel = "transport.kubestellar.io/originWdsName"
	// WDS is the one WDS the sandbox's deliveries come from.
	WDS = "wds1"
	// ShopPolicy delivers shop's web front end (Deployment, Service and
	// ConfigMap) to every WEC.
	ShopPolicy = "shop-policy"
	// MonitoringPolicy delivers the node-exporter DaemonSet to the
	// odd-numbered WECs (cluster1, cluster3 …).
	MonitoringPolicy = "monitoring-policy"
)

// ManifestWorkName is the name KubeStellar's transport gives the ManifestWork
// of a binding policy: <policy>-<wds>.
func ManifestWorkName(policy string) string { return policy + "-" + WDS }

// deliveries are the objects each binding policy sends to WEC number n.
func deliveries(cluster string, n int) map[string][]runtime.Object {
	out := map[string][]runtime.Object{ShopPolicy: {webConfig(), webDeployment(cluster), webService()}}
	if n%2 == 1 {
		out[MonitoringPolicy] = []runtime.Object{nodeExporter()}
	}
	return out
}

// deliver creates the WEC's ManifestWorks in its mailbox namespace (which
// the registration controller created on acceptance) and waits until its
// work agent has applied them.
func (u *upper) deliver(ctx context.Context, its *controlPlane, wc workclient.Interface, cluster string, n int) error {
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := its.client.CoreV1().Namespaces().Get(ctx, cluster, metav1.GetOptions{})
		return err == nil, nil
	}); err != nil {
		return fmt.Errorf("the registration controller made no mailbox namespace %s on the ITS: %w", cluster, err)
	}
	var names []string
	for policy, objects := range deliveries(cluster, n) {
		mw, err := manifestWork(cluster, policy, objects)
		if err != nil {
			return err
		}
		if _, err := wc.WorkV1().ManifestWorks(cluster).Create(ctx, mw, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create ManifestWork %s/%s: %w", cluster, mw.Name, err)
		}
		names = append(names, mw.Name)
	}
	for _, name := range names {
		var last error
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
			mw, err := wc.WorkV1().ManifestWorks(cluster).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				last = err
				return false, nil
			}
			if !conditionIs(mw.Status.Conditions, workv1.WorkApplied, metav1.ConditionTrue) {
				last = fmt.Errorf("not applied: %+v", mw.Status.Conditions)
				return false, nil
			}
			return true, nil
		})
		if err != nil {
			return fmt.Errorf("ManifestWork %s/%s: %v; see the log of %s", cluster, name, last, AgentComponent(cluster))
		}
	}
	return nil
}

// manifestWork wraps objects as KubeStellar's transport does for one
// binding policy and destination.
func manifestWork(cluster, policy string, objects []runtime.Object) (*workv1.ManifestWork, error) {
	mw := &workv1.ManifestWork{ObjectMeta: metav1.ObjectMeta{Name: ManifestWorkName(policy), Namespace: cluster,
		Labels: map[string]string{BindingPolicyLabel: policy, WDSLabel: WDS}}}
	for _, o := range objects {
		raw, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		mw.Spec.Workload.Manifests = append(mw.Spec.Workload.Manifests, workv1.Manifest{RawExtension: runtime.RawExtension{Raw: raw}})
	}
	return mw, nil
}

func webConfig() *corev1.ConfigMap {
	return &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "web-config", Namespace: nsShop},
		Data:       map[string]string{"LOG_LEVEL": "info", "nginx.conf": "server {\n  listen 80;\n  location / { proxy_pass http://127.0.0.1:8080; }\n}\n"}}
}

// webDeployment is the web front end, the same on every WEC but cluster2:
// there (as a per-cluster customization would) it asks for a node label no
// node has, so its pods stay Pending with FailedScheduling warnings.
func webDeployment(cluster string) *appsv1.Deployment {
	web := deployment(UnhealthyOnCluster2, 3, webPodSpec())
	web.TypeMeta = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}
	web.Namespace = nsShop
	if cluster == "cluster2" {
		web.Spec.Template.Spec.NodeSelector = map[string]string{"disktype": "ssd"}
	}
	return web
}

func webService() *corev1.Service {
	svc := service("web", 80, false)
	svc.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}
	svc.Namespace = nsShop
	return svc
}

// nodeExporter is a DaemonSet on the nodes labelled for monitoring agents.
func nodeExporter() *appsv1.DaemonSet {
	agent := podTemplate("node-exporter", corev1.PodSpec{NodeSelector: map[string]string{agentNodeLabel: "true"},
		Containers: []corev1.Container{container("app", "prom/node-exporter:1.8", 9100, "50m", "64Mi")}})
	return &appsv1.DaemonSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Name: "node-exporter", Namespace: nsMonitoring},
		Spec:       appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "node-exporter"}}, Template: agent}}
}
