package sandbox

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
)

// The ITS is set up as `clusteradm init` sets up a hub: the registration
// controller runs against it, and WECs join with the token of a bootstrap
// service account.
const (
	// LocationGroupLabel is one of the labels the KubeStellar docs put on a
	// WEC's ManagedCluster (with name=<cluster>).
	LocationGroupLabel      = "location-group"
	bootstrapNamespace      = "open-cluster-management"
	bootstrapServiceAccount = "cluster-bootstrap"
	bootstrapClusterRole    = "open-cluster-management:bootstrap"
	// BootstrapUser is the identity a WEC's agent joins the ITS with, and
	// files its registration CSR as.
	BootstrapUser = "system:serviceaccount:" + bootstrapNamespace + ":" + bootstrapServiceAccount
	// LeaseDurationSeconds is the lease of every ManagedCluster: the hub
	// marks a WEC Available=Unknown 5 leases after its agent last renewed.
	LeaseDurationSeconds = 5
	// CustomizationNamespace holds one ConfigMap of properties per WEC.
	CustomizationNamespace = "customization-properties"
	registrationController = "registration-controller"
	bootstrapTokenLifetime = 365 * 24 * time.Hour
)

// startHub runs OCM's registration controller against the ITS and creates
// the bootstrap identity agents join with.
func (u *upper) startHub(ctx context.Context, its *controlPlane) error {
	port := u.ports.next()
	if err := u.ports.err(); err != nil {
		return err
	}
	hub := &Component{Name: its.cluster.Name + "/" + registrationController, Binary: u.bins.OCMRegistration, Port: port, Env: u.tmpEnv(),
		Args: []string{"controller", "--kubeconfig=" + its.cluster.Kubeconfig, "--disable-leader-election",
			"--listen=127.0.0.1:" + strconv.Itoa(port)}}
	if err := u.launch(hub); err != nil {
		return err
	}
	token, err := createBootstrapToken(ctx, its)
	if err != nil {
		return fmt.Errorf("%s: create the bootstrap identity: %w", its.cluster.Name, err)
	}
	u.bootstrapToken = token
	return waitHealthy(ctx, hub)
}

// tmpEnv points a component's temporary files (the self-signed serving
// certificates of OCM's commands) into the sandbox directory.
func (u *upper) tmpEnv() []string {
	return []string{"TMPDIR=" + filepath.Join(u.Dir, "tmp")}
}

// createBootstrapToken creates the bootstrap service account with the
// permissions an agent needs to join (file a CSR, create its ManagedCluster)
// and returns a token for it.
func createBootstrapToken(ctx context.Context, its *controlPlane) (string, error) {
	if err := ensureNamespace(ctx, its, bootstrapNamespace); err != nil {
		return "", err
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: bootstrapServiceAccount}}
	if _, err := its.client.CoreV1().ServiceAccounts(bootstrapNamespace).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", err
	}
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: bootstrapClusterRole}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{"certificates.k8s.io"}, Resources: []string{"certificatesigningrequests"}, Verbs: []string{"create", "get", "list", "watch"}},
		{APIGroups: []string{clusterv1.GroupName}, Resources: []string{"managedclusters"}, Verbs: []string{"create", "get", "list", "watch"}},
		{APIGroups: []string{clusterv1.GroupName}, Resources: []string{"managedclustersets/join"}, Verbs: []string{"create"}},
	}}
	if _, err := its.client.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", err
	}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: bootstrapClusterRole},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: bootstrapClusterRole},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: bootstrapServiceAccount, Namespace: bootstrapNamespace}}}
	if _, err := its.client.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", err
	}
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(bootstrapTokenLifetime.Seconds()))}}
	tr, err := its.client.CoreV1().ServiceAccounts(bootstrapNamespace).CreateToken(ctx, bootstrapServiceAccount, req, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	return tr.Status.Token, nil
}

// writeBootstrapKubeconfig writes the kubeconfig `clusteradm join` hands an
// agent: the ITS's address and CA and the bootstrap token.
func writeBootstrapKubeconfig(path string, its *controlPlane, token string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["hub"] = &clientcmdapi.Cluster{Server: its.cluster.Server, CertificateAuthorityData: its.ca.CertPEM}
	cfg.AuthInfos["bootstrap"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["bootstrap"] = &clientcmdapi.Context{Cluster: "hub", AuthInfo: "bootstrap"}
	cfg.CurrentContext = "bootstrap"
	return clientcmd.WriteToFile(*cfg, path)
}

// ensureNamespace creates ns on the cluster if it is missing.
func ensureNamespace(ctx context.Context, p *controlPlane, ns string) error {
	_, err := p.client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}

// registrationCSRs lists the cluster's registration CSRs that are neither
// approved nor denied.
func registrationCSRs(ctx context.Context, kc kubernetes.Interface, cluster string) ([]certificatesv1.CertificateSigningRequest, error) {
	list, err := kc.CertificatesV1().CertificateSigningRequests().List(ctx, metav1.ListOptions{LabelSelector: clusterv1.ClusterNameLabelKey + "=" + cluster})
	if err != nil {
		return nil, err
	}
	var pending []certificatesv1.CertificateSigningRequest
	for _, csr := range list.Items {
		if len(csr.Status.Conditions) == 0 {
			pending = append(pending, csr)
		}
	}
	return pending, nil
}

// labelManagedCluster labels a joined WEC's ManagedCluster as the KubeStellar
// docs do, with whether monitoring-policy selects it, and shortens its lease.
func labelManagedCluster(ctx context.Context, oc clusterclient.Interface, cluster string) error {
	monitoring := "disabled"
	if n, _ := strconv.Atoi(strings.TrimPrefix(cluster, "cluster")); n%2 == 1 {
		monitoring = "enabled"
	}
	patch := fmt.Sprintf(`{"metadata":{"labels":{%q:"edge","name":%q,%q:%q}},"spec":{"leaseDurationSeconds":%d}}`,
		LocationGroupLabel, cluster, MonitoringLabel, monitoring, LeaseDurationSeconds)
	_, err := oc.ClusterV1().ManagedClusters().Patch(ctx, cluster, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}

// Accept accepts a WEC that joined the ITS, as `clusteradm accept` does: it
// approves the registration CSRs its agent filed with the bootstrap identity
// and sets hubAcceptsClient on its ManagedCluster. The agent then gets its
// certificate and reports the cluster Joined and Available.
func (s *State) Accept(ctx context.Context, cluster string) error {
	kc, oc, err := s.itsClients()
	if err != nil {
		return err
	}
	return accept(ctx, kc, oc, cluster)
}

func accept(ctx context.Context, kc kubernetes.Interface, oc clusterclient.Interface, cluster string) error {
	mc, err := oc.ClusterV1().ManagedClusters().Get(ctx, cluster, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("no ManagedCluster %s on the ITS: its agent has not joined", cluster)
	}
	if err != nil {
		return err
	}
	csrs, err := registrationCSRs(ctx, kc, cluster)
	if err != nil {
		return err
	}
	approved := 0
	for _, csr := range csrs {
		if csr.Spec.Username != BootstrapUser {
			continue
		}
		csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
			Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue,
			Reason: "AcceptedBySandbox", Message: "the sandbox accepted " + cluster + " as clusteradm accept does"})
		if _, err := kc.CertificatesV1().CertificateSigningRequests().UpdateApproval(ctx, csr.Name, &csr, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("approve CSR %s of %s: %w", csr.Name, cluster, err)
		}
		approved++
	}
	joined := conditionIs(mc.Status.Conditions, clusterv1.ManagedClusterConditionJoined, metav1.ConditionTrue)
	if approved == 0 && !joined {
		return fmt.Errorf("%s has no pending registration CSR from %s to approve; is its agent running?", cluster, BootstrapUser)
	}
	if mc.Spec.HubAcceptsClient {
		return nil
	}
	_, err = oc.ClusterV1().ManagedClusters().Patch(ctx, cluster, types.MergePatchType, []byte(`{"spec":{"hubAcceptsClient":true}}`), metav1.PatchOptions{})
	return err
}

// WaitAvailable waits until the ITS reports the WEC Joined and Available,
// as its agent tells it.
func (s *State) WaitAvailable(ctx context.Context, cluster string, timeout time.Duration) error {
	_, oc, err := s.itsClients()
	if err != nil {
		return err
	}
	return waitAvailable(ctx, oc, cluster, timeout)
}

func waitAvailable(ctx context.Context, oc clusterclient.Interface, cluster string, timeout time.Duration) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		mc, err := oc.ClusterV1().ManagedClusters().Get(ctx, cluster, metav1.GetOptions{})
		if err != nil {
			last = err
			return false, nil
		}
		for _, typ := range []string{clusterv1.ManagedClusterConditionJoined, clusterv1.ManagedClusterConditionAvailable} {
			if !conditionIs(mc.Status.Conditions, typ, metav1.ConditionTrue) {
				last = fmt.Errorf("%s is not %s yet", cluster, typ)
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("%s not Available after %s (%v); see the log of %s", cluster, timeout, last, AgentComponent(cluster))
	}
	return nil
}

func conditionIs(conds []metav1.Condition, typ string, status metav1.ConditionStatus) bool {
	for _, c := range conds {
		if c.Type == typ {
			return c.Status == status
		}
	}
	return false
}

// itsClients are clients of the sandbox's ITS.
func (s *State) itsClients() (kubernetes.Interface, clusterclient.Interface, error) {
	for _, c := range s.Clusters {
		if !c.ITS {
			continue
		}
		cfg, err := s.RESTConfig(c.Name)
		if err != nil {
			return nil, nil, err
		}
		kc, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			return nil, nil, err
		}
		oc, err := clusterclient.NewForConfig(cfg)
		return kc, oc, err
	}
	return nil, nil, errors.New("the sandbox has no ITS")
}

// customizationProperties are the per-WEC properties KubeStellar users keep
// in ConfigMaps of the ITS, by WEC number.
func customizationProperties(cluster string, n int) map[string]string {
	regions := []string{"us-east", "eu-west", "ap-south"}
	region := regions[(n-1)%len(regions)]
	tier := "standard"
	if n%2 == 1 {
		tier = "premium"
	}
	return map[string]string{"clusterURL": "https://clusters.example.com/" + cluster, "region": region, "zone": region + "-1a", "tier": tier}
}

// seedCustomizationProperties creates one ConfigMap per WEC (named after it)
// in the ITS's customization-properties namespace.
func seedCustomizationProperties(ctx context.Context, its *controlPlane, wecs []string) error {
	if err := ensureNamespace(ctx, its, CustomizationNamespace); err != nil {
		return err
	}
	for i, name := range wecs {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: customizationProperties(name, i+1)}
		if _, err := its.client.CoreV1().ConfigMaps(CustomizationNamespace).Create(ctx, cm, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create customization properties of %s: %w", name, err)
		}
	}
	return nil
}
