package sandbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Users with limited rights, for seeing what wecs shows them. Both may read
// the ITS's ManagedClusters.
const (
	// ShopViewer may get, list and watch pods (and their logs) and
	// Deployments in namespace shop of each WEC, and nothing else there.
	// Its contexts name namespace shop.
	ShopViewer = "shop-viewer"
	// PodViewer may get, list and watch pods (and their logs) and Services
	// in every namespace of each WEC, and no other kind.
	PodViewer = "pod-viewer"
)

// usersNamespace is where ShopViewer may read.
const usersNamespace = nsShop

// UserKubeconfig is the kubeconfig of a limited user (ShopViewer or
// PodViewer): a context per cluster, named as in the sandbox's kubeconfig.
func (s *State) UserKubeconfig(user string) string {
	return filepath.Join(s.Dir, "users", user+".kubeconfig")
}

// EnsureUsers creates the limited users' RBAC objects on every cluster and
// writes their kubeconfigs, with client certificates from each cluster's
// CA; it returns once the clusters grant the new rights. It can run again.
func (s *State) EnsureUsers(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Join(s.Dir, "users"), 0o755); err != nil {
		return err
	}
	configs := map[string]*clientcmdapi.Config{ShopViewer: clientcmdapi.NewConfig(), PodViewer: clientcmdapi.NewConfig()}
	for _, c := range s.Clusters {
		ca, err := loadCA(filepath.Dir(c.CAFile))
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		cfg, err := s.RESTConfig(c.Name)
		if err != nil {
			return err
		}
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			return err
		}
		// The pending WEC runs no workloads: the users get no rights there.
		if c.Name != s.Pending {
			if err := grantUsers(ctx, cs, c.ITS); err != nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
		}
		for user, kc := range configs {
			cert, err := ca.issue(certRequest{commonName: user, client: true})
			if err != nil {
				return err
			}
			kc.Clusters[c.Name] = &clientcmdapi.Cluster{Server: c.Server, CertificateAuthorityData: ca.CertPEM}
			kc.AuthInfos[c.Name+"-"+user] = &clientcmdapi.AuthInfo{ClientCertificateData: cert.CertPEM, ClientKeyData: cert.KeyPEM}
			kc.Contexts[c.Name] = &clientcmdapi.Context{Cluster: c.Name, AuthInfo: c.Name + "-" + user}
			if user == ShopViewer && !c.ITS {
				kc.Contexts[c.Name].Namespace = usersNamespace
			}
		}
	}
	for user, kc := range configs {
		kc.CurrentContext = "its1"
		if err := clientcmd.WriteToFile(*kc, s.UserKubeconfig(user)); err != nil {
			return err
		}
	}
	return s.waitUsersGranted(ctx)
}

// loadCA reads a cluster's CA certificate and key from its directory.
func loadCA(dir string) (*keyPair, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, "ca.key"))
	if err != nil {
		return nil, err
	}
	certBlock, _ := pem.Decode(certPEM)
	keyBlock, _ := pem.Decode(keyPEM)
	if certBlock == nil || keyBlock == nil {
		return nil, errors.New("ca.crt or ca.key holds no PEM block")
	}
	cert, err := x509.ParseCertificate(certBlock.Bytes)
	if err != nil {
		return nil, err
	}
	var key *ecdsa.PrivateKey
	if key, err = x509.ParseECPrivateKey(keyBlock.Bytes); err != nil {
		return nil, err
	}
	return &keyPair{cert: cert, key: key, CertPEM: certPEM, KeyPEM: keyPEM}, nil
}

var readVerbs = []string{"get", "list", "watch"}

// grantUsers creates the users' roles and bindings on one cluster.
func grantUsers(ctx context.Context, cs kubernetes.Interface, its bool) error {
	subject := func(user string) []rbacv1.Subject {
		return []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}}
	}
	if its {
		role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "sandbox-managedcluster-reader"},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{"cluster.open-cluster-management.io"}, Resources: []string{"managedclusters"}, Verbs: readVerbs}}}
		return createRBAC(ctx, cs, role, nil, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: role.Name},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name}, Subjects: append(subject(ShopViewer), subject(PodViewer)...)})
	}
	shop := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: ShopViewer, Namespace: usersNamespace}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods", "pods/log"}, Verbs: readVerbs},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: readVerbs},
	}}
	shopBinding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: ShopViewer, Namespace: usersNamespace},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: ShopViewer}, Subjects: subject(ShopViewer)}
	if err := createRBAC(ctx, cs, nil, shop, shopBinding); err != nil {
		return err
	}
	pods := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: PodViewer}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods", "pods/log", "services"}, Verbs: readVerbs},
	}}
	return createRBAC(ctx, cs, pods, nil, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: PodViewer},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: PodViewer}, Subjects: subject(PodViewer)})
}

// createRBAC creates a role (cluster-wide or namespaced) and its binding,
// leaving those that exist.
func createRBAC(ctx context.Context, cs kubernetes.Interface, clusterRole *rbacv1.ClusterRole, role *rbacv1.Role, binding any) error {
	var errs []error
	if clusterRole != nil {
		_, err := cs.RbacV1().ClusterRoles().Create(ctx, clusterRole, metav1.CreateOptions{})
		errs = append(errs, err)
	}
	if role != nil {
		_, err := cs.RbacV1().Roles(role.Namespace).Create(ctx, role, metav1.CreateOptions{})
		errs = append(errs, err)
	}
	switch b := binding.(type) {
	case *rbacv1.ClusterRoleBinding:
		_, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, b, metav1.CreateOptions{})
		errs = append(errs, err)
	case *rbacv1.RoleBinding:
		_, err := cs.RbacV1().RoleBindings(b.Namespace).Create(ctx, b, metav1.CreateOptions{})
		errs = append(errs, err)
	}
	for _, err := range errs {
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}

// waitUsersGranted waits until each WEC lets the users list what they may
// (an API server's authorizer learns of new bindings a moment later).
func (s *State) waitUsersGranted(ctx context.Context) error {
	for _, user := range []string{ShopViewer, PodViewer} {
		kc, err := clientcmd.LoadFromFile(s.UserKubeconfig(user))
		if err != nil {
			return err
		}
		for _, c := range s.Clusters {
			if c.ITS || c.Name == s.Pending {
				continue
			}
			cfg, err := clientcmd.NewDefaultClientConfig(*kc, &clientcmd.ConfigOverrides{CurrentContext: c.Name}).ClientConfig()
			if err != nil {
				return err
			}
			cs, err := kubernetes.NewForConfig(cfg)
			if err != nil {
				return err
			}
			err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
				_, err := cs.CoreV1().Pods(usersNamespace).List(ctx, metav1.ListOptions{Limit: 1})
				return err == nil, nil
			})
			if err != nil {
				return fmt.Errorf("%s: %s may not list pods in %s yet: %w", c.Name, user, usersNamespace, err)
			}
		}
	}
	return nil
}
