package kube

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// Status is the health of one object, in words a person reads at a glance.
type Status string

// The statuses, from the best to the worst (see Severity).
const (
	StatusReady     Status = "Ready"
	StatusRunning   Status = "Running"
	StatusSucceeded Status = "Succeeded"
	StatusPending   Status = "Pending"
	StatusNotReady  Status = "NotReady"
	StatusUnknown   Status = "Unknown"
	StatusFailed    Status = "Failed"
)

// Statuses lists every status, best first.
var Statuses = []Status{StatusReady, StatusRunning, StatusSucceeded, StatusPending, StatusNotReady, StatusUnknown, StatusFailed}

// Severity orders statuses: a larger number is worse, so an aggregate shows
// its worst member.
func (s Status) Severity() int {
	for i, st := range Statuses {
		if st == s {
			return i
		}
	}
	return len(Statuses)
}

// ParseStatus reads a status name case-insensitively (for --status flags).
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if strings.EqualFold(string(st), s) {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown status %q: use one of Ready, Running, Succeeded, Pending, NotReady, Unknown, Failed", s)
}

// ObjectStatus derives an object's status and its readiness figure
// ("2/3" for workloads and pods, "" where it means nothing). Pods are read
// by phase and readiness, as kubectl shows them; Jobs by completion; every
// other kind, custom resources included, through kstatus.
func ObjectStatus(obj *unstructured.Unstructured) (Status, string) {
	switch obj.GetKind() {
	case "Pod":
		return podStatus(obj)
	case "Job":
		return jobStatus(obj)
	case "Node":
		return nodeStatus(obj)
	}
	res, err := kstatus.Compute(obj)
	if err != nil {
		return StatusUnknown, ""
	}
	ready := replicasReady(obj)
	switch res.Status {
	case kstatus.CurrentStatus:
		return StatusReady, ready
	case kstatus.InProgressStatus:
		return StatusNotReady, ready
	case kstatus.FailedStatus:
		return StatusFailed, ready
	case kstatus.TerminatingStatus:
		return StatusPending, ready
	}
	return StatusUnknown, ready
}

func podStatus(obj *unstructured.Unstructured) (Status, string) {
	phase, _, _ := unstructured.NestedString(obj.Object, "status", "phase")
	statuses, _, _ := unstructured.NestedSlice(obj.Object, "status", "containerStatuses")
	containers, _, _ := unstructured.NestedSlice(obj.Object, "spec", "containers")
	readyCount := 0
	for _, s := range statuses {
		if m, ok := s.(map[string]any); ok && m["ready"] == true {
			readyCount++
		}
	}
	ready := fmt.Sprintf("%d/%d", readyCount, max(len(containers), len(statuses)))
	if obj.GetDeletionTimestamp() != nil {
		return StatusPending, ready
	}
	switch phase {
	case "Running":
		if podReady(obj) {
			return StatusRunning, ready
		}
		return StatusNotReady, ready
	case "Pending":
		return StatusPending, ready
	case "Succeeded":
		return StatusSucceeded, ready
	case "Failed":
		return StatusFailed, ready
	}
	return StatusUnknown, ready
}

func podReady(obj *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && m["type"] == "Ready" {
			return m["status"] == "True"
		}
	}
	return false
}

func jobStatus(obj *unstructured.Unstructured) (Status, string) {
	succeeded, _, _ := unstructured.NestedInt64(obj.Object, "status", "succeeded")
	completions, found, _ := unstructured.NestedInt64(obj.Object, "spec", "completions")
	if !found {
		completions = 1
	}
	ready := fmt.Sprintf("%d/%d", succeeded, completions)
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["status"] != "True" {
			continue
		}
		switch m["type"] {
		case "Complete":
			return StatusSucceeded, ready
		case "Failed":
			return StatusFailed, ready
		}
	}
	if suspended, _, _ := unstructured.NestedBool(obj.Object, "spec", "suspend"); suspended {
		return StatusPending, ready
	}
	return StatusRunning, ready
}

// replicasReady is "ready/desired" for objects with replicas.
func replicasReady(obj *unstructured.Unstructured) string {
	switch obj.GetKind() {
	case "DaemonSet":
		desired, _, _ := unstructured.NestedInt64(obj.Object, "status", "desiredNumberScheduled")
		ready, _, _ := unstructured.NestedInt64(obj.Object, "status", "numberReady")
		return fmt.Sprintf("%d/%d", ready, desired)
	}
	desired, found, _ := unstructured.NestedInt64(obj.Object, "spec", "replicas")
	if !found {
		return ""
	}
	ready, _, _ := unstructured.NestedInt64(obj.Object, "status", "readyReplicas")
	return fmt.Sprintf("%d/%d", ready, desired)
}
