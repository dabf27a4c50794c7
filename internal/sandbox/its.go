package sandbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
)

// Labels the KubeStellar docs put on a WEC's ManagedCluster, and OCM's
// cluster-set label.
const (
	LocationGroupLabel = "location-group"
	clusterSetLabel    = "cluster.open-cluster-management.io/clusterset"
)

// seedITS registers every WEC on the ITS with the status the OCM agent would
// report, and leaves one more cluster Pending with its registration CSR.
func (u *upper) seedITS(ctx context.Context, its *controlPlane, wecs []*controlPlane) error {
	clusters, err := clusterclient.NewForConfig(its.config)
	if err != nil {
		return err
	}
	if err := createClusterSet(ctx, its, "default"); err != nil {
		return err
	}
	for _, w := range wecs {
		if err := registerWEC(ctx, its, clusters, w); err != nil {
			return fmt.Errorf("register %s on the ITS: %w", w.cluster.Name, err)
		}
	}
	if err := createPending(ctx, its, clusters, u.Pending); err != nil {
		return fmt.Errorf("create pending cluster %s: %w", u.Pending, err)
	}
	u.say("  its1: %d ManagedClusters available, %s pending", len(wecs), u.Pending)
	return nil
}

func createClusterSet(ctx context.Context, its *controlPlane, name string) error {
	dyn, err := dynamic.NewForConfig(its.config)
	if err != nil {
		return err
	}
	set := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "cluster.open-cluster-management.io/v1beta2", "kind": "ManagedClusterSet",
		"metadata": map[string]any{"name": name},
		"spec":     map[string]any{"clusterSelector": map[string]any{"selectorType": "ExclusiveClusterSetLabel"}},
	}}
	gvr := schema.GroupVersionResource{Group: "cluster.open-cluster-management.io", Version: "v1beta2", Resource: "managedclustersets"}
	if _, err := dyn.Resource(gvr).Create(ctx, set, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create ManagedClusterSet %s: %w", name, err)
	}
	return nil
}

func clusterLabels(name string) map[string]string {
	return map[string]string{LocationGroupLabel: "edge", "name": name, clusterSetLabel: "default"}
}

// ensureNamespace creates ns on the cluster if it is missing.
func ensureNamespace(ctx context.Context, p *controlPlane, ns string) error {
	_, err := p.client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}

func registerWEC(ctx context.Context, its *controlPlane, clusters clusterclient.Interface, w *controlPlane) error {
	name := w.cluster.Name
	// The hub keeps one namespace per cluster (its "mailbox").
	if err := ensureNamespace(ctx, its, name); err != nil {
		return err
	}
	mc := &clusterv1.ManagedCluster{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: clusterLabels(name)},
		Spec: clusterv1.ManagedClusterSpec{HubAcceptsClient: true, LeaseDurationSeconds: 60,
			ManagedClusterClientConfigs: []clusterv1.ClientConfig{{URL: w.cluster.Server, CABundle: w.ca.CertPEM}}},
	}
	created, err := clusters.ClusterV1().ManagedClusters().Create(ctx, mc, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		created, err = clusters.ClusterV1().ManagedClusters().Get(ctx, name, metav1.GetOptions{})
	}
	if err != nil {
		return err
	}
	version, err := w.client.Discovery().ServerVersion()
	if err != nil {
		return err
	}
	nodes, err := w.client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	capacity, allocatable := clusterv1.ResourceList{}, clusterv1.ResourceList{}
	for _, n := range nodes.Items {
		addResources(capacity, n.Status.Capacity)
		addResources(allocatable, n.Status.Allocatable)
	}
	now := metav1.Now()
	created.Status = clusterv1.ManagedClusterStatus{
		Conditions: []metav1.Condition{
			{Type: clusterv1.ManagedClusterConditionHubAccepted, Status: metav1.ConditionTrue, Reason: "HubClusterAdminAccepted", Message: "Accepted by hub cluster admin", LastTransitionTime: now},
			{Type: clusterv1.ManagedClusterConditionJoined, Status: metav1.ConditionTrue, Reason: "ManagedClusterJoined", Message: "Managed cluster joined", LastTransitionTime: now},
			{Type: clusterv1.ManagedClusterConditionAvailable, Status: metav1.ConditionTrue, Reason: "ManagedClusterAvailable", Message: "Managed cluster is available", LastTransitionTime: now},
		},
		Capacity:    capacity,
		Allocatable: allocatable,
		Version:     clusterv1.ManagedClusterVersion{Kubernetes: version.GitVersion},
		ClusterClaims: []clusterv1.ManagedClusterClaim{
			{Name: "id.k8s.io", Value: name},
			{Name: "kubeversion.open-cluster-management.io", Value: version.GitVersion},
			{Name: "platform.open-cluster-management.io", Value: "Other"},
			{Name: "product.open-cluster-management.io", Value: "Other"},
		},
	}
	_, err = clusters.ClusterV1().ManagedClusters().UpdateStatus(ctx, created, metav1.UpdateOptions{})
	return err
}

// addResources adds the cpu, memory and pods of a node's list to sum.
func addResources(sum clusterv1.ResourceList, add corev1.ResourceList) {
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourcePods} {
		q, ok := add[name]
		if !ok {
			continue
		}
		total := sum[clusterv1.ResourceName(name)]
		if total.IsZero() {
			total = resource.Quantity{Format: q.Format}
		}
		total.Add(q)
		sum[clusterv1.ResourceName(name)] = total
	}
}

// createPending creates a ManagedCluster that joined but was never accepted,
// with the registration CSR its agent would have filed.
func createPending(ctx context.Context, its *controlPlane, clusters clusterclient.Interface, name string) error {
	mc := &clusterv1.ManagedCluster{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: clusterLabels(name)},
		Spec:       clusterv1.ManagedClusterSpec{HubAcceptsClient: false, LeaseDurationSeconds: 60},
	}
	if _, err := clusters.ClusterV1().ManagedClusters().Create(ctx, mc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	agent := "sandbox-agent"
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{
		CommonName:   "system:open-cluster-management:" + name + ":" + agent,
		Organization: []string{"system:open-cluster-management:" + name, "system:open-cluster-management:managed-clusters"},
	}}, key)
	if err != nil {
		return err
	}
	csr := &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{GenerateName: name + "-", Labels: map[string]string{
			clusterv1.ClusterNameLabelKey: name, "open-cluster-management.io/agent-name": agent}},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}),
			SignerName: certificatesv1.KubeAPIServerClientSignerName,
			Usages:     []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageKeyEncipherment, certificatesv1.UsageClientAuth},
		},
	}
	_, err = its.client.CertificatesV1().CertificateSigningRequests().Create(ctx, csr, metav1.CreateOptions{})
	return err
}
