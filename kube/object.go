package kube

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// appliedManifestWorkKind is the owner kind of objects KubeStellar (through
// the OCM work agent) delivered to a WEC.
const appliedManifestWorkKind = "AppliedManifestWork"

// ToObject condenses an object into what the tree keeps.
func ToObject(cluster string, gvr schema.GroupVersionResource, u *unstructured.Unstructured) Object {
	switch u.GetKind() {
	case "Pod":
		return podObject(cluster, gvr, u, podFromUnstructured(u))
	case "Node":
		return nodeObject(cluster, gvr, u, nodeFromUnstructured(u))
	}
	return withPrinted(objectFromMeta(cluster, gvr, u.GetKind(), u), ObjectStatus(u), nil)
}

// podObject is a pod as the tree keeps it; meta is the pod's metadata.
func podObject(cluster string, gvr schema.GroupVersionResource, meta metav1.Object, pod *corev1.Pod) Object {
	return withPrinted(objectFromMeta(cluster, gvr, "Pod", meta), printPod(pod), podUsage(pod))
}

// nodeObject is a node as the tree keeps it; meta is the node's metadata.
func nodeObject(cluster string, gvr schema.GroupVersionResource, meta metav1.Object, node *corev1.Node) Object {
	return withPrinted(objectFromMeta(cluster, gvr, "Node", meta), nodeStatus(node), nodeUsage(node))
}

// objectFromMeta is what the tree keeps of an object's metadata: where it
// is, what it is, its labels, age and owners.
func objectFromMeta(cluster string, gvr schema.GroupVersionResource, kind string, meta metav1.Object) Object {
	obj := Object{
		Cluster: cluster, Namespace: meta.GetNamespace(), Name: meta.GetName(),
		Group: gvr.Group, Version: gvr.Version, Resource: gvr.Resource, Kind: kind,
		UID: meta.GetUID(), Labels: meta.GetLabels(), Created: meta.GetCreationTimestamp().Time,
	}
	for _, ref := range meta.GetOwnerReferences() {
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

// withPrinted adds the status and usage to an object.
func withPrinted(obj Object, p Printed, usage *Usage) Object {
	obj.Status, obj.Word, obj.Ready, obj.Restarts, obj.LastRestart = p.Status, p.Word, p.Ready, p.Restarts, p.LastRestart
	obj.Usage = usage
	return obj
}

// metadataStatus is the status of an object of a metadata-only kind, as
// ObjectStatus reads the whole object: such kinds have no status or
// replicas, so they are Ready, or Terminating once deleted.
func metadataStatus(meta metav1.Object) Printed {
	if meta.GetDeletionTimestamp() != nil {
		return Printed{Status: StatusTerminating}
	}
	return Printed{Status: StatusReady}
}
