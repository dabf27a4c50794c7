package sandbox

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterv1alpha1 "open-cluster-management.io/api/cluster/v1alpha1"
)

// A WEC joins the ITS as `clusteradm join --singleton` makes it: one
// klusterlet agent process runs OCM's registration agent and, once the WEC
// is accepted, its work agent. The sandbox runs it out of cluster with the
// WEC's admin kubeconfig.
const (
	klusterletAgent = "klusterlet-agent"
	// agentNamespace holds the agent's hub kubeconfig secret on the WEC.
	agentNamespace = "open-cluster-management-agent"
)

// AgentComponent names the klusterlet agent component of a WEC, for
// StopComponent and StartComponent.
func AgentComponent(cluster string) string { return cluster + "/" + klusterletAgent }

// join starts the WEC's klusterlet agent with a bootstrap kubeconfig for
// the ITS and waits until the agent has asked to join (its ManagedCluster and
// registration CSR are both on the ITS), then labels the ManagedCluster.
func (u *upper) join(ctx context.Context, its, p *controlPlane, oc clusterclient.Interface) error {
	name := p.cluster.Name
	if err := createClusterClaims(ctx, p); err != nil {
		return fmt.Errorf("%s: create cluster claims: %w", name, err)
	}
	if err := ensureNamespace(ctx, p, agentNamespace); err != nil {
		return err
	}
	bootstrap := filepath.Join(p.dir, "bootstrap-hub-kubeconfig")
	if err := writeBootstrapKubeconfig(bootstrap, its, u.bootstrapToken); err != nil {
		return err
	}
	hubDir := filepath.Join(p.dir, "hub-kubeconfig")
	port := u.ports.next()
	if err := u.ports.err(); err != nil {
		return err
	}
	agent := &Component{Name: AgentComponent(name), Binary: u.bins.KlusterletAgent, Port: port, Env: u.tmpEnv(), Args: []string{
		"agent", "--kubeconfig=" + p.cluster.Kubeconfig, "--spoke-cluster-name=" + name,
		"--bootstrap-kubeconfig=" + bootstrap, "--hub-kubeconfig-dir=" + hubDir,
		"--workload-source-config=" + filepath.Join(hubDir, "kubeconfig"),
		"--namespace=" + agentNamespace, "--spoke-external-server-urls=" + p.cluster.Server,
		"--disable-leader-election", "--listen=127.0.0.1:" + strconv.Itoa(port),
		// The sandbox runs no add-ons.
		"--feature-gates=AddonManagement=false",
	}}
	if err := u.launch(agent); err != nil {
		return err
	}
	// The agent files its CSR and creates its ManagedCluster from two
	// controllers, in either order.
	if err := agent.waitFor(ctx, readyWithin, "asking to join the ITS", func(ctx context.Context) error {
		if _, err := oc.ClusterV1().ManagedClusters().Get(ctx, name, metav1.GetOptions{}); err != nil {
			return fmt.Errorf("no ManagedCluster %s yet: %w", name, err)
		}
		csrs, err := registrationCSRs(ctx, its.client, name)
		if err != nil {
			return err
		}
		for _, csr := range csrs {
			if csr.Spec.Username == BootstrapUser {
				return nil
			}
		}
		return fmt.Errorf("no registration CSR from %s for %s", BootstrapUser, name)
	}); err != nil {
		return err
	}
	return labelManagedCluster(ctx, oc, name)
}

// createClusterClaims creates the ClusterClaims a cluster admin (or a claims
// controller) keeps on a WEC; its agent reports them on the ManagedCluster.
func createClusterClaims(ctx context.Context, p *controlPlane) error {
	version, err := p.client.Discovery().ServerVersion()
	if err != nil {
		return err
	}
	claims, err := clusterclient.NewForConfig(p.config)
	if err != nil {
		return err
	}
	for name, value := range map[string]string{
		"id.k8s.io":                              p.cluster.Name,
		"kubeversion.open-cluster-management.io": version.GitVersion,
		"platform.open-cluster-management.io":    "Other",
		"product.open-cluster-management.io":     "Other",
	} {
		claim := &clusterv1alpha1.ClusterClaim{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: clusterv1alpha1.ClusterClaimSpec{Value: value}}
		if _, err := claims.ClusterV1alpha1().ClusterClaims().Create(ctx, claim, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}
