package sandbox

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	addonv1alpha1 "open-cluster-management.io/api/addon/v1alpha1"
	addonclient "open-cluster-management.io/api/client/addon/clientset/versioned"
)

// The ITS runs OCM's cluster-proxy add-on as its add-on manager would deploy
// it: apiserver-network-proxy's server on the hub, in gRPC mode with the
// destHost strategy, and on each accepted WEC its agent, which dials out to
// the server and carries connections to the WEC's API server. Clients reach
// a WEC through the server's client port, dialling "<cluster>:443".
const (
	// ClusterProxyAddon names the add-on, its ClusterManagementAddOn,
	// ManagedClusterAddOns and ManagedProxyConfiguration.
	ClusterProxyAddon = "cluster-proxy"
	// ClusterProxyNamespace holds the proxy server's secrets on the ITS.
	ClusterProxyNamespace = "open-cluster-management-cluster-proxy"
	// ClusterProxyAgentNamespace is the add-on's install namespace on a WEC.
	ClusterProxyAgentNamespace = "open-cluster-management-agent-addon"
	// ProxyClientSecret holds the client certificate (tls.crt, tls.key) a
	// user presents to the proxy server; ProxyCASecret the CA (ca.crt) its
	// serving certificate is signed by.
	ProxyClientSecret = "proxy-client"
	ProxyCASecret     = "proxy-server-ca"
	proxyServer       = "proxy-server"
	proxyAgent        = "proxy-agent"
	// serviceForwarder plays kube-proxy for each WEC's `kubernetes` Service:
	// the address the proxy agent reaches the API server at.
	serviceForwarder = "service-forwarder"
)

// ProxyAgentComponent names a WEC's proxy agent, for StopComponent and
// StartComponent: stopping it is a tunnel outage.
func ProxyAgentComponent(cluster string) string { return cluster + "/" + proxyAgent }

// ManagedProxyConfigurationResource is the cluster-proxy add-on's
// configuration kind on the ITS.
var ManagedProxyConfigurationResource = schema.GroupVersionResource{Group: "proxy.open-cluster-management.io", Version: "v1alpha1", Resource: "managedproxyconfigurations"}

// serviceIP is the address of the `kubernetes` Service of the WEC whose
// API server listens on apiPort: one loopback address per WEC, so that
// every agent reaches its own API server on port 443 as a pod would, and
// sandboxes running side by side (their ports differ) do not collide.
func serviceIP(apiPort int) string { return fmt.Sprintf("127.%d.%d.1", apiPort>>8, apiPort&0xff) }

// clusterProxy is the add-on's shared state while Up starts it.
type clusterProxy struct {
	ca                                *keyPair
	agentPort                         int
	serverPort, healthPort, adminPort int
	dir                               string
}

// startClusterProxy issues the add-on's certificates, starts the proxy
// server, and creates on the ITS what the add-on manager would: the
// configuration, the ClusterManagementAddOn and the secrets users need.
func (u *upper) startClusterProxy(ctx context.Context, its *controlPlane) error {
	cp := &clusterProxy{dir: filepath.Join(its.dir, ClusterProxyAddon),
		serverPort: u.ports.next(), agentPort: u.ports.next(), healthPort: u.ports.next(), adminPort: u.ports.next()}
	if err := u.ports.err(); err != nil {
		return err
	}
	if err := os.MkdirAll(cp.dir, 0o755); err != nil {
		return err
	}
	var err error
	if cp.ca, err = newCA("cluster-proxy-ca"); err != nil {
		return err
	}
	files := map[string]string{}
	pairs := map[string]certRequest{
		"proxy-server": {commonName: "proxy-server", server: true},
		"agent-server": {commonName: "agent-server", server: true},
		"proxy-client": {commonName: "proxy-client", client: true},
	}
	secrets := map[string]map[string][]byte{ProxyCASecret: {"ca.crt": cp.ca.CertPEM}}
	for name, req := range pairs {
		kp, err := cp.ca.issue(req)
		if err != nil {
			return err
		}
		if files[name+".crt"], files[name+".key"], err = kp.write(cp.dir, name); err != nil {
			return err
		}
		secrets[name] = map[string][]byte{"tls.crt": kp.CertPEM, "tls.key": kp.KeyPEM, "ca.crt": cp.ca.CertPEM}
	}
	caFile, _, err := cp.ca.write(cp.dir, "ca")
	if err != nil {
		return err
	}
	u.proxy = cp
	server := &Component{Name: its.cluster.Name + "/" + proxyServer, Binary: u.bins.ProxyServer, Port: cp.serverPort, Args: []string{
		"--server-count=1", "--proxy-strategies=destHost",
		"--server-ca-cert=" + caFile, "--server-cert=" + files["proxy-server.crt"], "--server-key=" + files["proxy-server.key"],
		"--cluster-ca-cert=" + caFile, "--cluster-cert=" + files["agent-server.crt"], "--cluster-key=" + files["agent-server.key"],
		"--server-bind-address=127.0.0.1", "--server-port=" + strconv.Itoa(cp.serverPort),
		"--agent-bind-address=127.0.0.1", "--agent-port=" + strconv.Itoa(cp.agentPort),
		"--health-bind-address=127.0.0.1", "--health-port=" + strconv.Itoa(cp.healthPort),
		"--admin-port=" + strconv.Itoa(cp.adminPort),
	}}
	if err := u.launch(server); err != nil {
		return err
	}
	if err := u.installCRDs(ctx, its, u.bins.ProxyCRDs); err != nil {
		return err
	}
	if err := ensureNamespace(ctx, its, ClusterProxyNamespace); err != nil {
		return err
	}
	for name, data := range secrets {
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ClusterProxyNamespace}, Type: corev1.SecretTypeOpaque, Data: data}
		if _, err := its.client.CoreV1().Secrets(ClusterProxyNamespace).Create(ctx, secret, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	if err := createProxyConfiguration(ctx, its, cp); err != nil {
		return err
	}
	addons, err := addonclient.NewForConfig(its.config)
	if err != nil {
		return err
	}
	cma := &addonv1alpha1.ClusterManagementAddOn{ObjectMeta: metav1.ObjectMeta{Name: ClusterProxyAddon},
		Spec: addonv1alpha1.ClusterManagementAddOnSpec{
			AddOnMeta:       addonv1alpha1.AddOnMeta{DisplayName: "cluster-proxy", Description: "cluster-proxy"},
			InstallStrategy: addonv1alpha1.InstallStrategy{Type: addonv1alpha1.AddonInstallStrategyManual},
			SupportedConfigs: []addonv1alpha1.ConfigMeta{{ConfigGroupResource: addonv1alpha1.ConfigGroupResource{
				Group: ManagedProxyConfigurationResource.Group, Resource: ManagedProxyConfigurationResource.Resource},
				DefaultConfig: &addonv1alpha1.ConfigReferent{Name: ClusterProxyAddon}}},
		}}
	if _, err := addons.AddonV1alpha1().ClusterManagementAddOns().Create(ctx, cma, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return waitHTTP(ctx, server, cp.healthPort, "/healthz")
}

// waitHTTP waits for a plain-HTTP health path of a component to answer 200.
func waitHTTP(ctx context.Context, c *Component, port int, path string) error {
	return c.waitFor(ctx, readyWithin, "ready", func(ctx context.Context) error {
		return httpOK(ctx, http.DefaultClient, "http://127.0.0.1:"+strconv.Itoa(port)+path)
	})
}

// createProxyConfiguration creates the ManagedProxyConfiguration the
// add-on's chart installs, with the ports and entry point the sandbox uses.
func createProxyConfiguration(ctx context.Context, its *controlPlane, cp *clusterProxy) error {
	dyn, err := dynamic.NewForConfig(its.config)
	if err != nil {
		return err
	}
	config := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "proxy.open-cluster-management.io/v1alpha1", "kind": "ManagedProxyConfiguration",
		"metadata": map[string]any{"name": ClusterProxyAddon},
		"spec": map[string]any{
			"authentication": map[string]any{
				"signer": map[string]any{"type": "SelfSigned"},
				"dump": map[string]any{"secrets": map[string]any{
					"signingProxyServerSecretName": "proxy-server", "signingProxyClientSecretName": ProxyClientSecret,
					"signingAgentServerSecretName": "agent-server"}},
			},
			"proxyServer": map[string]any{
				"image": "sandbox/proxy-server:" + NetworkProxyVersion, "replicas": int64(1), "namespace": ClusterProxyNamespace,
				"entrypoint": map[string]any{"type": "Hostname", "hostname": map[string]any{"value": "127.0.0.1"}, "port": int64(cp.agentPort)},
			},
			"proxyAgent": map[string]any{"image": "sandbox/proxy-agent:" + NetworkProxyVersion, "replicas": int64(1)},
			"deploy": map[string]any{"ports": map[string]any{
				"proxyServer": int64(cp.serverPort), "agentServer": int64(cp.agentPort),
				"healthServer": int64(cp.healthPort), "adminServer": int64(cp.adminPort)}},
		},
	}}
	_, err = dyn.Resource(ManagedProxyConfigurationResource).Create(ctx, config, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// startProxyAgent starts a WEC's proxy agent, with the identifiers
// and host aliases the add-on gives it, and records the add-on as installed
// and available on the ITS.
func (u *upper) startProxyAgent(ctx context.Context, its, p *controlPlane) error {
	name := p.cluster.Name
	cp := u.proxy
	health, admin := u.ports.next(), u.ports.next()
	if err := u.ports.err(); err != nil {
		return err
	}
	dir := filepath.Join(p.dir, ClusterProxyAddon)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cert, err := cp.ca.issue(certRequest{commonName: "open-cluster-management:cluster-proxy:proxy-agent", client: true})
	if err != nil {
		return err
	}
	certFile, keyFile, err := cert.write(dir, "agent")
	if err != nil {
		return err
	}
	caFile, _, err := cp.ca.write(dir, "ca")
	if err != nil {
		return err
	}
	// The add-on's ExternalName Service <cluster> (in the install
	// namespace) resolves to the `kubernetes` Service: here, host aliases.
	hosts := filepath.Join(dir, "hosts")
	aliases := fmt.Sprintf("127.0.0.1 localhost\n%s %s %s.%s\n", serviceIP(p.port), name, name, ClusterProxyAgentNamespace)
	if err := os.WriteFile(hosts, []byte(aliases), 0o644); err != nil {
		return err
	}
	agent := &Component{Name: ProxyAgentComponent(name), Binary: u.bins.ProxyAgent, Port: health, Hosts: hosts, Args: []string{
		"--proxy-server-host=127.0.0.1", "--proxy-server-port=" + strconv.Itoa(cp.agentPort),
		"--agent-identifiers=host=" + name + "&host=" + name + "." + ClusterProxyAgentNamespace,
		"--ca-cert=" + caFile, "--agent-cert=" + certFile, "--agent-key=" + keyFile,
		"--health-server-host=127.0.0.1", "--health-server-port=" + strconv.Itoa(health),
		"--admin-server-port=" + strconv.Itoa(admin),
	}}
	if err := u.launch(agent); err != nil {
		return err
	}
	// The agent is ready once it holds a tunnel to the server.
	if err := waitHTTP(ctx, agent, health, "/readyz"); err != nil {
		return err
	}
	if err := markAddonAvailable(ctx, its, name); err != nil {
		return err
	}
	return createManagedServiceAccount(ctx, its, p)
}

// markAddonAvailable creates the WEC's ManagedClusterAddOn and reports it
// installed and available, as the add-on's agent would.
func markAddonAvailable(ctx context.Context, its *controlPlane, cluster string) error {
	addons, err := addonclient.NewForConfig(its.config)
	if err != nil {
		return err
	}
	mca := &addonv1alpha1.ManagedClusterAddOn{ObjectMeta: metav1.ObjectMeta{Name: ClusterProxyAddon, Namespace: cluster},
		Spec: addonv1alpha1.ManagedClusterAddOnSpec{InstallNamespace: ClusterProxyAgentNamespace}}
	created, err := addons.AddonV1alpha1().ManagedClusterAddOns(cluster).Create(ctx, mca, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		created, err = addons.AddonV1alpha1().ManagedClusterAddOns(cluster).Get(ctx, ClusterProxyAddon, metav1.GetOptions{})
	}
	if err != nil {
		return err
	}
	created.Status.Namespace = ClusterProxyAgentNamespace
	created.Status.HealthCheck = addonv1alpha1.HealthCheck{Mode: addonv1alpha1.HealthCheckModeCustomized}
	created.Status.Conditions = []metav1.Condition{{Type: addonv1alpha1.ManagedClusterAddOnConditionAvailable, Status: metav1.ConditionTrue,
		Reason: "ProxyAgentRunning", Message: "the proxy agent of " + cluster + " runs", LastTransitionTime: metav1.Now()}}
	_, err = addons.AddonV1alpha1().ManagedClusterAddOns(cluster).UpdateStatus(ctx, created, metav1.UpdateOptions{})
	return err
}

// serviceForwardsEnv, when set in the environment, turns a process into the
// service forwarder; its value lists FROM=TO address pairs, comma-separated.
const serviceForwardsEnv = "WECS_SANDBOX_FORWARD_SERVICES"

// startServiceForwarder launches the forwarder from each WEC's `kubernetes`
// Service address (port 443) to its API server.
func (u *upper) startServiceForwarder(planes []*controlPlane) error {
	var pairs []string
	for _, p := range planes {
		pairs = append(pairs, net.JoinHostPort(serviceIP(p.port), "443")+"="+net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)))
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable for the service forwarder: %w", err)
	}
	return u.launch(&Component{Name: serviceForwarder, Binary: self, Env: []string{serviceForwardsEnv + "=" + strings.Join(pairs, ",")}})
}

// forwardServices copies every connection to a FROM address to its TO
// address, until a listener fails.
func forwardServices(pairs string) error {
	return servePairs(serviceForwardsEnv, "FROM=TO", pairs, func(from, _ string) string { return from },
		func(l net.Listener, _, to string) error {
			for {
				conn, err := l.Accept()
				if err != nil {
					return err
				}
				go forward(conn, to)
			}
		})
}

// forward copies between conn and a new connection to addr until either closes.
func forward(conn net.Conn, addr string) {
	defer conn.Close()
	upstream, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer upstream.Close()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(upstream, conn)
		_ = upstream.(*net.TCPConn).CloseWrite()
	}()
	go func() {
		defer wg.Done()
		_, _ = io.Copy(conn, upstream)
		_ = conn.(*net.TCPConn).CloseWrite()
	}()
	wg.Wait()
}
