package kube

import (
	"cmp"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// DeliveredObjects are the objects the ITS's ManifestWorks in a WEC's
// namespace deliver to it, as its work agent reports them, sorted by
// namespace, kind and name: what wecs can show of a WEC it does not read.
// They are marked FromITS. The slice is made once per change of the WEC's
// ManifestWorks and shared until then: callers must not modify it.
func (f *Fleet) DeliveredObjects(cluster string) []Object {
	f.mu.RLock()
	out, ok := f.delivered[cluster]
	f.mu.RUnlock()
	if ok {
		return out
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if out, ok := f.delivered[cluster]; ok {
		return out
	}
	for _, w := range f.works[cluster] {
		out = append(out, w.Objects()...)
	}
	slices.SortFunc(out, func(a, b Object) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	f.delivered[cluster] = out
	return out
}

// Objects are the manifests the work agent reports on, as tree objects on
// the ManifestWork's WEC: status from its conditions and feedback, the
// delivery state as the word (Available, NotApplied, NotAvailable).
func (w WorkStatus) Objects() []Object {
	out := make([]Object, 0, len(w.Manifests))
	for _, m := range w.Manifests {
		state, _ := manifestState(m)
		o := Object{Cluster: w.Cluster, Namespace: m.Namespace, Name: m.Name, Group: m.Group, Version: m.Version, Kind: m.Kind,
			Resource: m.Resource, UID: types.UID("manifestwork/" + w.Name + "/" + m.Group + "/" + m.Resource + "/" + m.Namespace + "/" + m.Name),
			Word: string(state), DeliveredBy: w.Name, FromITS: true}
		switch {
		case state == Available:
			o.Status = StatusReady
		case state == NotAvailable:
			o.Status = StatusNotReady
		case m.Applied.Status == metav1.ConditionFalse:
			o.Status = StatusFailed
		default:
			o.Status = StatusPending
		}
		if desired, ok := m.Feedback["Replicas"]; ok {
			o.Ready = m.Feedback["AvailableReplicas"]
			if o.Ready == "" {
				o.Ready = "0"
			}
			o.Ready += "/" + desired
		}
		out = append(out, o)
	}
	return out
}
