package sandbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	workclient "open-cluster-management.io/api/client/work/clientset/versioned"
)

// Options say what fleet Up starts.
type Options struct {
	// Dir holds the state, certificates, logs and kubeconfig.
	Dir string
	// WECs is the number of accepted workload clusters. One more WEC
	// (named Pending in the state) joins the ITS but is not accepted.
	WECs int
	// Nodes is the number of kwok nodes per WEC.
	Nodes int
	// Pods is the number of extra pods per WEC, in Deployments of namespace "load".
	Pods int
	// HubWECs is the number of simulated WECs that exist only on the ITS
	// (see hubwecs.go).
	HubWECs int
	// ExtraArgs are more command-line arguments for every component of a
	// kind (see componentKinds), e.g. feature gates or verbosity.
	ExtraArgs map[string][]string
	// PortBase, when set, makes the sandbox use consecutive ports from it
	// instead of free ports chosen by the system.
	PortBase int
	// Progress receives what Up is doing; nil discards it.
	Progress io.Writer
	// DieWithParent stops every component when the calling process dies
	// (tests use it so a killed test run leaves nothing behind).
	DieWithParent bool
}

// Limits on Options, generous for a 2-core machine.
const (
	maxWECs  = 20
	maxNodes = 1000
	maxPods  = 20000
)

// componentKinds are the kinds of process a sandbox runs.
var componentKinds = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", registrationController, klusterletAgent, proxyServer, proxyAgent}

// DefaultDir is where a sandbox lives when no directory is given:
// $XDG_STATE_HOME/wecs/sandbox, or ~/.local/state/wecs/sandbox.
func DefaultDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "wecs", "sandbox")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "wecs-sandbox")
	}
	return filepath.Join(home, ".local", "state", "wecs", "sandbox")
}

func (o *Options) validate() error {
	if o.WECs < 1 || o.WECs > maxWECs {
		return fmt.Errorf("--wecs %d: the sandbox runs 1 to %d WECs", o.WECs, maxWECs)
	}
	if o.Nodes < 1 || o.Nodes > maxNodes {
		return fmt.Errorf("--nodes %d: each WEC needs 1 to %d nodes", o.Nodes, maxNodes)
	}
	if o.Pods < 0 || o.Pods > maxPods {
		return fmt.Errorf("--pods %d: extra pods per WEC must be 0 to %d", o.Pods, maxPods)
	}
	if o.Pods > o.Nodes*podsPerNode {
		return fmt.Errorf("--pods %d does not fit on %d nodes of %d pods each: add --nodes", o.Pods, o.Nodes, podsPerNode)
	}
	if o.HubWECs < 0 || o.HubWECs > maxHubWECs {
		return fmt.Errorf("--hub-wecs %d: the sandbox simulates 0 to %d hub WECs", o.HubWECs, maxHubWECs)
	}
	if o.PortBase != 0 && (o.PortBase < 1024 || o.PortBase > 65000) {
		return fmt.Errorf("--port-base %d: use a port from 1024 to 65000, or leave it out to pick free ports", o.PortBase)
	}
	for kind := range o.ExtraArgs {
		if !slices.Contains(componentKinds, kind) {
			return fmt.Errorf("extra arguments for %q: components are %s", kind, strings.Join(componentKinds, ", "))
		}
	}
	if o.Dir == "" {
		return errors.New("no sandbox directory given")
	}
	return nil
}

// Up starts a sandbox fleet in opts.Dir and returns once every cluster
// answers, every node is Ready, the accepted WECs are Available on the ITS
// (as their agents report) and the workloads are seeded and delivered. On a
// sandbox that already runs there it changes nothing and returns its state.
func Up(ctx context.Context, opts Options) (*State, error) {
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	if existing, err := Load(dir); err == nil {
		if running, err := existing.running(); running || err != nil {
			return existing, err
		}
		// Everything recorded has stopped: start afresh.
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("clear %s: %w", dir, err)
	}
	for _, sub := range []string{"logs", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	bins, err := EnsureBinaries(ctx, opts.Progress)
	if err != nil {
		return nil, err
	}
	s := &State{Dir: dir, Kubeconfig: filepath.Join(dir, "kubeconfig"), WECs: opts.WECs, Nodes: opts.Nodes, Pods: opts.Pods, HubWECs: opts.HubWECs,
		Pending: "cluster" + strconv.Itoa(opts.WECs+1)}
	u := &upper{State: s, opts: opts, bins: bins, ports: newPortAllocator(opts.PortBase)}
	if err := u.run(ctx); err != nil {
		for _, c := range s.Components {
			c.stop(5 * time.Second)
		}
		_ = s.save()
		return nil, err
	}
	s.Ready = true
	return s, s.save()
}

// running tells whether a recorded sandbox is up: true when everything runs,
// false when nothing does, and an error naming the crashed components when
// only some do.
func (s *State) running() (bool, error) {
	crashed := s.Crashed()
	switch {
	case len(crashed) == 0 && s.Ready:
		return true, nil
	case len(crashed) == len(s.Components):
		return false, nil
	}
	msg := fmt.Sprintf("the sandbox in %s is only partly running", s.Dir)
	if !s.Ready {
		msg = fmt.Sprintf("a sandbox in %s is still starting or stopped half way", s.Dir)
	}
	return false, fmt.Errorf("%s; run `wecs-sandbox down --dir %s` and then up again: %w", msg, s.Dir, errors.Join(crashed...))
}

// Down stops exactly the processes the sandbox recorded and removes its directory.
func (s *State) Down() error {
	var wg sync.WaitGroup
	for _, c := range s.Components {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.stop(5 * time.Second)
		}()
	}
	wg.Wait()
	var still []string
	for _, c := range s.Components {
		if c.Alive() {
			still = append(still, fmt.Sprintf("%s (pid %d)", c.Name, c.PID))
		}
	}
	if len(still) > 0 {
		return fmt.Errorf("could not stop %v; stop them by hand, then remove %s", still, s.Dir)
	}
	return os.RemoveAll(s.Dir)
}

// StopComponent stops one component (e.g. "cluster3/kube-apiserver"), as an outage would.
func (s *State) StopComponent(name string) error {
	c, ok := s.Component(name)
	if !ok {
		return s.unknownComponent(name)
	}
	c.stop(5 * time.Second)
	return s.save()
}

// StartComponent starts a stopped component again with its recorded command.
func (s *State) StartComponent(name string, dieWithParent bool) error {
	c, ok := s.Component(name)
	if !ok {
		return s.unknownComponent(name)
	}
	if c.Alive() {
		return nil
	}
	if err := c.start(dieWithParent); err != nil {
		return err
	}
	return s.save()
}

func (s *State) unknownComponent(name string) error {
	var names []string
	for _, c := range s.Components {
		names = append(names, c.Name)
	}
	return fmt.Errorf("no component %q in the sandbox; it has %s", name, strings.Join(names, ", "))
}

// upper carries what Up needs while it starts the fleet.
type upper struct {
	*State
	opts  Options
	bins  *Binaries
	ports *portAllocator
	// proxy is the cluster-proxy add-on once its server runs.
	proxy *clusterProxy
	// bootstrapToken is what WEC agents join the ITS with.
	bootstrapToken string
	mu             sync.Mutex
}

func (u *upper) say(format string, args ...any) {
	u.mu.Lock()
	defer u.mu.Unlock()
	fmt.Fprintf(u.opts.Progress, format+"\n", args...)
}

// launch records and starts a component, saving the state so that `down`
// can stop it even if Up fails later.
func (u *upper) launch(c *Component) error {
	c.Log = filepath.Join(u.Dir, "logs", sanitize(c.Name)+".log")
	c.Args = append(c.Args, u.opts.ExtraArgs[path.Base(c.Name)]...)
	// Launches run side by side and each saves the state, PIDs included:
	// the start, which sets the PID, is under the same lock.
	u.mu.Lock()
	defer u.mu.Unlock()
	u.Components = append(u.Components, c)
	if err := c.start(u.opts.DieWithParent); err != nil {
		return err
	}
	return u.save()
}

func sanitize(name string) string {
	out := []byte(name)
	for i, b := range out {
		if b == '/' {
			out[i] = '_'
		}
	}
	return string(out)
}

func (u *upper) run(ctx context.Context) error {
	start := time.Now()
	etcdURL, err := u.startEtcd(ctx)
	if err != nil {
		return err
	}
	names := []string{"its1"}
	for i := 1; i <= u.opts.WECs; i++ {
		names = append(names, "cluster"+strconv.Itoa(i))
	}
	names = append(names, u.Pending)
	planes := make([]*controlPlane, len(names))
	for i, name := range names {
		if planes[i], err = u.newControlPlane(name, i == 0, etcdURL); err != nil {
			return err
		}
		u.Clusters = append(u.Clusters, planes[i].cluster)
	}
	its, wecs := planes[0], planes[1:len(planes)-1]
	// The WDS runs only a kube-apiserver, and is no cluster of the fleet's
	// state: only a context of its kubeconfig.
	wds, err := u.newControlPlane(WDS, true, etcdURL)
	if err != nil {
		return err
	}
	if err := u.writeKubeconfig(append(slices.Clone(planes), wds)); err != nil {
		return err
	}
	if err := u.startPortServer(planes[1:]); err != nil {
		return err
	}
	if err := u.startServiceForwarder(planes[1:]); err != nil {
		return err
	}
	u.say("starting kube-apiserver for %d clusters and the WDS ...", len(planes))
	if err := parallel(append(slices.Clone(planes), wds), func(p *controlPlane) error { return u.startAPIServer(ctx, p) }); err != nil {
		return err
	}
	if err := seedWDS(ctx, wds); err != nil {
		return err
	}
	u.say("starting controllers, schedulers, kwok and OCM's registration controller ...")
	if err := parallel(planes, func(p *controlPlane) error { return u.startControllers(ctx, p) }); err != nil {
		return err
	}
	u.say("starting the cluster-proxy add-on's proxy server ...")
	if err := u.startClusterProxy(ctx, its); err != nil {
		return err
	}
	u.say("seeding workloads, joining the WECs to the ITS and accepting all but %s ...", u.Pending)
	oc, err := clusterclient.NewForConfig(its.config)
	if err != nil {
		return err
	}
	wc, err := workclient.NewForConfig(its.config)
	if err != nil {
		return err
	}
	if err := parallel(planes[1:], func(p *controlPlane) error {
		if p.pending {
			return u.join(ctx, its, p, oc)
		}
		return u.registerWEC(ctx, its, p, oc)
	}); err != nil {
		return err
	}
	if err := seedCustomizationProperties(ctx, its, names[1:]); err != nil {
		return err
	}
	if err := u.startTransport(); err != nil {
		return err
	}
	if err := parallel(wecs, func(p *controlPlane) error { return waitDelivered(ctx, wc, p.cluster.Name, slices.Index(planes, p)) }); err != nil {
		return err
	}
	if err := u.EnsureUsers(ctx); err != nil {
		return err
	}
	if err := u.writeFleetOperator(ctx, its); err != nil {
		return err
	}
	u.say("  %s: %d WECs Available, %s pending", its.cluster.Name, len(wecs), u.Pending)
	if err := u.startLogFeeder(wecs); err != nil {
		return err
	}
	if u.opts.Pods > 0 {
		if err := parallel(wecs, func(p *controlPlane) error { return u.waitLoadRunning(ctx, p) }); err != nil {
			return err
		}
	}
	if u.HubWECs > 0 {
		if err := u.startHubWECs(ctx); err != nil {
			return err
		}
	}
	u.say("sandbox up in %s", time.Since(start).Round(100*time.Millisecond))
	return nil
}

// registerWEC seeds a WEC, joins it to the ITS, accepts it, waits until its
// agent reports it Available and starts its proxy agent.
func (u *upper) registerWEC(ctx context.Context, its, p *controlPlane, oc clusterclient.Interface) error {
	name := p.cluster.Name
	steps := []func() error{
		func() error { return u.seedWEC(ctx, p) },
		func() error { return u.join(ctx, its, p, oc) },
	}
	if err := parallel(steps, func(step func() error) error { return step() }); err != nil {
		return err
	}
	if err := accept(ctx, its.client, oc, name); err != nil {
		return err
	}
	if err := waitAvailable(ctx, oc, name, 3*time.Minute); err != nil {
		return err
	}
	if err := u.startProxyAgent(ctx, its, p); err != nil {
		return err
	}
	u.say("  %s: accepted, Available, proxy agent connected", name)
	return nil
}

// parallel runs f for each item at once and returns the first error.
func parallel[T any](items []T, f func(T) error) error {
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(it)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (u *upper) startEtcd(ctx context.Context) (string, error) {
	client, peer, err := u.ports.next(), u.ports.next(), error(nil)
	if err = u.ports.err(); err != nil {
		return "", err
	}
	clientURL := "http://127.0.0.1:" + strconv.Itoa(client)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peer)
	c := &Component{Name: "etcd", Binary: u.bins.Etcd, Port: client, Args: []string{
		"--name=sandbox", "--data-dir=" + filepath.Join(u.Dir, "etcd"),
		"--listen-client-urls=" + clientURL, "--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL, "--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=sandbox=" + peerURL,
		"--unsafe-no-fsync", "--quota-backend-bytes=8589934592", "--log-level=warn",
	}}
	u.say("starting etcd on port %d ...", client)
	if err := u.launch(c); err != nil {
		return "", err
	}
	err = c.waitFor(ctx, readyWithin, "healthy", func(ctx context.Context) error {
		return httpOK(ctx, http.DefaultClient, clientURL+"/health")
	})
	return clientURL, err
}

// httpOK GETs url and wants a 200.
func httpOK(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", url, resp.Status, body)
	}
	return nil
}

// writeKubeconfig writes the user's kubeconfig (one context per cluster) and
// each cluster's own kubeconfig for its components.
func (u *upper) writeKubeconfig(planes []*controlPlane) error {
	all := clientcmdapi.NewConfig()
	for _, p := range planes {
		one := clientcmdapi.NewConfig()
		for _, cfg := range []*clientcmdapi.Config{all, one} {
			cfg.Clusters[p.cluster.Name] = &clientcmdapi.Cluster{Server: p.cluster.Server, CertificateAuthorityData: p.ca.CertPEM}
			cfg.AuthInfos[p.cluster.Name+"-admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: p.admin.CertPEM, ClientKeyData: p.admin.KeyPEM}
			cfg.Contexts[p.cluster.Name] = &clientcmdapi.Context{Cluster: p.cluster.Name, AuthInfo: p.cluster.Name + "-admin"}
		}
		one.CurrentContext = p.cluster.Name
		if err := clientcmd.WriteToFile(*one, p.cluster.Kubeconfig); err != nil {
			return err
		}
	}
	all.CurrentContext = "its1"
	return clientcmd.WriteToFile(*all, u.Kubeconfig)
}

// portAllocator hands out loopback ports: free ones chosen at random below
// the system's range of ephemeral ports, or consecutive ones from a base,
// each checked to be free.
type portAllocator struct {
	mu         sync.Mutex
	base, used int
	failed     error
	taken      map[int]bool
}

// Free ports are chosen from [freePortLow, freePortHigh): below the ranges
// Linux (32768 up) and macOS (49152 up) give outgoing connections, so a port
// that is free when chosen stays free until its component binds it, and
// when it restarts, rather than being taken by some client's connection.
const (
	freePortLow   = 20000
	freePortHigh  = 32768
	freePortTries = 1000
)

func newPortAllocator(base int) *portAllocator {
	return &portAllocator{base: base, taken: map[int]bool{}}
}

// next returns a port, or 0 after recording an error (see err).
func (p *portAllocator) next() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failed != nil {
		return 0
	}
	if p.base != 0 {
		port := p.base + p.used
		p.used++
		if err := checkFree(port); err != nil {
			p.failed = fmt.Errorf("port %d is busy (%v): choose another --port-base, or leave it out to pick free ports", port, err)
			return 0
		}
		return port
	}
	for range freePortTries {
		port := freePortLow + rand.IntN(freePortHigh-freePortLow)
		if !p.taken[port] && checkFree(port) == nil {
			p.taken[port] = true
			return port
		}
	}
	p.failed = fmt.Errorf("no free loopback port from %d to %d after %d tries: pass --port-base", freePortLow, freePortHigh-1, freePortTries)
	return 0
}

// checkFree says whether a loopback port can be listened on now.
func checkFree(port int) error {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	return l.Close()
}

func (p *portAllocator) err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failed
}

// insecureClient checks health endpoints of components whose serving
// certificates are self-signed; it sends nothing but GETs of health paths.
var insecureClient = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
}
