package sandbox

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// FleetOperator is a hub user who holds only the ITS's kubeconfig and
// reaches the WECs through the cluster-proxy add-on. On the ITS it may read
// ManagedClusters, their add-ons, ManifestWorks and the proxy's
// configuration, the proxy's client certificate and CA, and in each WEC's
// namespace the token of its managed service account; it is not a cluster
// admin there.
const FleetOperator = "fleet-operator"

// ManagedServiceAccount names the service account that holds the fleet
// operator's rights on each WEC (in ClusterProxyAgentNamespace, bound to
// cluster-admin) and the secret in the WEC's namespace on the ITS that holds
// its token and the WEC's CA, as OCM's managed-serviceaccount add-on keeps
// them.
const ManagedServiceAccount = "wecs"

// ITSOnlyKubeconfig is the fleet operator's kubeconfig: one context, its1.
func (s *State) ITSOnlyKubeconfig() string {
	return filepath.Join(s.Dir, "users", FleetOperator+".kubeconfig")
}

// fleetOperatorHubRules are the fleet operator's cluster-wide rights on the ITS.
var fleetOperatorHubRules = []rbacv1.PolicyRule{
	{APIGroups: []string{"cluster.open-cluster-management.io"}, Resources: []string{"managedclusters"}, Verbs: readVerbs},
	{APIGroups: []string{"addon.open-cluster-management.io"}, Resources: []string{"managedclusteraddons", "clustermanagementaddons"}, Verbs: readVerbs},
	{APIGroups: []string{"proxy.open-cluster-management.io"}, Resources: []string{"managedproxyconfigurations"}, Verbs: readVerbs},
	{APIGroups: []string{"work.open-cluster-management.io"}, Resources: []string{"manifestworks"}, Verbs: readVerbs},
}

// writeFleetOperator grants the fleet operator its rights on the ITS and
// writes its kubeconfig, with a client certificate from the ITS's CA.
func (u *upper) writeFleetOperator(ctx context.Context, its *controlPlane) error {
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "wecs-" + FleetOperator}, Rules: fleetOperatorHubRules}
	subjects := []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: FleetOperator}}
	if err := createRBAC(ctx, its.client, role, nil, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: role.Name},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name}, Subjects: subjects}); err != nil {
		return err
	}
	secrets := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "wecs-" + FleetOperator, Namespace: ClusterProxyNamespace}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}, ResourceNames: []string{ProxyClientSecret, ProxyCASecret}}}}
	if err := createRBAC(ctx, its.client, nil, secrets, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: secrets.Name, Namespace: secrets.Namespace},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: secrets.Name}, Subjects: subjects}); err != nil {
		return err
	}
	cert, err := its.ca.issue(certRequest{commonName: FleetOperator, client: true})
	if err != nil {
		return err
	}
	kc := clientcmdapi.NewConfig()
	name := its.cluster.Name
	kc.Clusters[name] = &clientcmdapi.Cluster{Server: its.cluster.Server, CertificateAuthorityData: its.ca.CertPEM}
	kc.AuthInfos[FleetOperator] = &clientcmdapi.AuthInfo{ClientCertificateData: cert.CertPEM, ClientKeyData: cert.KeyPEM}
	kc.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: FleetOperator}
	kc.CurrentContext = name
	return clientcmd.WriteToFile(*kc, u.ITSOnlyKubeconfig())
}

// createManagedServiceAccount makes what the managed-serviceaccount add-on
// makes for one WEC: a service account there, and on the ITS a secret with
// its token and the WEC's CA that the fleet operator may read.
func createManagedServiceAccount(ctx context.Context, its, p *controlPlane) error {
	name := p.cluster.Name
	if err := ensureNamespace(ctx, p, ClusterProxyAgentNamespace); err != nil {
		return err
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: ManagedServiceAccount, Namespace: ClusterProxyAgentNamespace}}
	if _, err := p.client.CoreV1().ServiceAccounts(ClusterProxyAgentNamespace).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	admin := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "wecs-managed-serviceaccount"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: ManagedServiceAccount, Namespace: ClusterProxyAgentNamespace}}}
	if err := createRBAC(ctx, p.client, nil, nil, admin); err != nil {
		return err
	}
	expiry := int64((365 * 24 * time.Hour).Seconds())
	token, err := p.client.CoreV1().ServiceAccounts(ClusterProxyAgentNamespace).CreateToken(ctx, ManagedServiceAccount,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expiry}}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("%s: token of service account %s: %w", name, ManagedServiceAccount, err)
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: ManagedServiceAccount, Namespace: name,
		Labels: map[string]string{"authentication.open-cluster-management.io/is-managed-serviceaccount": "true"}},
		Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"token": []byte(token.Status.Token), "ca.crt": p.ca.CertPEM}}
	if _, err := its.client.CoreV1().Secrets(name).Create(ctx, secret, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	read := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "wecs-" + FleetOperator, Namespace: name}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}, ResourceNames: []string{ManagedServiceAccount}}}}
	return createRBAC(ctx, its.client, nil, read, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: read.Name, Namespace: name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: read.Name},
		Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: FleetOperator}}})
}
