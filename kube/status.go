package kube

import (
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// Status is the health of one object, in words a person reads at a glance.
type Status string

// The statuses, from the best to the worst (see Severity).
const (
	StatusReady       Status = "Ready"
	StatusRunning     Status = "Running"
	StatusSucceeded   Status = "Succeeded"
	StatusPending     Status = "Pending"
	StatusTerminating Status = "Terminating"
	StatusNotReady    Status = "NotReady"
	StatusUnknown     Status = "Unknown"
	StatusFailed      Status = "Failed"
)

// statusOrder is every status, best first.
var statusOrder = [...]Status{StatusReady, StatusRunning, StatusSucceeded, StatusPending, StatusTerminating, StatusNotReady, StatusUnknown, StatusFailed}

// Statuses lists every status, best first.
var Statuses = statusOrder[:]

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

// ParseStatus reads a status name case-insensitively.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if strings.EqualFold(string(st), s) {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown status %q: use one of %s", s, StatusNames())
}

// StatusNames is the statuses for a message: "Ready, Running, …".
func StatusNames() string {
	names := make([]string, len(Statuses))
	for i, st := range Statuses {
		names[i] = string(st)
	}
	return strings.Join(names, ", ")
}

// Printed is an object's status as kubectl prints it, with the class
// behind wecs's colours, counts and filters.
type Printed struct {
	Status Status
	// Word is kubectl's STATUS (CrashLoopBackOff, Init:0/2, Bound,
	// Ready,SchedulingDisabled …); "" for kinds kubectl has no word for.
	Word string
	// Ready is "ready/desired" where that means something, else "".
	Ready string
	// Restarts and LastRestart are a pod's RESTARTS: the count kubectl
	// shows and when the latest restarted container last finished.
	Restarts    int
	LastRestart time.Time
}

// ObjectStatus derives an object's status. Pods, Nodes, PersistentVolumes
// and their claims read as kubectl prints them; Jobs by completion; every
// other kind, custom resources included, through kstatus.
func ObjectStatus(obj *unstructured.Unstructured) Printed {
	switch obj.GetKind() {
	case "Pod":
		return printPod(podFromUnstructured(obj))
	case "Job":
		return jobStatus(obj)
	case "Node":
		return nodeStatus(nodeFromUnstructured(obj))
	case "PersistentVolume", "PersistentVolumeClaim":
		return volumeStatus(obj)
	}
	res, err := kstatus.Compute(obj)
	if err != nil {
		return Printed{Status: StatusUnknown}
	}
	p := Printed{Ready: replicasReady(obj)}
	switch res.Status {
	case kstatus.CurrentStatus:
		p.Status = StatusReady
	case kstatus.InProgressStatus:
		p.Status = StatusNotReady
	case kstatus.FailedStatus:
		p.Status = StatusFailed
	case kstatus.TerminatingStatus:
		p.Status = StatusTerminating
	default:
		p.Status = StatusUnknown
	}
	return p
}

// volumeStatus is a PersistentVolume's or claim's phase, as kubectl shows
// it: Terminating once deleted.
func volumeStatus(obj *unstructured.Unstructured) Printed {
	phase, _, _ := unstructured.NestedString(obj.Object, "status", "phase")
	if obj.GetDeletionTimestamp() != nil {
		return Printed{Status: StatusTerminating, Word: "Terminating"}
	}
	p := Printed{Word: phase}
	switch phase {
	case "Bound", "Available":
		p.Status = StatusReady
	case "Pending":
		p.Status = StatusPending
	case "Released":
		// Free of its claim but not reclaimed: no new claim can bind it.
		p.Status = StatusNotReady
	case "Failed", "Lost":
		p.Status = StatusFailed
	default:
		p.Status = StatusUnknown
	}
	return p
}

func jobStatus(obj *unstructured.Unstructured) Printed {
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
			return Printed{Status: StatusSucceeded, Ready: ready}
		case "Failed":
			return Printed{Status: StatusFailed, Ready: ready}
		}
	}
	if suspended, _, _ := unstructured.NestedBool(obj.Object, "spec", "suspend"); suspended {
		return Printed{Status: StatusPending, Ready: ready}
	}
	return Printed{Status: StatusRunning, Ready: ready}
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
