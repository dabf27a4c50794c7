package kube

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	workclient "open-cluster-management.io/api/client/work/clientset/versioned"
	workv1 "open-cluster-management.io/api/work/v1"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// WDSLabel is the label KubeStellar's transport puts on a ManifestWork: the
// WDS its objects came from.
const WDSLabel = "transport.kubestellar.io/originWdsName"

// WorkStatus is what the bindings view keeps of a ManifestWork on the ITS:
// who made it, and what its work agent reports per manifest.
type WorkStatus struct {
	Cluster string `json:"cluster"`
	Name    string `json:"name"`
	Policy  string `json:"policy,omitempty"`
	WDS     string `json:"wds,omitempty"`
	// Applied is the ManifestWork's own Applied condition.
	Applied   Condition        `json:"applied"`
	Manifests []ManifestStatus `json:"manifests,omitempty"`
}

// Condition is a condition's status, reason and message ("" status when the
// agent has not reported it).
type Condition struct {
	Status  metav1.ConditionStatus `json:"status,omitempty"`
	Reason  string                 `json:"reason,omitempty"`
	Message string                 `json:"message,omitempty"`
}

// True tells whether the condition is reported True.
func (c Condition) True() bool { return c.Status == metav1.ConditionTrue }

// Text is "Reason: message", or whichever of them is set.
func (c Condition) Text() string {
	switch {
	case c.Reason != "" && c.Message != "":
		return c.Reason + ": " + c.Message
	case c.Message != "":
		return c.Message
	}
	return c.Reason
}

// ManifestStatus is the work agent's report on one manifest.
type ManifestStatus struct {
	ObjectRef
	Applied        Condition `json:"applied"`
	Available      Condition `json:"available"`
	FeedbackSynced Condition `json:"feedbackSynced"`
	// Feedback are the status values the ManifestWork's feedback rules ask
	// for (a Deployment's Replicas, ReadyReplicas, AvailableReplicas …).
	Feedback map[string]string `json:"feedback,omitempty"`
}

// ObjectRef names a delivered object.
type ObjectRef struct {
	Group     string `json:"group"`
	Version   string `json:"version,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Resource  string `json:"resource"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// Text is "namespace/Kind name", or "Kind name" for a cluster-scoped
// object (the resource stands for the kind when the kind is unknown).
func (r ObjectRef) Text() string {
	kind := r.Kind
	if kind == "" {
		kind = r.Resource
	}
	if r.Namespace == "" {
		return kind + " " + r.Name
	}
	return r.Namespace + "/" + kind + " " + r.Name
}

func (r ObjectRef) sameObject(o ObjectRef) bool {
	return r.Group == o.Group && r.Resource == o.Resource && r.Namespace == o.Namespace && r.Name == o.Name
}

func conditionOf(conds []metav1.Condition, typ string) Condition {
	if c := findCondition(conds, typ); c != nil {
		return Condition{Status: c.Status, Reason: c.Reason, Message: c.Message}
	}
	return Condition{}
}

func findCondition(conds []metav1.Condition, typ string) *metav1.Condition {
	for i := range conds {
		if conds[i].Type == typ {
			return &conds[i]
		}
	}
	return nil
}

// WorkStatusOf reads a ManifestWork's origin and status.
func WorkStatusOf(mw *workv1.ManifestWork) WorkStatus {
	w := WorkStatus{Cluster: mw.Namespace, Name: mw.Name, Policy: mw.Labels[BindingPolicyLabel], WDS: mw.Labels[WDSLabel],
		Applied: conditionOf(mw.Status.Conditions, workv1.WorkApplied)}
	for _, m := range mw.Status.ResourceStatus.Manifests {
		meta := m.ResourceMeta
		s := ManifestStatus{
			// The status is anyone's text who may write it on the ITS:
			// made inert here, as everything shows it.
			ObjectRef: ObjectRef{Group: termtext.Clean(meta.Group), Version: termtext.Clean(meta.Version), Kind: termtext.Clean(meta.Kind),
				Resource: termtext.Clean(meta.Resource), Namespace: termtext.Clean(meta.Namespace), Name: termtext.Clean(meta.Name)},
			Applied: conditionOf(m.Conditions, workv1.ManifestApplied), Available: conditionOf(m.Conditions, workv1.ManifestAvailable),
			FeedbackSynced: conditionOf(m.Conditions, statusFeedbackSynced)}
		for _, v := range m.StatusFeedbacks.Values {
			if s.Feedback == nil {
				s.Feedback = map[string]string{}
			}
			s.Feedback[termtext.Clean(v.Name)] = termtext.Clean(fieldValueText(v.Value))
		}
		w.Manifests = append(w.Manifests, s)
	}
	return w
}

// statusFeedbackSynced is the manifest condition saying whether the
// feedback values are current.
const statusFeedbackSynced = "StatusFeedbackSynced"

func fieldValueText(v workv1.FieldValue) string {
	switch {
	case v.Integer != nil:
		return strconv.FormatInt(*v.Integer, 10)
	case v.String != nil:
		return *v.String
	case v.Boolean != nil:
		return strconv.FormatBool(*v.Boolean)
	case v.JsonRaw != nil:
		return *v.JsonRaw
	}
	return ""
}

// DeliveryState says how far an object of a binding policy got on a WEC.
type DeliveryState string

// The delivery states; all but Available are gaps between desired and actual.
const (
	Available    DeliveryState = "Available"
	NotAvailable DeliveryState = "NotAvailable"
	NotApplied   DeliveryState = "NotApplied"
	NotDelivered DeliveryState = "NotDelivered"
	// NotSelected: delivered, but the policy no longer selects the WEC.
	NotSelected DeliveryState = "NotSelected"
)

// Delivery is one object of a policy on one WEC.
type Delivery struct {
	Cluster string `json:"cluster"`
	// Selected: the policy selects the WEC now.
	Selected bool `json:"selected"`
	// Delivered: a ManifestWork of the policy is in the WEC's namespace.
	Delivered bool          `json:"delivered"`
	Applied   bool          `json:"applied"`
	Available bool          `json:"available"`
	State     DeliveryState `json:"state"`
	// Reason says why the state is not Available (the agent's words where
	// it gave any).
	Reason   string            `json:"reason,omitempty"`
	Feedback map[string]string `json:"feedback,omitempty"`
	// Work is the ManifestWork ("" when none).
	Work string `json:"manifestWork,omitempty"`
}

// BoundObject is one object of a policy and its deliveries, one per WEC.
type BoundObject struct {
	ObjectRef
	Deliveries []Delivery `json:"deliveries"`
}

// PolicyBinding is a binding policy's desired-versus-actual state.
type PolicyBinding struct {
	Name string `json:"name"`
	// Clusters are the WECs the policy selects now.
	Clusters []string      `json:"clusters"`
	Objects  []BoundObject `json:"objects"`
	// FromWDS is false when the policy is known only from ManifestWorks'
	// labels (no WDS to read): then Clusters are the WECs that have one.
	FromWDS bool `json:"fromWDS"`
}

// Gaps counts the deliveries that are not Available.
func (p PolicyBinding) Gaps() int {
	n := 0
	for _, o := range p.Objects {
		for _, d := range o.Deliveries {
			if d.State != Available {
				n++
			}
		}
	}
	return n
}

// MissingCopies tells whether a selected WEC lacks an applied, available
// copy of one of the policy's objects.
func (p PolicyBinding) MissingCopies() bool {
	for _, o := range p.Objects {
		for _, d := range o.Deliveries {
			if d.Selected && d.State != Available {
				return true
			}
		}
	}
	return false
}

// ClusterLabels is a WEC as a binding policy sees it.
type ClusterLabels struct {
	Name   string
	Labels map[string]string
	// Accepted: the hub accepts the WEC (only then can it get ManifestWorks).
	Accepted bool
}

// ComputeBindings compares what each policy asks for (from the WDS; nil
// when there is none, and then the policies are those named by the
// ManifestWorks) with what the ManifestWorks report, sorted by policy name.
func ComputeBindings(wds *bindingpolicy.WDS, clusters []ClusterLabels, works []WorkStatus) []PolicyBinding {
	byPolicy := map[string][]WorkStatus{}
	for _, w := range works {
		if w.Policy != "" {
			byPolicy[w.Policy] = append(byPolicy[w.Policy], w)
		}
	}
	var out []PolicyBinding
	if wds != nil {
		for _, p := range wds.Policies {
			var selected []string
			selects := p.ClusterMatcher()
			for _, c := range clusters {
				if c.Accepted && selects(c.Labels) {
					selected = append(selected, c.Name)
				}
			}
			var objects []ObjectRef
			for _, s := range wds.Selected(p) {
				objects = append(objects, stagedRef(s))
			}
			out = append(out, bindPolicy(p.Name, true, selected, objects, byPolicy[p.Name]))
			delete(byPolicy, p.Name)
		}
	}
	// Policies known only from ManifestWorks: the WDS lacks them, or there
	// is none to read.
	for name, ws := range byPolicy {
		var selected []string
		var objects []ObjectRef
		seen := map[ObjectRef]bool{}
		for _, w := range ws {
			if wds == nil {
				selected = append(selected, w.Cluster)
			}
			for _, m := range w.Manifests {
				// The same object whatever version or kind a report names.
				key := ObjectRef{Group: m.Group, Resource: m.Resource, Namespace: m.Namespace, Name: m.Name}
				if !seen[key] {
					seen[key] = true
					objects = append(objects, m.ObjectRef)
				}
			}
		}
		out = append(out, bindPolicy(name, false, selected, objects, ws))
	}
	slices.SortFunc(out, func(a, b PolicyBinding) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

func stagedRef(s bindingpolicy.Staged) ObjectRef {
	version := s.APIVersion
	if s.Group != "" {
		version = version[len(s.Group)+1:]
	}
	return ObjectRef{Group: s.Group, Version: version, Kind: s.Kind, Resource: s.Resource, Namespace: s.Namespace, Name: s.Name}
}

// bindPolicy fills in each object's delivery on each WEC that is selected
// or has a ManifestWork of the policy.
func bindPolicy(name string, fromWDS bool, selected []string, objects []ObjectRef, works []WorkStatus) PolicyBinding {
	slices.Sort(selected)
	isSelected := make(map[string]bool, len(selected))
	for _, c := range selected {
		isSelected[c] = true
	}
	workOn := map[string]*WorkStatus{}
	targets := slices.Clone(selected)
	for i := range works {
		if workOn[works[i].Cluster] == nil && !isSelected[works[i].Cluster] {
			targets = append(targets, works[i].Cluster)
		}
		workOn[works[i].Cluster] = &works[i]
	}
	slices.Sort(targets)
	pb := PolicyBinding{Name: name, Clusters: selected, FromWDS: fromWDS}
	if pb.Clusters == nil {
		pb.Clusters = []string{}
	}
	for _, ref := range objects {
		bo := BoundObject{ObjectRef: ref, Deliveries: make([]Delivery, 0, len(targets))}
		for _, cluster := range targets {
			bo.Deliveries = append(bo.Deliveries, delivery(cluster, isSelected[cluster], ref, workOn[cluster]))
		}
		pb.Objects = append(pb.Objects, bo)
	}
	if pb.Objects == nil {
		pb.Objects = []BoundObject{}
	}
	return pb
}

// delivery judges one object on one WEC from the policy's ManifestWork there.
func delivery(cluster string, selected bool, ref ObjectRef, work *WorkStatus) Delivery {
	d := Delivery{Cluster: cluster, Selected: selected}
	if work == nil {
		d.State, d.Reason = NotDelivered, "selected, but no ManifestWork in "+cluster+"'s namespace on the ITS"
		return d
	}
	d.Delivered, d.Work = true, work.Name
	i := slices.IndexFunc(work.Manifests, func(m ManifestStatus) bool { return m.sameObject(ref) })
	var m ManifestStatus
	if i >= 0 {
		m = work.Manifests[i]
	}
	d.Feedback = m.Feedback
	d.Applied = m.Applied.True()
	d.Available, d.Reason = available(m)
	switch {
	case i < 0 && work.Applied.Status == metav1.ConditionFalse:
		d.State, d.Reason = NotApplied, work.Applied.Text()
	case i < 0:
		d.State, d.Reason = NotApplied, "the work agent has not reported on it yet"
	default:
		d.State, d.Reason = manifestState(m)
	}
	if !selected {
		d.State, d.Reason = NotSelected, "delivered, but the policy no longer selects "+cluster
	}
	return d
}

// manifestState is how far a manifest the work agent reports on got, and
// why not further.
func manifestState(m ManifestStatus) (DeliveryState, string) {
	if !m.Applied.True() {
		return NotApplied, cmp.Or(m.Applied.Text(), "the work agent has not reported it applied yet")
	}
	if ok, why := available(m); !ok {
		return NotAvailable, why
	}
	return Available, ""
}

// available tells whether an applied manifest is available, and if not why:
// the agent's Available condition, and for a workload with replica feedback
// (a Deployment's WellKnownStatus) every desired replica available.
func available(m ManifestStatus) (bool, string) {
	if !m.Available.True() {
		return false, cmp.Or(m.Available.Text(), "the work agent has not reported it available yet")
	}
	desired, ok := m.Feedback["Replicas"]
	if !ok {
		return true, ""
	}
	ready := cmp.Or(m.Feedback["AvailableReplicas"], "0")
	if want, err := strconv.Atoi(desired); err == nil {
		if got, err := strconv.Atoi(ready); err == nil && got >= want {
			return true, ""
		}
	}
	return false, fmt.Sprintf("%s of %s replicas available", ready, desired)
}

// ReadBindings reads, once, the ITS's ManagedClusters and ManifestWorks and
// (when wdsConfig is not nil) the WDS's BindingPolicies and objects, and
// compares them.
func ReadBindings(ctx context.Context, itsConfig, wdsConfig *rest.Config) ([]PolicyBinding, error) {
	oc, err := clusterclient.NewForConfig(itsConfig)
	if err != nil {
		return nil, err
	}
	wc, err := workclient.NewForConfig(itsConfig)
	if err != nil {
		return nil, err
	}
	mcs, err := oc.ClusterV1().ManagedClusters().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("%w: list ManagedClusters: %w", ErrITS, err)
	}
	var clusters []ClusterLabels
	for _, mc := range mcs.Items {
		clusters = append(clusters, ClusterLabels{Name: mc.Name, Labels: mc.Labels, Accepted: mc.Spec.HubAcceptsClient})
	}
	mws, err := listWorks(ctx, wc.WorkV1().RESTClient(), metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("%w: list ManifestWorks: %w", ErrITS, err)
	}
	var works []WorkStatus
	for i := range mws.Items {
		works = append(works, WorkStatusOf(&mws.Items[i]))
	}
	if wdsConfig == nil {
		return ComputeBindings(nil, clusters, works), nil
	}
	client, err := NewWDSClient(wdsConfig, true) // it only reads
	if err != nil {
		return nil, err
	}
	wds, err := client.Read(ctx)
	if err != nil {
		return nil, err
	}
	return ComputeBindings(&wds, clusters, works), nil
}

// BindingClusters are the fleet's members as binding policies see them.
func BindingClusters(members []Member) []ClusterLabels {
	out := make([]ClusterLabels, len(members))
	for i, m := range members {
		out[i] = ClusterLabels{Name: m.Name, Labels: m.Labels, Accepted: m.Accepted}
	}
	return out
}
