package kube

import (
	"context"
	"fmt"
	"slices"
	"strings"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
)

// AcceptPlan is what accepting a WEC will do, as `clusteradm accept` does:
// approve its agent's pending registration CSRs and set hubAcceptsClient.
type AcceptPlan struct {
	Cluster string
	// Approve are the CSRs that will be approved.
	Approve []CSR
	// Skipped are pending CSRs that will not be, each with the reason.
	Skipped []string
	// SetAccepted says hubAcceptsClient will be set (it is false now).
	SetAccepted bool
}

// Noop reports whether there is nothing to do (the WEC is accepted and no
// CSR of its agent waits).
func (p AcceptPlan) Noop() bool { return len(p.Approve) == 0 && !p.SetAccepted }

// String says what the plan does, in one sentence.
func (p AcceptPlan) String() string {
	if p.Noop() {
		return p.Cluster + " is already accepted and no CSR of its agent waits"
	}
	var parts []string
	for _, c := range p.Approve {
		parts = append(parts, fmt.Sprintf("approve CSR %s (from %s, for %s)", c.Name, c.Requester, c.Identity))
	}
	if p.SetAccepted {
		parts = append(parts, "set hubAcceptsClient: true on ManagedCluster "+p.Cluster)
	}
	return strings.Join(parts, "; ")
}

// agentIdentityPrefix is how an OCM agent's identity on the hub starts:
// system:open-cluster-management:<cluster>:<agent>.
func agentIdentityPrefix(cluster string) string {
	return "system:open-cluster-management:" + cluster + ":"
}

// plausibleRequester reports whether a CSR for cluster was filed by an OCM
// agent: with a bootstrap token, with the hub's bootstrap service account
// (open-cluster-management's cluster-bootstrap or agent-registration-
// bootstrap), or by the cluster's own agent renewing its certificate.
func plausibleRequester(user, cluster string) bool {
	return strings.HasPrefix(user, "system:bootstrap:") ||
		strings.HasPrefix(user, "system:serviceaccount:open-cluster-management:") ||
		strings.HasPrefix(user, agentIdentityPrefix(cluster))
}

// planAccept decides what accepting cluster does: it approves only pending
// CSRs filed by an OCM agent that ask for that cluster's agent identity,
// and refuses when several agents ask to be that cluster.
func planAccept(mc *clusterv1.ManagedCluster, csrs []CSR) (AcceptPlan, error) {
	plan := AcceptPlan{Cluster: mc.Name, SetAccepted: !mc.Spec.HubAcceptsClient}
	var identities []string
	for _, c := range csrs {
		if c.State != "Pending" {
			continue
		}
		switch {
		case !plausibleRequester(c.Requester, mc.Name):
			plan.Skipped = append(plan.Skipped, fmt.Sprintf("%s: filed by %s, not by an OCM agent's bootstrap identity", c.Name, c.Requester))
		case c.Signer != certificatesv1.KubeAPIServerClientSignerName:
			plan.Skipped = append(plan.Skipped, fmt.Sprintf("%s: asks signer %s, not %s", c.Name, c.Signer, certificatesv1.KubeAPIServerClientSignerName))
		case !strings.HasPrefix(c.Identity, agentIdentityPrefix(mc.Name)):
			plan.Skipped = append(plan.Skipped, fmt.Sprintf("%s: asks for identity %q, not %s<agent>", c.Name, c.Identity, agentIdentityPrefix(mc.Name)))
		default:
			plan.Approve = append(plan.Approve, c)
			if !slices.Contains(identities, c.Identity) {
				identities = append(identities, c.Identity)
			}
		}
	}
	if len(identities) > 1 {
		return plan, fmt.Errorf("several agents ask to join as %s (%s): approve the right CSR with kubectl certificate approve NAME, then accept again",
			mc.Name, strings.Join(identities, ", "))
	}
	joined := condition(mc.Status.Conditions, clusterv1.ManagedClusterConditionJoined)
	if len(plan.Approve) == 0 && plan.SetAccepted && (joined == nil || joined.Status != metav1.ConditionTrue) {
		why := "no registration CSR from its agent waits: is the agent running on the WEC (clusteradm join)?"
		if len(plan.Skipped) > 0 {
			why = "no CSR can be approved safely: " + strings.Join(plan.Skipped, "; ") +
				" (if you trust it, approve it with kubectl certificate approve NAME, then accept again)"
		}
		return plan, fmt.Errorf("cannot accept %s: %s", mc.Name, why)
	}
	return plan, nil
}

// PlanAccept says what Accept would do to a WEC now.
func (f *Fleet) PlanAccept(ctx context.Context, cluster string) (AcceptPlan, error) {
	kc, oc, err := f.itsClients()
	if err != nil {
		return AcceptPlan{}, err
	}
	return readAcceptPlan(ctx, kc, oc, cluster)
}

func readAcceptPlan(ctx context.Context, kc kubernetes.Interface, oc clusterclient.Interface, cluster string) (AcceptPlan, error) {
	mc, err := oc.ClusterV1().ManagedClusters().Get(ctx, cluster, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return AcceptPlan{}, fmt.Errorf("the ITS has no ManagedCluster %q: its agent has not asked to join yet", cluster)
	}
	if err != nil {
		return AcceptPlan{}, fmt.Errorf("read ManagedCluster %s: %s", cluster, errorText(err))
	}
	list, err := registrationCSRs(ctx, kc, cluster)
	if err != nil {
		return AcceptPlan{}, fmt.Errorf("list the registration CSRs of %s: %s", cluster, errorText(err))
	}
	csrs := make([]CSR, len(list))
	for i := range list {
		csrs[i] = toCSR(&list[i])
	}
	return planAccept(mc, csrs)
}

// Accept accepts a WEC as `clusteradm accept` does: it approves the pending
// registration CSRs its agent filed (see planAccept for the checks) and sets
// hubAcceptsClient on its ManagedCluster. The agent then gets its
// certificate and the ITS reports the WEC Joined and Available. It returns
// what it did.
func (f *Fleet) Accept(ctx context.Context, cluster string) (AcceptPlan, error) {
	kc, oc, err := f.itsClients()
	if err != nil {
		return AcceptPlan{}, err
	}
	return accept(ctx, kc, oc, cluster)
}

func accept(ctx context.Context, kc kubernetes.Interface, oc clusterclient.Interface, cluster string) (AcceptPlan, error) {
	plan, err := readAcceptPlan(ctx, kc, oc, cluster)
	if err != nil {
		return plan, err
	}
	for _, c := range plan.Approve {
		csr, err := kc.CertificatesV1().CertificateSigningRequests().Get(ctx, c.Name, metav1.GetOptions{})
		if err != nil {
			return plan, fmt.Errorf("read CSR %s: %s", c.Name, errorText(err))
		}
		csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
			Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "AcceptedWithWecs",
			Message: "wecs accepted " + cluster + " (as clusteradm accept does)", LastUpdateTime: metav1.Now()})
		if _, err := kc.CertificatesV1().CertificateSigningRequests().UpdateApproval(ctx, c.Name, csr, metav1.UpdateOptions{}); err != nil {
			return plan, fmt.Errorf("approve CSR %s of %s: %s (approving needs update on certificatesigningrequests/approval and approve on the signer %s)",
				c.Name, cluster, errorText(err), c.Signer)
		}
	}
	if plan.SetAccepted {
		patch := []byte(`{"spec":{"hubAcceptsClient":true}}`)
		if _, err := oc.ClusterV1().ManagedClusters().Patch(ctx, cluster, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			return plan, fmt.Errorf("set hubAcceptsClient on %s: %s", cluster, errorText(err))
		}
	}
	return plan, nil
}
