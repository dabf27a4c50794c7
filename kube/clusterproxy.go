package kube

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	addonv1alpha1 "open-cluster-management.io/api/addon/v1alpha1"
	addonclient "open-cluster-management.io/api/client/addon/clientset/versioned"
	konnectivity "sigs.k8s.io/apiserver-network-proxy/konnectivity-client/pkg/client"
)

// BoundByClusterProxy says a WEC is reached through the ITS: OCM's
// cluster-proxy add-on carries the connection to its API server.
const BoundByClusterProxy = "through the ITS (cluster-proxy)"

// The cluster-proxy add-on's names and defaults, as its chart installs it.
const (
	clusterProxyAddon = "cluster-proxy"
	// clusterProxyFeatureLabel is the label the hub puts on a ManagedCluster
	// that has the add-on: available, unhealthy or unreachable.
	clusterProxyFeatureLabel    = "feature.open-cluster-management.io/addon-" + clusterProxyAddon
	defaultProxyServerNamespace = "open-cluster-management-cluster-proxy"
	defaultProxyClientSecret    = "proxy-client"
	proxyCASecret               = "proxy-server-ca"
	defaultProxyServerPort      = 8090
	// DefaultManagedServiceAccount is the managed service account (of OCM's
	// managed-serviceaccount add-on) whose token wecs uses on each WEC.
	DefaultManagedServiceAccount = "wecs"
	// apiServerServiceName is the name a WEC's API server serves as in its
	// cluster, which a tunnelled connection verifies.
	apiServerServiceName = "kubernetes.default.svc"
)

var managedProxyConfigurations = schema.GroupVersionResource{Group: "proxy.open-cluster-management.io", Version: "v1alpha1", Resource: "managedproxyconfigurations"}

// ClusterProxyOptions say how to use the ITS's cluster-proxy add-on.
type ClusterProxyOptions struct {
	// Address overrides the proxy server's client entry point (host:port)
	// when it is not reachable where the ITS publishes it.
	Address string
	// ServiceAccount names the managed service account whose token (a secret
	// of that name in each WEC's namespace on the ITS) wecs presents.
	ServiceAccount string
}

// ClusterProxy is the ITS's cluster-proxy add-on as wecs reaches WECs through
// it: the proxy server's client entry point and the certificate it wants.
type ClusterProxy struct {
	// Address is where the proxy server takes clients, host:port.
	Address        string
	serviceAccount string
	tls            *tls.Config
	its            kubernetes.Interface
	addons         addonclient.Interface
}

// ErrNoClusterProxy means the ITS has no cluster-proxy add-on configured.
var ErrNoClusterProxy = errors.New("the ITS has no cluster-proxy add-on (no ManagedProxyConfiguration cluster-proxy)")

// DiscoverClusterProxy reads the add-on's configuration and client
// certificate from the ITS. The entry point is the ITS's host at the proxy
// server's port unless opts.Address says otherwise.
func DiscoverClusterProxy(ctx context.Context, its *rest.Config, opts ClusterProxyOptions) (*ClusterProxy, error) {
	dyn, err := dynamic.NewForConfig(its)
	if err != nil {
		return nil, err
	}
	cfg, err := dyn.Resource(managedProxyConfigurations).Get(ctx, clusterProxyAddon, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, ErrNoClusterProxy
	}
	if err != nil {
		return nil, fmt.Errorf("read the ITS's ManagedProxyConfiguration %s: %w", clusterProxyAddon, err)
	}
	namespace := stringField(cfg, defaultProxyServerNamespace, "spec", "proxyServer", "namespace")
	clientSecret := stringField(cfg, defaultProxyClientSecret, "spec", "authentication", "dump", "secrets", "signingProxyClientSecretName")
	port, found, _ := unstructured.NestedInt64(cfg.Object, "spec", "deploy", "ports", "proxyServer")
	if !found {
		port = defaultProxyServerPort
	}
	p := &ClusterProxy{Address: opts.Address, serviceAccount: opts.ServiceAccount}
	if p.serviceAccount == "" {
		p.serviceAccount = DefaultManagedServiceAccount
	}
	if p.Address == "" {
		u, err := url.Parse(its.Host)
		if err != nil || u.Hostname() == "" {
			return nil, fmt.Errorf("the ITS's server %q has no host to reach its cluster-proxy at; pass --cluster-proxy-address HOST:PORT", its.Host)
		}
		p.Address = net.JoinHostPort(u.Hostname(), strconv.FormatInt(port, 10))
	}
	if p.its, err = kubernetes.NewForConfig(its); err != nil {
		return nil, err
	}
	if p.addons, err = addonclient.NewForConfig(its); err != nil {
		return nil, err
	}
	client, err := p.its.CoreV1().Secrets(namespace).Get(ctx, clientSecret, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("read the cluster-proxy client certificate (secret %s/%s on the ITS): %w", namespace, clientSecret, err)
	}
	ca, err := p.its.CoreV1().Secrets(namespace).Get(ctx, proxyCASecret, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("read the cluster-proxy CA (secret %s/%s on the ITS): %w", namespace, proxyCASecret, err)
	}
	cert, err := tls.X509KeyPair(client.Data["tls.crt"], client.Data["tls.key"])
	if err != nil {
		return nil, fmt.Errorf("secret %s/%s on the ITS holds no usable tls.crt and tls.key: %w", namespace, clientSecret, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca.Data["ca.crt"]) {
		return nil, fmt.Errorf("secret %s/%s on the ITS holds no CA certificate in ca.crt", namespace, proxyCASecret)
	}
	host, _, err := net.SplitHostPort(p.Address)
	if err != nil {
		return nil, fmt.Errorf("cluster-proxy address %q: want HOST:PORT", p.Address)
	}
	p.tls = &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}
	return p, nil
}

func stringField(obj *unstructured.Unstructured, fallback string, fields ...string) string {
	if s, found, _ := unstructured.NestedString(obj.Object, fields...); found && s != "" {
		return s
	}
	return fallback
}

// addonAvailable tells why cluster cannot be reached through the proxy
// (nil when it can): its ManagedClusterAddOn cluster-proxy must be Available.
func (p *ClusterProxy) addonAvailable(ctx context.Context, cluster string) error {
	addon, err := p.addons.AddonV1alpha1().ManagedClusterAddOns(cluster).Get(ctx, clusterProxyAddon, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("the cluster-proxy add-on is not enabled for %s (no ManagedClusterAddOn %s/%s on the ITS)", cluster, cluster, clusterProxyAddon)
	}
	if err != nil {
		return fmt.Errorf("read ManagedClusterAddOn %s/%s on the ITS: %w", cluster, clusterProxyAddon, err)
	}
	if c := metaCondition(addon.Status.Conditions, addonv1alpha1.ManagedClusterAddOnConditionAvailable); c == nil || c.Status != metav1.ConditionTrue {
		why := "it reports no Available condition"
		if c != nil {
			why = fmt.Sprintf("Available is %s: %s", c.Status, c.Message)
		}
		return fmt.Errorf("the cluster-proxy add-on of %s is not available (%s)", cluster, why)
	}
	return nil
}

// RESTConfig is how wecs reaches cluster's API server through the proxy:
// with the token of the managed service account, verifying the server as
// the WEC's in-cluster `kubernetes` Service. It fails with the reason when
// the token is not readable.
func (p *ClusterProxy) RESTConfig(ctx context.Context, cluster string) (*rest.Config, error) {
	secret, err := p.its.CoreV1().Secrets(cluster).Get(ctx, p.serviceAccount, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("read the token of managed service account %s (secret %s/%s on the ITS): %w", p.serviceAccount, cluster, p.serviceAccount, err)
	}
	if len(secret.Data["token"]) == 0 {
		return nil, fmt.Errorf("secret %s/%s on the ITS holds no token", cluster, p.serviceAccount)
	}
	dialed := &rest.Config{
		Host:            "https://" + cluster + ":443",
		BearerToken:     string(secret.Data["token"]),
		TLSClientConfig: rest.TLSClientConfig{CAData: secret.Data["ca.crt"], ServerName: apiServerServiceName},
		Dial:            p.dialer(cluster),
	}
	rt, err := rest.TransportFor(dialed)
	if err != nil {
		return nil, err
	}
	return &rest.Config{Host: dialed.Host, Transport: &tunnelTransport{RoundTripper: rt, dialed: dialed}}, nil
}

// tunnelTransport is the one connection pool of every client of a WEC
// reached through the cluster-proxy. client-go shares no transport between
// configs that dial their own way, so without it each client (discovery,
// and one per kind) would open a tunnel and a TLS session of its own.
// dialed is the config it was made from, for the streams (exec,
// port-forward) that client-go opens without it.
type tunnelTransport struct {
	http.RoundTripper
	dialed *rest.Config
}

// CloseIdleConnections closes the tunnels no request uses: the fleet calls
// it once the watch of a binding that is gone has ended.
func (t *tunnelTransport) CloseIdleConnections() { utilnet.CloseIdleConnectionsFor(t.RoundTripper) }

func metaCondition(conds []metav1.Condition, typ string) *metav1.Condition {
	for i := range conds {
		if conds[i].Type == typ {
			return &conds[i]
		}
	}
	return nil
}

// ErrTunnelDown marks a dial that failed because cluster's proxy agent holds
// no tunnel to the proxy server.
var ErrTunnelDown = errors.New("not connected")

// dialer opens each connection to cluster through a tunnel of its own to
// the proxy server, as konnectivity clients do.
func (p *ClusterProxy) dialer(cluster string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		tunnel, err := konnectivity.CreateSingleUseGrpcTunnelWithContext(ctx, context.Background(), p.Address,
			grpc.WithTransportCredentials(credentials.NewTLS(p.tls)))
		if err != nil {
			return nil, fmt.Errorf("cluster-proxy server at %s unreachable: %w", p.Address, err)
		}
		conn, err := tunnel.DialContext(ctx, network, addr)
		if err != nil {
			if strings.Contains(err.Error(), "No agent available") {
				return nil, fmt.Errorf("proxy agent of %s %w", cluster, ErrTunnelDown)
			}
			return nil, fmt.Errorf("through the cluster-proxy to %s: %w", cluster, err)
		}
		return conn, nil
	}
}
