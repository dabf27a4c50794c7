package kube

import (
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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

// usageKey is where TrimObject leaves a pod's request totals in the trimmed
// spec: a field of wecs's own, never sent to a server.
const usageKey = "wecs.usage"

// podRequests is a pod's effective request of a resource as the scheduler
// counts it: the larger of the sum over its containers and the largest
// init container, plus the pod's overhead.
func podRequests(spec map[string]any, name string) int64 {
	var sum, initMax int64
	for _, c := range sliceField(spec, "containers") {
		sum += containerRequest(c, name)
	}
	for _, c := range sliceField(spec, "initContainers") {
		initMax = max(initMax, containerRequest(c, name))
	}
	total := max(sum, initMax)
	if overhead, ok := spec["overhead"].(map[string]any); ok {
		total += quantityValue(overhead[name], name)
	}
	return total
}

func sliceField(m map[string]any, name string) []any {
	s, _ := m[name].([]any)
	return s
}

func containerRequest(c any, name string) int64 {
	m, ok := c.(map[string]any)
	if !ok {
		return 0
	}
	res, _ := m["resources"].(map[string]any)
	requests, _ := res["requests"].(map[string]any)
	return quantityValue(requests[name], name)
}

// quantityValue reads a quantity as millicores for cpu, else as a plain
// number (bytes, pods); anything unreadable counts as 0.
func quantityValue(v any, name string) int64 {
	s, ok := v.(string)
	if !ok {
		return 0
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return 0
	}
	if name == "cpu" {
		return q.MilliValue()
	}
	return q.Value()
}

// trimPodUsage sums a pod's requests before its spec is trimmed, into kept.
func trimPodUsage(spec, kept map[string]any) {
	kept[usageKey] = map[string]any{"cpu": podRequests(spec, "cpu"), "memory": podRequests(spec, "memory")}
}

// trimNodeStatus keeps what a Node's status and usage are read from: the
// Ready condition and the allocatable cpu, memory and pods.
func trimNodeStatus(obj map[string]any) {
	status, ok := obj["status"].(map[string]any)
	if !ok {
		return
	}
	kept := map[string]any{}
	for _, c := range sliceField(status, "conditions") {
		if m, ok := c.(map[string]any); ok && m["type"] == "Ready" {
			kept["conditions"] = []any{map[string]any{"type": "Ready", "status": m["status"], "reason": m["reason"]}}
		}
	}
	if alloc, ok := status["allocatable"].(map[string]any); ok {
		kept["allocatable"] = map[string]any{"cpu": alloc["cpu"], "memory": alloc["memory"], "pods": alloc["pods"]}
	}
	obj["status"] = kept
}

// objectUsage reads the Usage of a (trimmed or full) Pod or Node; nil for
// other kinds.
func objectUsage(u *unstructured.Unstructured) *Usage {
	spec, _ := u.Object["spec"].(map[string]any)
	switch u.GetKind() {
	case "Pod":
		node, _ := spec["nodeName"].(string)
		phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
		usage := &Usage{Node: node, Finished: phase == "Succeeded" || phase == "Failed"}
		if sums, ok := spec[usageKey].(map[string]any); ok {
			usage.CPU, _ = sums["cpu"].(int64)
			usage.Memory, _ = sums["memory"].(int64)
		} else if spec != nil {
			usage.CPU, usage.Memory = podRequests(spec, "cpu"), podRequests(spec, "memory")
		}
		return usage
	case "Node":
		alloc, _, _ := unstructured.NestedMap(u.Object, "status", "allocatable")
		unschedulable, _ := spec["unschedulable"].(bool)
		return &Usage{CPU: quantityValue(alloc["cpu"], "cpu"), Memory: quantityValue(alloc["memory"], "memory"),
			Pods: quantityValue(alloc["pods"], "pods"), Unschedulable: unschedulable}
	}
	return nil
}

// nodeStatus reads a Node as kubectl prints it: Ready, or NotReady when
// the Ready condition is False or Unknown (the class is Unknown when the
// node controller lost touch with its kubelet), Unknown without the
// condition, and ",SchedulingDisabled" once cordoned.
func nodeStatus(obj *unstructured.Unstructured) Printed {
	p := Printed{Status: StatusUnknown, Word: "Unknown"}
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != "Ready" {
			continue
		}
		p.Word = "NotReady"
		switch m["status"] {
		case "True":
			p.Status, p.Word = StatusReady, "Ready"
		case "False":
			p.Status = StatusNotReady
		}
	}
	if unschedulable, _, _ := unstructured.NestedBool(obj.Object, "spec", "unschedulable"); unschedulable {
		p.Word += ",SchedulingDisabled"
	}
	return p
}
