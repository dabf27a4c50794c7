package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"log"
	"maps"
	"os"
	"strings"
	"text/template"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterinformers "open-cluster-management.io/api/client/cluster/informers/externalversions"
	workclient "open-cluster-management.io/api/client/work/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
	workv1 "open-cluster-management.io/api/work/v1"

	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// The sandbox plays KubeStellar's transport (KubeStellar's own controllers
// cannot run here): a helper process derives each WEC's ManifestWorks from
// the WDS's BindingPolicies and objects and the ITS's ManagedClusters, and
// follows a change of either within seconds.

// transportEnv, when set, makes the sandbox's executable the transport (see
// RunHelperIfAsked); its value is the sandbox directory.
const transportEnv = "WECS_SANDBOX_TRANSPORT"

// transportResync is how often the transport reconciles without a change
// of ManagedClusters or BindingPolicies (a workload's edit in the WDS).
const transportResync = 15 * time.Second

func (u *upper) startTransport() error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable for the transport: %w", err)
	}
	return u.launch(&Component{Name: "transport", Binary: self, Env: []string{transportEnv + "=" + u.Dir}})
}

// transport holds the clients of the ITS and the WDS.
type transport struct {
	its     kubernetes.Interface
	oc      clusterclient.Interface
	wc      workclient.Interface
	wds     dynamic.Interface
	wdsDisc discovery.DiscoveryInterface
}

// runTransport reconciles the ManifestWorks whenever a ManagedCluster or a
// BindingPolicy changes, and every transportResync.
func runTransport(ctx context.Context, dir string) error {
	s, err := Load(dir)
	if err != nil {
		return err
	}
	t, err := newTransport(s)
	if err != nil {
		return err
	}
	changed := make(chan struct{}, 1)
	poke := func(any) {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	handler := cache.ResourceEventHandlerFuncs{AddFunc: poke, UpdateFunc: func(_, o any) { poke(o) }, DeleteFunc: poke}
	clusters := clusterinformers.NewSharedInformerFactory(t.oc, 0)
	// Only a ManagedCluster's labels and acceptance matter, not the status
	// its agent keeps updating.
	_, _ = clusters.Cluster().V1().ManagedClusters().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: poke, DeleteFunc: poke,
		UpdateFunc: func(old, cur any) {
			o, ok1 := old.(*clusterv1.ManagedCluster)
			c, ok2 := cur.(*clusterv1.ManagedCluster)
			if !ok1 || !ok2 || !maps.Equal(o.Labels, c.Labels) || o.Spec.HubAcceptsClient != c.Spec.HubAcceptsClient {
				poke(cur)
			}
		},
	})
	policies := dynamicinformer.NewDynamicSharedInformerFactory(t.wds, 0)
	_, _ = policies.ForResource(bindingpolicy.GVR).Informer().AddEventHandler(handler)
	clusters.Start(ctx.Done())
	policies.Start(ctx.Done())
	tick := time.NewTicker(transportResync)
	defer tick.Stop()
	for {
		if err := t.reconcile(ctx); err != nil {
			log.Printf("reconcile: %v", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-tick.C:
		}
	}
}

func newTransport(s *State) (*transport, error) {
	itsCfg, err := s.RESTConfig("its1")
	if err != nil {
		return nil, err
	}
	wdsCfg, err := s.RESTConfig(WDS)
	if err != nil {
		return nil, err
	}
	t := &transport{}
	if t.its, err = kubernetes.NewForConfig(itsCfg); err != nil {
		return nil, err
	}
	if t.oc, err = clusterclient.NewForConfig(itsCfg); err != nil {
		return nil, err
	}
	if t.wc, err = workclient.NewForConfig(itsCfg); err != nil {
		return nil, err
	}
	if t.wds, err = dynamic.NewForConfig(wdsCfg); err != nil {
		return nil, err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(wdsCfg)
	if err != nil {
		return nil, err
	}
	t.wdsDisc = memory.NewMemCacheClient(disc)
	return t, nil
}

// reconcile makes the ITS's ManifestWorks from this WDS what the policies
// ask for now: created, updated or deleted.
func (t *transport) reconcile(ctx context.Context) error {
	want, err := t.desired(ctx)
	if err != nil {
		return err
	}
	have, err := t.wc.WorkV1().ManifestWorks("").List(ctx, metav1.ListOptions{LabelSelector: WDSLabel + "=" + WDS + ",!" + SimulatedLabel})
	if err != nil {
		return err
	}
	var errs []error
	for i := range have.Items {
		mw := &have.Items[i]
		key := mw.Namespace + "/" + mw.Name
		desired, ok := want[key]
		delete(want, key)
		switch {
		case ok && desired == nil:
			err = nil
		case !ok:
			log.Printf("delete ManifestWork %s", key)
			err = t.wc.WorkV1().ManifestWorks(mw.Namespace).Delete(ctx, mw.Name, metav1.DeleteOptions{})
		case !equality.Semantic.DeepEqual(mw.Spec, desired.Spec) || !maps.Equal(mw.Labels, desired.Labels):
			log.Printf("update ManifestWork %s", key)
			mw.Spec, mw.Labels = desired.Spec, desired.Labels
			_, err = t.wc.WorkV1().ManifestWorks(mw.Namespace).Update(ctx, mw, metav1.UpdateOptions{})
		default:
			err = nil
		}
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	for key, mw := range want {
		if mw == nil {
			continue
		}
		log.Printf("create ManifestWork %s", key)
		if _, err := t.wc.WorkV1().ManifestWorks(mw.Namespace).Create(ctx, mw, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// desired are the ManifestWorks the policies ask for, by namespace/name
// (nil for one to leave as it is). Only accepted WECs get any (an
// unaccepted one has no mailbox namespace).
func (t *transport) desired(ctx context.Context) (map[string]*workv1.ManifestWork, error) {
	// The simulated hub WECs' ManifestWorks are the simulator's.
	clusters, err := t.oc.ClusterV1().ManagedClusters().List(ctx, metav1.ListOptions{LabelSelector: "!" + SimulatedLabel})
	if err != nil {
		return nil, err
	}
	wds, err := bindingpolicy.Read(ctx, t.wds, t.wdsDisc)
	if err != nil {
		return nil, err
	}
	out := map[string]*workv1.ManifestWork{}
	for _, policy := range wds.Policies {
		selected, selects := wds.Selected(policy), policy.ClusterMatcher()
		for i := range clusters.Items {
			mc := &clusters.Items[i]
			if !mc.Spec.HubAcceptsClient || !selects(mc.Labels) || len(selected) == 0 {
				continue
			}
			mw, err := t.manifestWork(ctx, mc, policy.Name, selected)
			if err != nil {
				// As KubeStellar does, a failed expansion leaves what was
				// delivered before in place (nil: neither change nor delete).
				log.Printf("%s for %s: %v", policy.Name, mc.Name, err)
				out[mc.Name+"/"+ManifestWorkName(policy.Name)] = nil
				continue
			}
			out[mw.Namespace+"/"+mw.Name] = mw
		}
	}
	return out, nil
}

// manifestWork wraps a policy's objects for one WEC as KubeStellar's
// transport does, with feedback rules so the work agent reports each
// Deployment's replicas.
func (t *transport) manifestWork(ctx context.Context, mc *clusterv1.ManagedCluster, policy string, objects []bindingpolicy.Staged) (*workv1.ManifestWork, error) {
	var props map[string]string
	mw := &workv1.ManifestWork{ObjectMeta: metav1.ObjectMeta{Name: ManifestWorkName(policy), Namespace: mc.Name,
		Labels: map[string]string{BindingPolicyLabel: policy, WDSLabel: WDS}}}
	for _, staged := range objects {
		o := staged.Object
		content := downsyncedContent(o)
		if o.GetAnnotations()[ExpandTemplatesAnnotation] == "true" {
			if props == nil {
				var err error
				if props, err = t.properties(ctx, mc); err != nil {
					return nil, err
				}
			}
			expanded, err := expandTemplates(content, props)
			if err != nil {
				return nil, fmt.Errorf("%s %s/%s: %w", o.GetKind(), o.GetNamespace(), o.GetName(), err)
			}
			content = expanded.(map[string]any)
		}
		raw, err := json.Marshal(content)
		if err != nil {
			return nil, err
		}
		mw.Spec.Workload.Manifests = append(mw.Spec.Workload.Manifests, workv1.Manifest{RawExtension: runtime.RawExtension{Raw: raw}})
		if o.GetKind() == "Deployment" {
			mw.Spec.ManifestConfigs = append(mw.Spec.ManifestConfigs, workv1.ManifestConfigOption{
				ResourceIdentifier: workv1.ResourceIdentifier{Group: "apps", Resource: "deployments", Namespace: o.GetNamespace(), Name: o.GetName()},
				FeedbackRules:      []workv1.FeedbackRule{{Type: workv1.WellKnownStatusType}},
				// The ITS's default, written out so that the ManifestWork as
				// stored equals the one wanted.
				FeedbackScrapeType: workv1.FeedbackPollType,
			})
		}
	}
	return mw, nil
}

// downsyncedContent is what of a WDS object goes to a WEC: its desired
// state, without what the WDS's server set (identity, status, a Service's
// cluster IPs).
func downsyncedContent(o *unstructured.Unstructured) map[string]any {
	meta := map[string]any{"name": o.GetName()}
	if ns := o.GetNamespace(); ns != "" {
		meta["namespace"] = ns
	}
	if l := o.GetLabels(); len(l) > 0 {
		meta["labels"] = toAny(l)
	}
	if a := o.GetAnnotations(); len(a) > 0 {
		meta["annotations"] = toAny(a)
	}
	out := map[string]any{"apiVersion": o.GetAPIVersion(), "kind": o.GetKind(), "metadata": meta}
	for k, v := range o.Object {
		if k != "apiVersion" && k != "kind" && k != "metadata" && k != "status" {
			out[k] = runtime.DeepCopyJSONValue(v)
		}
	}
	if o.GetKind() == "Service" {
		unstructured.RemoveNestedField(out, "spec", "clusterIP")
		unstructured.RemoveNestedField(out, "spec", "clusterIPs")
	}
	return out
}

func toAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// properties are a WEC's template properties as KubeStellar collects them:
// its ConfigMap in customization-properties on the ITS, then its
// ManagedCluster's annotations and labels (the keys that are Go
// identifiers), then clusterName; an earlier source wins.
func (t *transport) properties(ctx context.Context, mc *clusterv1.ManagedCluster) (map[string]string, error) {
	props := map[string]string{"clusterName": mc.Name}
	sources := []map[string]string{mc.Labels, mc.Annotations}
	cm, err := t.its.CoreV1().ConfigMaps(CustomizationNamespace).Get(ctx, mc.Name, metav1.GetOptions{})
	switch {
	case err == nil:
		sources = append(sources, cm.Data)
	case !apierrors.IsNotFound(err):
		return nil, err
	}
	for _, src := range sources {
		for k, v := range src {
			if token.IsIdentifier(k) {
				props[k] = v
			}
		}
	}
	return props, nil
}

// expandTemplates expands every string leaf of v as a Go template over props.
func expandTemplates(v any, props map[string]string) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, item := range v {
			expanded, err := expandTemplates(item, props)
			if err != nil {
				return nil, err
			}
			v[k] = expanded
		}
	case []any:
		for i, item := range v {
			expanded, err := expandTemplates(item, props)
			if err != nil {
				return nil, err
			}
			v[i] = expanded
		}
	case string:
		if !strings.Contains(v, "{{") {
			return v, nil
		}
		tmpl, err := template.New("").Option("missingkey=error").Parse(v)
		if err != nil {
			return nil, err
		}
		var out bytes.Buffer
		if err := tmpl.Execute(&out, props); err != nil {
			return nil, err
		}
		return out.String(), nil
	}
	return v, nil
}

// expectedWorks are the ManifestWorks the seeded policies give WEC number
// n that its work agent can apply.
func expectedWorks(n int) []string {
	names := []string{ManifestWorkName(ShopPolicy)}
	if n%2 == 1 {
		names = append(names, ManifestWorkName(MonitoringPolicy))
	}
	return names
}
