package kube

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// Usage is what node capacity is made of: for a Pod, the node it is bound
// to and its effective requests; for a Node, what it can hold (allocatable)
// and whether it takes new pods.
type Usage struct {
	// Node is the node a pod is bound to ("" while unscheduled).
	Node string
	// CPU in millicores and Memory in bytes: a pod's requests, a node's
	// allocatable.
	CPU, Memory int64
	// Pods is how many pods a node can hold.
	Pods int64
	// Unschedulable marks a cordoned node.
	Unschedulable bool
	// Finished marks a pod whose phase is Succeeded or Failed: the
	// scheduler no longer counts its requests.
	Finished bool
}

// podRequests is a pod's effective request of a resource as the scheduler
// counts it: the larger of the sum over its containers and the largest
// init container, plus the pod's overhead.
func podRequests(spec *corev1.PodSpec, name corev1.ResourceName) int64 {
	var sum, initMax int64
	for _, c := range spec.Containers {
		sum += quantityValue(c.Resources.Requests, name)
	}
	for _, c := range spec.InitContainers {
		initMax = max(initMax, quantityValue(c.Resources.Requests, name))
	}
	return max(sum, initMax) + quantityValue(spec.Overhead, name)
}

// quantityValue reads a quantity of a list as millicores for cpu, else as
// a plain number (bytes, pods); 0 when the list lacks it.
func quantityValue(list corev1.ResourceList, name corev1.ResourceName) int64 {
	q, ok := list[name]
	if !ok {
		return 0
	}
	if name == corev1.ResourceCPU {
		return q.MilliValue()
	}
	return q.Value()
}

// podUsage is a pod's node and requests.
func podUsage(pod *corev1.Pod) *Usage {
	return &Usage{Node: pod.Spec.NodeName, Finished: pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed,
		CPU: podRequests(&pod.Spec, corev1.ResourceCPU), Memory: podRequests(&pod.Spec, corev1.ResourceMemory)}
}

// nodeUsage is what a node can hold and whether it takes new pods.
func nodeUsage(node *corev1.Node) *Usage {
	alloc := node.Status.Allocatable
	return &Usage{CPU: quantityValue(alloc, corev1.ResourceCPU), Memory: quantityValue(alloc, corev1.ResourceMemory),
		Pods: quantityValue(alloc, corev1.ResourcePods), Unschedulable: node.Spec.Unschedulable}
}

// nodeStatus reads a Node as kubectl prints it: Ready, or NotReady when
// the Ready condition is False or Unknown (the class is Unknown when the
// node controller lost touch with its kubelet), Unknown without the
// condition, and ",SchedulingDisabled" once cordoned.
func nodeStatus(node *corev1.Node) Printed {
	p := Printed{Status: StatusUnknown, Word: "Unknown"}
	for _, c := range node.Status.Conditions {
		if c.Type != corev1.NodeReady {
			continue
		}
		p.Word = "NotReady"
		switch c.Status {
		case corev1.ConditionTrue:
			p.Status, p.Word = StatusReady, "Ready"
		case corev1.ConditionFalse:
			p.Status = StatusNotReady
		}
	}
	if node.Spec.Unschedulable {
		p.Word += ",SchedulingDisabled"
	}
	return p
}

// nodeFromUnstructured reads a node's spec and status; a part that does
// not decode leaves what did.
func nodeFromUnstructured(u *unstructured.Unstructured) *corev1.Node {
	node := &corev1.Node{}
	if spec, ok := u.Object["spec"].(map[string]any); ok {
		_ = runtime.DefaultUnstructuredConverter.FromUnstructured(spec, &node.Spec)
	}
	if status, ok := u.Object["status"].(map[string]any); ok {
		_ = runtime.DefaultUnstructuredConverter.FromUnstructured(status, &node.Status)
	}
	return node
}
