package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"
)

// controlPlane is one cluster being started: its certificates, files and clients.
type controlPlane struct {
	cluster Cluster
	// pending is the WEC that joins the ITS but is left for the user to
	// accept: it runs no kube-controller-manager, scheduler or workloads.
	pending  bool
	dir      string
	etcdURL  string
	port     int
	ca       *keyPair
	admin    *keyPair
	files    map[string]string // certificate and key files by role
	config   *rest.Config
	client   kubernetes.Interface
	kwokPort int
	// portServerPort is where the port server answers the WEC's port-forwards.
	portServerPort int
}

// Capacity of each kwok node: roomy enough that placement is decided by the
// seeded requests, as on a real cluster.
const (
	nodeCPU     = "32"
	nodeMemory  = "128Gi"
	podsPerNode = 110
)

// APIServerServiceNames are the names of the `kubernetes` Service, which every
// API server's serving certificate holds.
var APIServerServiceNames = []string{"kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}

func (u *upper) newControlPlane(name string, its bool, etcdURL string) (*controlPlane, error) {
	dir := filepath.Join(u.Dir, "clusters", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p := &controlPlane{dir: dir, etcdURL: etcdURL, port: u.ports.next(), files: map[string]string{}, pending: name == u.Pending}
	if !its {
		p.kwokPort, p.portServerPort = u.ports.next(), u.ports.next()
	}
	if err := u.ports.err(); err != nil {
		return nil, err
	}
	var err error
	if p.ca, err = newCA(name + "-ca"); err != nil {
		return nil, err
	}
	if p.admin, err = p.ca.issue(certRequest{commonName: "sandbox-admin", organizations: []string{"system:masters"}, client: true}); err != nil {
		return nil, err
	}
	// The in-cluster names let clients that reach the API server through a
	// tunnel (the cluster-proxy add-on's) verify it as pods do.
	serving, err := p.ca.issue(certRequest{commonName: "kube-apiserver", server: true, names: APIServerServiceNames})
	if err != nil {
		return nil, err
	}
	kubeletClient, err := p.ca.issue(certRequest{commonName: "kube-apiserver-kubelet-client", organizations: []string{"system:masters"}, client: true})
	if err != nil {
		return nil, err
	}
	serviceAccounts, err := p.ca.issue(certRequest{commonName: "service-accounts"})
	if err != nil {
		return nil, err
	}
	kwokServing, err := p.ca.issue(certRequest{commonName: "kwok", server: true})
	if err != nil {
		return nil, err
	}
	for role, kp := range map[string]*keyPair{"ca": p.ca, "admin": p.admin, "serving": serving, "kubelet-client": kubeletClient, "sa": serviceAccounts, "kwok": kwokServing} {
		cert, key, err := kp.write(dir, role)
		if err != nil {
			return nil, err
		}
		p.files[role+".crt"], p.files[role+".key"] = cert, key
	}
	pub, err := serviceAccounts.publicKeyPEM()
	if err != nil {
		return nil, err
	}
	p.files["sa.pub"] = filepath.Join(dir, "sa.pub")
	if err := os.WriteFile(p.files["sa.pub"], pub, 0o644); err != nil {
		return nil, err
	}
	p.cluster = Cluster{Name: name, ITS: its, Server: "https://127.0.0.1:" + strconv.Itoa(p.port),
		CAFile: p.files["ca.crt"], Kubeconfig: filepath.Join(dir, "kubeconfig")}
	p.config = &rest.Config{Host: p.cluster.Server, QPS: 200, Burst: 400, WarningHandler: rest.NoWarnings{},
		TLSClientConfig: rest.TLSClientConfig{CAData: p.ca.CertPEM, CertData: p.admin.CertPEM, KeyData: p.admin.KeyPEM}}
	if p.client, err = kubernetes.NewForConfig(p.config); err != nil {
		return nil, err
	}
	return p, nil
}

func (u *upper) startAPIServer(ctx context.Context, p *controlPlane) error {
	name := p.cluster.Name
	c := &Component{Name: name + "/kube-apiserver", Binary: u.bins.APIServer, Port: p.port, Args: []string{
		"--etcd-servers=" + p.etcdURL, "--etcd-prefix=/" + name,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + strconv.Itoa(p.port),
		"--tls-cert-file=" + p.files["serving.crt"], "--tls-private-key-file=" + p.files["serving.key"],
		"--client-ca-file=" + p.files["ca.crt"],
		"--service-account-key-file=" + p.files["sa.pub"], "--service-account-signing-key-file=" + p.files["sa.key"],
		"--service-account-issuer=https://kubernetes.default.svc", "--service-cluster-ip-range=10.96.0.0/16",
		"--authorization-mode=RBAC", "--allow-privileged=true",
		"--kubelet-client-certificate=" + p.files["kubelet-client.crt"], "--kubelet-client-key=" + p.files["kubelet-client.key"],
		"--kubelet-preferred-address-types=InternalIP",
		"--audit-log-path=" + filepath.Join(p.dir, "audit.log"), "--audit-policy-file=" + u.auditPolicy(),
		"--max-requests-inflight=800", "--max-mutating-requests-inflight=400", "--profiling=false",
		// A sandbox lives for days; its seeded events should too.
		"--event-ttl=168h",
	}}
	if err := u.launch(c); err != nil {
		return err
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: p.tlsConfig()}}
	if err := c.waitFor(ctx, readyWithin, "ready", func(ctx context.Context) error {
		return httpOK(ctx, client, p.cluster.Server+"/readyz")
	}); err != nil {
		return err
	}
	u.say("  %s: kube-apiserver ready at %s", name, p.cluster.Server)
	return nil
}

// tlsConfig trusts the cluster's CA and presents the admin certificate.
func (p *controlPlane) tlsConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(p.ca.CertPEM)
	cert, _ := tls.X509KeyPair(p.admin.CertPEM, p.admin.KeyPEM)
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}}
}

// auditPolicy writes (once) a policy that logs who sent each mutating
// request, so tests can prove what wecs sent.
func (u *upper) auditPolicy() string {
	path := filepath.Join(u.Dir, "audit-policy.yaml")
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, err := os.Stat(path); err != nil {
		policy := `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
  verbs: ["create", "update", "patch", "delete", "deletecollection"]
- level: None
`
		_ = os.WriteFile(path, []byte(policy), 0o644)
	}
	return path
}

func (u *upper) startControllers(ctx context.Context, p *controlPlane) error {
	if p.pending {
		kwok, err := u.startKwok(p)
		if err != nil {
			return err
		}
		if err := u.installCRDs(ctx, p, u.bins.SpokeCRDs); err != nil {
			return err
		}
		return u.createNodes(ctx, p, kwok)
	}
	name := p.cluster.Name
	kcmPort := u.ports.next()
	schedPort := u.ports.next()
	if err := u.ports.err(); err != nil {
		return err
	}
	kcm := &Component{Name: name + "/kube-controller-manager", Binary: u.bins.ControllerManager, Port: kcmPort, Args: []string{
		"--kubeconfig=" + p.cluster.Kubeconfig, "--leader-elect=false",
		"--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(kcmPort),
		"--service-account-private-key-file=" + p.files["sa.key"], "--root-ca-file=" + p.files["ca.crt"],
		"--use-service-account-credentials=false", "--kube-api-qps=200", "--kube-api-burst=400",
		"--concurrent-deployment-syncs=10", "--concurrent-replicaset-syncs=10", "--concurrent-job-syncs=10",
		// kwok renews a node's Lease every 10 s; on a loaded box that can
		// overrun the default 50 s grace, the node lifecycle controller
		// marks the node's pods not Ready, and with no kubelet nothing
		// marks them Ready again.
		"--node-monitor-grace-period=3m",
	}}
	if p.cluster.ITS {
		// The ITS signs the WEC agents' client certificates, and nothing
		// else: each signer holds a file watcher, and inotify instances are
		// few (128 per user by default) when tests run several sandboxes.
		kcm.Args = append(kcm.Args, "--cluster-signing-kube-apiserver-client-cert-file="+p.files["ca.crt"],
			"--cluster-signing-kube-apiserver-client-key-file="+p.files["ca.key"])
	}
	if err := u.launch(kcm); err != nil {
		return err
	}
	if p.cluster.ITS {
		if err := u.installCRDs(ctx, p, u.bins.HubCRDs); err != nil {
			return err
		}
		if err := u.startHub(ctx, p); err != nil {
			return err
		}
		return waitHealthy(ctx, kcm)
	}
	schedConfig := filepath.Join(p.dir, "scheduler.yaml")
	cfg := fmt.Sprintf(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: %q
  qps: 300
  burst: 600
leaderElection:
  leaderElect: false
`, p.cluster.Kubeconfig)
	if err := os.WriteFile(schedConfig, []byte(cfg), 0o644); err != nil {
		return err
	}
	sched := &Component{Name: name + "/kube-scheduler", Binary: u.bins.Scheduler, Port: schedPort, Args: []string{
		"--config=" + schedConfig, "--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(schedPort),
	}}
	if err := u.launch(sched); err != nil {
		return err
	}
	kwok, err := u.startKwok(p)
	if err != nil {
		return err
	}
	if err := u.installCRDs(ctx, p, u.bins.SpokeCRDs); err != nil {
		return err
	}
	for _, c := range []*Component{kcm, sched} {
		if err := waitHealthy(ctx, c); err != nil {
			return err
		}
	}
	return u.createNodes(ctx, p, kwok)
}

// troubleshootStages are the Stages that put the pods of namespace
// troubleshoot in the broken states a kubelet reports.
//
//go:embed troubleshoot-stages.yaml
var troubleshootStages []byte

// startKwok starts kwok for a WEC's nodes and pods.
func (u *upper) startKwok(p *controlPlane) (*Component, error) {
	kwokArgs := []string{
		"--kubeconfig=" + p.cluster.Kubeconfig, "--manage-all-nodes=true",
		"--server-address=127.0.0.1:" + strconv.Itoa(p.kwokPort), "--node-ip=127.0.0.1", "--node-port=" + strconv.Itoa(p.kwokPort),
		"--tls-cert-file=" + p.files["kwok.crt"], "--tls-private-key-file=" + p.files["kwok.key"],
	}
	logsConfig, err := u.writeKwokLogsConfig(p)
	if err != nil {
		return nil, err
	}
	streamingConfig, err := u.writeKwokStreamingConfig(p)
	if err != nil {
		return nil, err
	}
	kwokConfig := filepath.Join(p.dir, "kwok.yaml")
	// A configuration file replaces kwok's defaults wholesale, so it spells
	// them out: more pod workers than the default 4 keep thousands of pods
	// moving, and a /16 gives every pod its own IP.
	if err := os.WriteFile(kwokConfig, []byte(`apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  cidr: 10.0.0.0/16
  enableDebuggingHandlers: true
  enableProfilingHandler: false
  podPlayStageParallelism: 32
  nodePlayStageParallelism: 8
  nodeLeaseDurationSeconds: 40
  nodeLeaseParallelism: 4
  podsOnNodeSyncParallelism: 1
  enablePodsOnNodeSyncListPager: true
`), 0o644); err != nil {
		return nil, err
	}
	stages := filepath.Join(p.dir, "troubleshoot-stages.yaml")
	if err := os.WriteFile(stages, troubleshootStages, 0o644); err != nil {
		return nil, err
	}
	for _, f := range append(append([]string{kwokConfig, stages}, u.bins.KwokStages...), logsConfig, streamingConfig) {
		kwokArgs = append(kwokArgs, "--config="+f)
	}
	kwok := &Component{Name: p.cluster.Name + "/kwok", Binary: u.bins.Kwok, Port: p.kwokPort, Args: kwokArgs}
	return kwok, u.launch(kwok)
}

// waitHealthy waits for a controller's /healthz on its secure port.
func waitHealthy(ctx context.Context, c *Component) error {
	return c.waitFor(ctx, readyWithin, "healthy", func(ctx context.Context) error {
		return httpOK(ctx, insecureClient, "https://127.0.0.1:"+strconv.Itoa(c.Port)+"/healthz")
	})
}

// installCRDs creates the CRDs in files and waits until they are served.
func (u *upper) installCRDs(ctx context.Context, p *controlPlane, files []string) error {
	client, err := apiextensionsclient.NewForConfig(p.config)
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &crd); err != nil {
			return fmt.Errorf("read CRD %s: %w", f, err)
		}
		if err := createCRD(ctx, client, &crd); err != nil {
			return fmt.Errorf("%s: install %s: %w", p.cluster.Name, filepath.Base(f), err)
		}
	}
	return nil
}

// createCRD creates crd (if absent) and waits for it to be Established.
func createCRD(ctx context.Context, client apiextensionsclient.Interface, crd *apiextensionsv1.CustomResourceDefinition) error {
	crds := client.ApiextensionsV1().CustomResourceDefinitions()
	if _, err := crds.Create(ctx, crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		got, err := crds.Get(ctx, crd.Name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, c := range got.Status.Conditions {
			if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
}

// createNodes creates the WEC's Node objects and waits until kwok reports them Ready.
func (u *upper) createNodes(ctx context.Context, p *controlPlane, kwok *Component) error {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(nodeCPU),
		corev1.ResourceMemory: resource.MustParse(nodeMemory),
		corev1.ResourcePods:   *resource.NewQuantity(podsPerNode, resource.DecimalSI),
	}
	var nodes []*corev1.Node
	for i := 1; i <= u.opts.Nodes; i++ {
		name := fmt.Sprintf("%s-node-%03d", p.cluster.Name, i)
		labels := map[string]string{"type": "kwok", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
			"kubernetes.io/arch": "amd64", "topology.kubernetes.io/zone": fmt.Sprintf("zone-%c", 'a'+rune(i%3))}
		if i <= 2 {
			labels[agentNodeLabel] = "true"
		}
		// cluster2's nodes have no SSD, which shop's web asks for.
		labels[diskTypeLabel] = "ssd"
		if p.cluster.Name == "cluster2" {
			labels[diskTypeLabel] = "hdd"
		}
		nodes = append(nodes, &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"}},
			Status:     corev1.NodeStatus{Capacity: capacity, Allocatable: capacity, NodeInfo: corev1.NodeSystemInfo{KubeletVersion: "kwok-" + KwokVersion}},
		})
	}
	if err := parallel(nodes, func(n *corev1.Node) error {
		_, err := p.client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	}); err != nil {
		return fmt.Errorf("%s: create nodes: %w", p.cluster.Name, err)
	}
	if err := kwok.waitFor(ctx, readyWithin, "managing every node", func(ctx context.Context) error {
		list, err := p.client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		ready := 0
		for _, n := range list.Items {
			for _, c := range n.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		if ready < u.opts.Nodes {
			return fmt.Errorf("%d of %d nodes Ready", ready, u.opts.Nodes)
		}
		return nil
	}); err != nil {
		return err
	}
	u.say("  %s: %d kwok nodes Ready", p.cluster.Name, u.opts.Nodes)
	return nil
}

// writeKwokLogsConfig writes kwok's ClusterLogs: every container's log comes
// from files the log feeder appends to, by container name.
func (u *upper) writeKwokLogsConfig(p *controlPlane) (string, error) {
	files := logFiles(u.Dir, p.cluster.Name)
	var b strings.Builder
	b.WriteString("apiVersion: kwok.x-k8s.io/v1alpha1\nkind: ClusterLogs\nmetadata:\n  name: sandbox-logs\nspec:\n  selector: {}\n  logs:\n")
	for _, l := range []struct {
		container string
		file      string
	}{{"proxy", files.proxy}, {"migrate", files.initContainer}, {"", files.app}} {
		if l.container != "" {
			fmt.Fprintf(&b, "  - containers: [%q]\n    logsFile: %q\n", l.container, l.file)
		} else {
			fmt.Fprintf(&b, "  - logsFile: %q\n", l.file)
		}
		fmt.Fprintf(&b, "    previousLogsFile: %q\n    follow: true\n", files.previous)
	}
	path := filepath.Join(p.dir, "kwok-logs.yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}
