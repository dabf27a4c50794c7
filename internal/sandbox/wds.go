package sandbox

import (
	"context"
	_ "embed"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// The WDS (context wds1) is a kube-apiserver of the fleet that holds the
// staged workloads and KubeStellar's BindingPolicies; it runs no
// controllers, so its Deployments make no pods.
const (
	// NoWECPolicy selects WECs labelled gpu=true, which none is.
	NoWECPolicy = "gpu-policy"
	// FailingPolicy sends cluster2 a ConfigMap of namespace "reports",
	// which cluster2 lacks: its work agent cannot apply it.
	FailingPolicy = "reports-policy"
	// MonitoringLabel is the ManagedCluster label monitoring-policy selects
	// on: enabled on the odd-numbered WECs, disabled on the others.
	MonitoringLabel = "monitoring"
	// ExpandTemplatesAnnotation makes the transport expand Go templates in
	// the object's string values with the WEC's properties, as KubeStellar does.
	ExpandTemplatesAnnotation = "control.kubestellar.io/expand-templates"
	nsReports                 = "reports"
	// diskTypeLabel is the node label saying what disk a node has.
	diskTypeLabel = "disktype"
)

//go:embed bindingpolicies-crd.yaml
var bindingPolicyCRD []byte

// seedWDS installs the BindingPolicy CRD in the WDS and creates the staged
// workloads and the binding policies.
func seedWDS(ctx context.Context, wds *controlPlane) error {
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal(bindingPolicyCRD, &crd); err != nil {
		return fmt.Errorf("read the BindingPolicy CRD: %w", err)
	}
	ext, err := apiextensionsclient.NewForConfig(wds.config)
	if err != nil {
		return err
	}
	if err := createCRD(ctx, ext, &crd); err != nil {
		return fmt.Errorf("%s: install the BindingPolicy CRD: %w", wds.cluster.Name, err)
	}
	for _, ns := range []string{nsShop, nsMonitoring, nsReports} {
		if err := ensureNamespace(ctx, wds, ns); err != nil {
			return err
		}
	}
	dyn, err := dynamic.NewForConfig(wds.config)
	if err != nil {
		return err
	}
	objects := append(stagedWorkloads(), bindingPolicies()...)
	for _, obj := range objects {
		if err := createTyped(ctx, dyn, obj); err != nil {
			return fmt.Errorf("%s: %w", wds.cluster.Name, err)
		}
	}
	return nil
}

// createTyped creates a typed object (with its TypeMeta set) through the
// dynamic client.
func createTyped(ctx context.Context, dyn dynamic.Interface, obj any) error {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err
	}
	u := &unstructured.Unstructured{Object: content}
	gvk := u.GroupVersionKind()
	gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: stagedResources[gvk.Kind]}
	_, err = dyn.Resource(gvr).Namespace(u.GetNamespace()).Create(ctx, u, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create %s %s/%s: %w", gvk.Kind, u.GetNamespace(), u.GetName(), err)
	}
	return nil
}

// stagedResources are the resources of the kinds the WDS stages.
var stagedResources = map[string]string{"ConfigMap": "configmaps", "Service": "services", "Deployment": "deployments",
	"DaemonSet": "daemonsets", "BindingPolicy": "bindingpolicies"}

// stagedWorkloads are the WDS's workload objects.
func stagedWorkloads() []any {
	report := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "daily-report", Namespace: nsReports}, Data: map[string]string{"schedule": "0 6 * * *"}}
	return []any{webConfig(), stagedWebDeployment(), webService(), nodeExporter(), report}
}

// stagedWebDeployment is the web front end as staged: its REGION is the
// WEC's region property (a template the transport expands per WEC), and its
// pods need a node with an SSD, which cluster2's nodes lack (see
// createNodes), so there its pods stay Pending with FailedScheduling warnings.
func stagedWebDeployment() *appsv1.Deployment {
	spec := webPodSpec()
	for i, env := range spec.Containers[0].Env {
		if env.Name == "REGION" {
			spec.Containers[0].Env[i].Value = "{{.region}}"
		}
	}
	spec.NodeSelector = map[string]string{diskTypeLabel: "ssd"}
	web := deployment(UnhealthyOnCluster2, 3, spec)
	web.TypeMeta = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}
	web.Namespace = nsShop
	web.Annotations = map[string]string{ExpandTemplatesAnnotation: "true"}
	return web
}

// bindingPolicies are the WDS's BindingPolicies.
func bindingPolicies() []any {
	core, apps := "", "apps"
	return []any{
		bindingPolicy(ShopPolicy, map[string]string{LocationGroupLabel: "edge"},
			bindingpolicy.DownsyncTest{APIGroup: &core, Resources: []string{"configmaps", "services"}, Namespaces: []string{nsShop}},
			bindingpolicy.DownsyncTest{APIGroup: &apps, Resources: []string{"deployments"}, Namespaces: []string{nsShop}}),
		bindingPolicy(MonitoringPolicy, map[string]string{MonitoringLabel: "enabled"},
			bindingpolicy.DownsyncTest{APIGroup: &apps, Resources: []string{"daemonsets"}, Namespaces: []string{nsMonitoring}, ObjectNames: []string{"node-exporter"}}),
		bindingPolicy(NoWECPolicy, map[string]string{"gpu": "true"},
			bindingpolicy.DownsyncTest{APIGroup: &core, Resources: []string{"configmaps"}, Namespaces: []string{nsReports}}),
		bindingPolicy(FailingPolicy, map[string]string{"name": "cluster2"},
			bindingpolicy.DownsyncTest{APIGroup: &core, Resources: []string{"configmaps"}, Namespaces: []string{nsReports}}),
	}
}

// bindingPolicyObject is a BindingPolicy as the WDS stores it.
type bindingPolicyObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              bindingpolicy.Policy `json:"spec"`
}

func bindingPolicy(name string, clusterLabels map[string]string, tests ...bindingpolicy.DownsyncTest) *bindingPolicyObject {
	return &bindingPolicyObject{TypeMeta: metav1.TypeMeta{APIVersion: bindingpolicy.GVR.GroupVersion().String(), Kind: "BindingPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       bindingpolicy.Policy{ClusterSelectors: []metav1.LabelSelector{{MatchLabels: clusterLabels}}, Downsync: tests}}
}
