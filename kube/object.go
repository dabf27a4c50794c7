package kube

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// appliedManifestWorkKind is the owner kind of objects KubeStellar (through
// the OCM work agent) delivered to a WEC.
const appliedManifestWorkKind = "AppliedManifestWork"

// ToObject condenses an object into what the tree keeps.
func ToObject(cluster string, gvr schema.GroupVersionResource, u *unstructured.Unstructured) Object {
	p := ObjectStatus(u)
	obj := Object{
		Cluster: cluster, Namespace: u.GetNamespace(), Name: u.GetName(),
		Group: gvr.Group, Version: gvr.Version, Resource: gvr.Resource, Kind: u.GetKind(),
		UID: u.GetUID(), Labels: u.GetLabels(), Created: u.GetCreationTimestamp().Time,
		Status: p.Status, Word: p.Word, Ready: p.Ready, Restarts: p.Restarts, LastRestart: p.LastRestart,
		Usage: objectUsage(u),
	}
	for _, ref := range u.GetOwnerReferences() {
		if ref.Kind == appliedManifestWorkKind {
			obj.DeliveredBy = ref.Name
			continue
		}
		if ref.Controller != nil && *ref.Controller {
			obj.Owners = append([]types.UID{ref.UID}, obj.Owners...)
		} else {
			obj.Owners = append(obj.Owners, ref.UID)
		}
	}
	return obj
}

// keptSpecFields are the spec fields status derivation reads; the rest of a
// spec stays on the server until a pane fetches the object.
var keptSpecFields = []string{"replicas", "completions", "parallelism", "suspend", "updateStrategy", "containers", "nodeName", "type", "unschedulable"}

// TrimObject is the informers' transform: it drops what the tree never
// reads (managedFields, the last-applied annotation, Secret and ConfigMap
// data, most of the spec) so that a fleet of thousands of pods stays small.
func TrimObject(obj any) (any, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return obj, nil
	}
	var printed Printed
	if u.GetKind() == "Pod" {
		// kubectl's status word reads init containers, container states
		// and conditions that trimming drops.
		printed = ObjectStatus(u)
	}
	u.SetManagedFields(nil)
	// Annotations (last-applied configurations among them) are read from the
	// full object when a pane shows it.
	u.SetAnnotations(nil)
	for _, field := range []string{"data", "stringData", "binaryData"} {
		delete(u.Object, field)
	}
	if spec, ok := u.Object["spec"].(map[string]any); ok {
		kept := map[string]any{}
		for _, f := range keptSpecFields {
			if v, ok := spec[f]; ok {
				kept[f] = v
			}
		}
		if u.GetKind() == "Pod" {
			trimPodUsage(spec, kept)
		}
		if containers, ok := kept["containers"].([]any); ok {
			// Only the count of containers matters (for "ready/total").
			names := make([]any, 0, len(containers))
			for _, c := range containers {
				if m, ok := c.(map[string]any); ok {
					names = append(names, map[string]any{"name": m["name"]})
				}
			}
			kept["containers"] = names
		}
		u.Object["spec"] = kept
	}
	switch u.GetKind() {
	case "Pod":
		trimPodStatus(u.Object, printed)
	case "Node":
		trimNodeStatus(u.Object)
	}
	return u, nil
}

// trimPodStatus keeps a pod's phase and its printed status.
func trimPodStatus(obj map[string]any, printed Printed) {
	status, _ := obj["status"].(map[string]any)
	kept := map[string]any{"phase": status["phase"]}
	keepPrinted(kept, printed)
	obj["status"] = kept
}
