package sandbox

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	workclient "open-cluster-management.io/api/client/work/clientset/versioned"
	workv1 "open-cluster-management.io/api/work/v1"
)

// Some seeded workloads reach the WECs the KubeStellar way: they are staged
// in the WDS and selected by its BindingPolicies; the sandbox's transport
// (transport.go) writes ManifestWorks into each WEC's mailbox namespace on
// the ITS, named and labelled as KubeStellar's transport controller does,
// and the WEC's work agent applies them (so the objects carry an
// AppliedManifestWork owner reference).
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
	// MonitoringPolicy delivers the node-exporter DaemonSet to the WECs
	// labelled monitoring=enabled: the odd-numbered ones (cluster1, cluster3 …).
	MonitoringPolicy = "monitoring-policy"
)

// ManifestWorkName is the name KubeStellar's transport gives the ManifestWork
// of a binding policy: <policy>-<wds>.
func ManifestWorkName(policy string) string { return policy + "-" + WDS }

// waitDelivered waits until WEC number n's work agent has applied the
// ManifestWorks the transport writes for it.
func waitDelivered(ctx context.Context, wc workclient.Interface, cluster string, n int) error {
	for _, name := range expectedWorks(n) {
		var last error
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 90*time.Second, true, func(ctx context.Context) (bool, error) {
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
			return fmt.Errorf("ManifestWork %s/%s: %v; see the logs of the transport and of %s", cluster, name, last, AgentComponent(cluster))
		}
	}
	return nil
}

func webConfig() *corev1.ConfigMap {
	return &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "web-config", Namespace: nsShop},
		Data:       map[string]string{"LOG_LEVEL": "info", "nginx.conf": "server {\n  listen 80;\n  location / { proxy_pass http://127.0.0.1:8080; }\n}\n"}}
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
