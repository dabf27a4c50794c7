package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	workclient "open-cluster-management.io/api/client/work/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
	workv1 "open-cluster-management.io/api/work/v1"
)

// Hub WECs are simulated WECs that exist only on the ITS, to load the ITS
// side of wecs with a large fleet on a small machine. No API server, agent
// or kubeconfig context stands behind them: a simulator process writes on
// the ITS what their klusterlet agents would (the ManagedCluster, accepted,
// with its status, and a renewed lease) and what KubeStellar's transport and
// their work agents would (ManifestWorks with per-manifest status and
// Deployment feedback). The sandbox's transport leaves them alone.
const (
	// SimulatedLabel marks the ManagedClusters and ManifestWorks of the
	// simulated hub WECs.
	SimulatedLabel = "sandbox.wecs.dev/simulated"
	// HubWECWorks is the number of ManifestWorks of each hub WEC.
	HubWECWorks = 10
	// HubWECLeaseSeconds is a hub WEC's lease, OCM's default: the simulator
	// renews each lease once per lease, as the agent does, and the hub
	// would mark the WEC unknown after five missed renewals.
	HubWECLeaseSeconds = 60
	maxHubWECs         = 5000
	hubWECSimulator    = "hub-wec-simulator"
	// hubWECsEnv, when set, makes the sandbox's executable the hub WEC
	// simulator (see RunHelperIfAsked); its value is the sandbox directory.
	hubWECsEnv = "WECS_SANDBOX_HUB_WECS"
	// leaseName is the lease a klusterlet agent renews in its cluster's
	// namespace on the hub.
	leaseName = "managed-cluster-lease"
	// hubWECWriters bounds the simulator's writes in flight.
	hubWECWriters = 64
)

// HubWECName is the name of hub WEC number i (from 1): hub-wec-0001 …
func HubWECName(i int) string { return fmt.Sprintf("hub-wec-%04d", i) }

// HubWECNames are the names of the sandbox's simulated hub WECs.
func (s *State) HubWECNames() []string {
	names := make([]string, s.HubWECs)
	for i := range names {
		names[i] = HubWECName(i + 1)
	}
	return names
}

// hubWECLabels are hub WEC number i's labels: the KubeStellar ones the
// sandbox's policies select on, varied (three in four are edge, one in two
// is monitored), a region and a tier.
func hubWECLabels(i int) map[string]string {
	group, monitoring := "edge", "disabled"
	if i%4 == 0 {
		group = "core"
	}
	if i%2 == 1 {
		monitoring = "enabled"
	}
	regions := []string{"us-east", "us-west", "eu-central", "ap-south"}
	tiers := []string{"gold", "silver", "bronze"}
	return map[string]string{"name": HubWECName(i), LocationGroupLabel: group, MonitoringLabel: monitoring,
		"region": regions[i%len(regions)], "tier": tiers[i%len(tiers)], SimulatedLabel: "true"}
}

// startHubWECs starts the simulator and waits until every hub WEC is on the
// ITS, Available, with its ManifestWorks reported.
func (u *upper) startHubWECs(ctx context.Context) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable for the hub WEC simulator: %w", err)
	}
	u.say("simulating %d hub WECs on the ITS, with %d ManifestWorks each ...", u.HubWECs, HubWECWorks)
	sim := &Component{Name: hubWECSimulator, Binary: self, Env: []string{hubWECsEnv + "=" + u.Dir}}
	if err := u.launch(sim); err != nil {
		return err
	}
	ready := hubWECsReadyFile(u.Dir)
	// About 40 writes a hub WEC, slower on a busy machine.
	timeout := readyWithin + time.Duration(u.HubWECs)*time.Second
	return sim.waitFor(ctx, timeout, "done writing the hub WECs", func(context.Context) error {
		_, err := os.Stat(ready)
		return err
	})
}

// hubWECsReadyFile is where the simulator says it has written every hub WEC.
func hubWECsReadyFile(dir string) string { return filepath.Join(dir, "tmp", "hub-wecs-ready") }

// hubWECSim holds the simulator's clients of the ITS.
type hubWECSim struct {
	kc    kubernetes.Interface
	oc    clusterclient.Interface
	wc    workclient.Interface
	names []string
}

// runHubWECs writes every hub WEC, says so, then renews their leases until
// ctx ends.
func runHubWECs(ctx context.Context, dir string) error {
	s, err := Load(dir)
	if err != nil {
		return err
	}
	cfg, err := s.RESTConfig("its1")
	if err != nil {
		return err
	}
	sim := &hubWECSim{names: s.HubWECNames()}
	if sim.kc, err = kubernetes.NewForConfig(cfg); err != nil {
		return err
	}
	if sim.oc, err = clusterclient.NewForConfig(cfg); err != nil {
		return err
	}
	if sim.wc, err = workclient.NewForConfig(cfg); err != nil {
		return err
	}
	start := time.Now()
	if err := sim.writeAll(ctx); err != nil {
		return err
	}
	log.Printf("wrote %d hub WECs in %s", len(sim.names), time.Since(start).Round(time.Second))
	if err := os.WriteFile(hubWECsReadyFile(dir), nil, 0o644); err != nil {
		return err
	}
	sim.renewLeases(ctx)
	return nil
}

// writeAll writes each hub WEC, several at a time.
func (sim *hubWECSim) writeAll(ctx context.Context) error {
	next := make(chan int)
	errs := make(chan error, len(sim.names))
	var wg sync.WaitGroup
	for range hubWECWriters {
		wg.Go(func() {
			for i := range next {
				if err := sim.write(ctx, i); err != nil {
					errs <- fmt.Errorf("%s: %w", HubWECName(i), err)
				}
			}
		})
	}
	for i := range sim.names {
		next <- i + 1
	}
	close(next)
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// write makes hub WEC number i what its agents would: its ManagedCluster
// accepted and reported, its lease, and its ManifestWorks reported.
func (sim *hubWECSim) write(ctx context.Context, i int) error {
	name := HubWECName(i)
	mc := &clusterv1.ManagedCluster{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: hubWECLabels(i)},
		Spec: clusterv1.ManagedClusterSpec{HubAcceptsClient: true, LeaseDurationSeconds: HubWECLeaseSeconds}}
	if _, err := sim.oc.ClusterV1().ManagedClusters().Create(ctx, mc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	// The hub makes the cluster's namespace once it is accepted; the
	// simulator does not wait for it.
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := sim.kc.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: leaseName, Namespace: name},
		Spec: coordinationv1.LeaseSpec{RenewTime: &metav1.MicroTime{Time: time.Now()}}}
	if _, err := sim.kc.CoordinationV1().Leases(name).Create(ctx, lease, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	if err := sim.reportCluster(ctx, name); err != nil {
		return err
	}
	for _, mw := range hubWECWorks(i) {
		if err := sim.writeWork(ctx, mw); err != nil {
			return fmt.Errorf("ManifestWork %s: %w", mw.Name, err)
		}
	}
	return nil
}

// reportCluster writes the status a registration agent reports: joined,
// available, its version, capacity and cluster claims (the hub adds its
// own HubAccepted condition).
func (sim *hubWECSim) reportCluster(ctx context.Context, name string) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		mc, err := sim.oc.ClusterV1().ManagedClusters().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range []metav1.Condition{
			{Type: clusterv1.ManagedClusterConditionJoined, Status: metav1.ConditionTrue, Reason: "ManagedClusterJoined", Message: "Managed cluster joined"},
			{Type: clusterv1.ManagedClusterConditionAvailable, Status: metav1.ConditionTrue, Reason: "ManagedClusterAvailable", Message: "Managed cluster is available"},
			{Type: clusterv1.ManagedClusterConditionClockSynced, Status: metav1.ConditionTrue, Reason: "ManagedClusterClockSynced", Message: "The clock of the managed cluster is synced with the hub."},
		} {
			meta.SetStatusCondition(&mc.Status.Conditions, c)
		}
		mc.Status.Version = clusterv1.ManagedClusterVersion{Kubernetes: "v1.32.0"}
		mc.Status.Capacity = clusterv1.ResourceList{clusterv1.ResourceCPU: resource.MustParse("24"), clusterv1.ResourceMemory: resource.MustParse("96Gi")}
		mc.Status.Allocatable = clusterv1.ResourceList{clusterv1.ResourceCPU: resource.MustParse("22"), clusterv1.ResourceMemory: resource.MustParse("90Gi")}
		mc.Status.ClusterClaims = []clusterv1.ManagedClusterClaim{{Name: "id.k8s.io", Value: name},
			{Name: "platform.open-cluster-management.io", Value: "Other"}, {Name: "product.open-cluster-management.io", Value: "Other"}}
		_, err = sim.oc.ClusterV1().ManagedClusters().UpdateStatus(ctx, mc, metav1.UpdateOptions{})
		return err
	})
}

// writeWork creates a ManifestWork and writes the status its work agent
// would report, unless it already has one.
func (sim *hubWECSim) writeWork(ctx context.Context, want *workv1.ManifestWork) error {
	status := want.Status
	mw, err := sim.wc.WorkV1().ManifestWorks(want.Namespace).Create(ctx, want, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		if mw, err = sim.wc.WorkV1().ManifestWorks(want.Namespace).Get(ctx, want.Name, metav1.GetOptions{}); err == nil && len(mw.Status.Conditions) > 0 {
			return nil
		}
	}
	if err != nil {
		return err
	}
	mw.Status = status
	_, err = sim.wc.WorkV1().ManifestWorks(mw.Namespace).UpdateStatus(ctx, mw, metav1.UpdateOptions{})
	return err
}

// hubWECWorks are hub WEC number i's ManifestWorks with their status: the
// sandbox's policies' ones where its labels select it (as KubeStellar's
// transport names and labels them), and apps of its own up to HubWECWorks.
// Every one is applied and available but, on every tenth WEC, the web
// Deployment, one of whose three replicas is not ready.
func hubWECWorks(i int) []*workv1.ManifestWork {
	name := HubWECName(i)
	labels := hubWECLabels(i)
	var out []*workv1.ManifestWork
	policyWork := func(policy string, objects ...hubWECObject) {
		out = append(out, hubWECWork(name, ManifestWorkName(policy),
			map[string]string{BindingPolicyLabel: policy, WDSLabel: WDS, SimulatedLabel: "true"}, objects))
	}
	if labels[LocationGroupLabel] == "edge" {
		ready := int64(3)
		if i%10 == 0 {
			ready = 2
		}
		policyWork(ShopPolicy, hubWECObject{"", "v1", "ConfigMap", "configmaps", nsShop, "web-config", 0, 0},
			hubWECObject{"apps", "v1", "Deployment", "deployments", nsShop, UnhealthyOnCluster2, 3, ready},
			hubWECObject{"", "v1", "Service", "services", nsShop, "web", 0, 0})
	}
	if labels[MonitoringLabel] == "enabled" {
		policyWork(MonitoringPolicy, hubWECObject{"apps", "v1", "DaemonSet", "daemonsets", nsMonitoring, "node-exporter", 0, 0})
	}
	for n := 1; len(out) < HubWECWorks; n++ {
		app := fmt.Sprintf("app-%02d", n)
		out = append(out, hubWECWork(name, app, map[string]string{SimulatedLabel: "true"},
			[]hubWECObject{{"", "v1", "ConfigMap", "configmaps", "apps", app + "-config", 0, 0},
				{"apps", "v1", "Deployment", "deployments", "apps", app, 2, 2}}))
	}
	return out
}

// hubWECObject is one manifest of a simulated ManifestWork; a Deployment
// has desired and ready replicas.
type hubWECObject struct {
	group, version, kind, resource, namespace, name string
	replicas, ready                                 int64
}

// hubWECWork is a ManifestWork of objects and the status a work agent
// would report for them: each Applied, Available and (with feedback for a
// Deployment) StatusFeedbackSynced.
func hubWECWork(cluster, name string, labels map[string]string, objects []hubWECObject) *workv1.ManifestWork {
	now := metav1.Now()
	cond := func(typ, reason, message string) metav1.Condition {
		return metav1.Condition{Type: typ, Status: metav1.ConditionTrue, Reason: reason, Message: message, LastTransitionTime: now}
	}
	mw := &workv1.ManifestWork{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: cluster, Labels: labels}}
	for ordinal, o := range objects {
		mw.Spec.Workload.Manifests = append(mw.Spec.Workload.Manifests, workv1.Manifest{RawExtension: runtime.RawExtension{Raw: o.manifest()}})
		status := workv1.ManifestCondition{
			ResourceMeta: workv1.ManifestResourceMeta{Ordinal: int32(ordinal), Group: o.group, Version: o.version, Kind: o.kind,
				Resource: o.resource, Namespace: o.namespace, Name: o.name},
			Conditions: []metav1.Condition{cond(workv1.ManifestApplied, "AppliedManifestComplete", "Apply manifest complete"),
				cond(workv1.ManifestAvailable, "ResourceAvailable", "Resource is available")},
		}
		if o.kind == "Deployment" {
			mw.Spec.ManifestConfigs = append(mw.Spec.ManifestConfigs, workv1.ManifestConfigOption{
				ResourceIdentifier: workv1.ResourceIdentifier{Group: o.group, Resource: o.resource, Namespace: o.namespace, Name: o.name},
				FeedbackRules:      []workv1.FeedbackRule{{Type: workv1.WellKnownStatusType}}})
			status.StatusFeedbacks.Values = []workv1.FeedbackValue{
				{Name: "ReadyReplicas", Value: workv1.FieldValue{Type: workv1.Integer, Integer: ptr.To(o.ready)}},
				{Name: "Replicas", Value: workv1.FieldValue{Type: workv1.Integer, Integer: ptr.To(o.replicas)}},
				{Name: "AvailableReplicas", Value: workv1.FieldValue{Type: workv1.Integer, Integer: ptr.To(o.ready)}},
			}
			status.Conditions = append(status.Conditions, cond("StatusFeedbackSynced", "StatusFeedbackSynced", ""))
		}
		mw.Status.ResourceStatus.Manifests = append(mw.Status.ResourceStatus.Manifests, status)
	}
	mw.Status.Conditions = []metav1.Condition{cond(workv1.WorkApplied, "AppliedManifestWorkComplete", "Apply manifest work complete"),
		cond(workv1.WorkAvailable, "ResourcesAvailable", "All resources are available")}
	return mw
}

// manifest is the object as the ManifestWork carries it.
func (o hubWECObject) manifest() []byte {
	apiVersion := o.version
	if o.group != "" {
		apiVersion = o.group + "/" + o.version
	}
	obj := map[string]any{"apiVersion": apiVersion, "kind": o.kind, "metadata": map[string]any{"name": o.name, "namespace": o.namespace}}
	if o.kind == "Deployment" {
		obj["spec"] = map[string]any{"replicas": o.replicas}
	}
	raw, _ := json.Marshal(obj)
	return raw
}

// renewLeases renews every hub WEC's lease once per HubWECLeaseSeconds, as
// its agent would, spread evenly over the period (one write at a time).
func (sim *hubWECSim) renewLeases(ctx context.Context) {
	gap := HubWECLeaseSeconds * time.Second / time.Duration(len(sim.names))
	tick := time.NewTicker(gap)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		name := sim.names[n%len(sim.names)]
		patch := []byte(`{"spec":{"renewTime":` + strconv.Quote(metav1.NowMicro().UTC().Format(metav1.RFC3339Micro)) + `}}`)
		if _, err := sim.kc.CoordinationV1().Leases(name).Patch(ctx, leaseName, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil && ctx.Err() == nil {
			log.Printf("renew the lease of %s: %v", name, err)
		}
	}
}
