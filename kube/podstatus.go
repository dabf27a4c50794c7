package kube

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
)

// podReasonNodeLost is the status.reason the node lifecycle controller gives
// pods of a node it lost touch with.
const podReasonNodeLost = "NodeLost"

// restartTally adds up container restarts and remembers when the latest
// restarted container last finished.
type restartTally struct {
	count int
	last  time.Time
}

func (r *restartTally) add(c corev1.ContainerStatus) {
	r.count += int(c.RestartCount)
	if t := c.LastTerminationState.Terminated; t != nil && t.FinishedAt.Time.After(r.last) {
		r.last = t.FinishedAt.Time
	}
}

// terminatedWord names a terminated container as kubectl does: its reason,
// else the signal that killed it, else its exit code.
func terminatedWord(t *corev1.ContainerStateTerminated) string {
	switch {
	case t.Reason != "":
		return t.Reason
	case t.Signal != 0:
		return fmt.Sprintf("Signal:%d", t.Signal)
	}
	return fmt.Sprintf("ExitCode:%d", t.ExitCode)
}

func podConditionTrue(st *corev1.PodStatus, typ corev1.PodConditionType) bool {
	for _, c := range st.Conditions {
		if c.Type == typ {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// printPod works out a pod's READY, STATUS and RESTARTS the way the
// apiserver's table printer does for `kubectl get pods`: init containers
// first (native sidecars count as containers once started), then the
// regular containers from the last to the first, so that the first
// container's trouble is what the word names.
func printPod(pod *corev1.Pod) Printed {
	st := &pod.Status
	total := len(pod.Spec.Containers)
	sidecars := map[string]bool{}
	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			sidecars[c.Name] = true
			total++
		}
	}

	word := string(st.Phase)
	if st.Reason != "" {
		word = st.Reason
	}
	for _, c := range st.Conditions {
		if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonSchedulingGated {
			word = corev1.PodReasonSchedulingGated
		}
	}

	ready := 0
	var all, sidecarRestarts restartTally
	initializing := false
	for i, c := range st.InitContainerStatuses {
		all.add(c)
		if sidecars[c.Name] {
			sidecarRestarts.add(c)
		}
		if t := c.State.Terminated; t != nil && t.ExitCode == 0 {
			continue
		}
		if sidecars[c.Name] && c.Started != nil && *c.Started {
			if c.Ready {
				ready++
			}
			continue
		}
		// This init container holds the pod back: it names the word.
		initializing = true
		switch w := c.State.Waiting; {
		case c.State.Terminated != nil:
			word = "Init:" + terminatedWord(c.State.Terminated)
		case w != nil && w.Reason != "" && w.Reason != "PodInitializing":
			word = "Init:" + w.Reason
		default:
			word = fmt.Sprintf("Init:%d/%d", i, len(pod.Spec.InitContainers))
		}
		break
	}

	restarts := all
	if !initializing || podConditionTrue(st, corev1.PodInitialized) {
		restarts = sidecarRestarts
		running, errorWord := false, ""
		for i := len(st.ContainerStatuses) - 1; i >= 0; i-- {
			c := st.ContainerStatuses[i]
			restarts.add(c)
			switch {
			case c.State.Waiting != nil && c.State.Waiting.Reason != "":
				word = c.State.Waiting.Reason
			case c.State.Terminated != nil:
				word = terminatedWord(c.State.Terminated)
				if c.State.Terminated.ExitCode != 0 {
					errorWord = word
				}
			case c.Ready && c.State.Running != nil:
				running = true
				ready++
			}
		}
		// A pod whose last container completed while others run is not
		// Completed.
		if word == "Completed" {
			switch {
			case running && podConditionTrue(st, corev1.PodReady):
				word = "Running"
			case errorWord != "":
				word = errorWord
			case running:
				word = "NotReady"
			}
		}
	}

	terminal := st.Phase == corev1.PodSucceeded || st.Phase == corev1.PodFailed
	switch {
	case pod.DeletionTimestamp != nil && st.Reason == podReasonNodeLost:
		word = "Unknown"
	case pod.DeletionTimestamp != nil && !terminal:
		word = "Terminating"
	}
	return Printed{
		Status: podClass(word, st.Phase, podConditionTrue(st, corev1.PodReady)),
		Word:   word, Ready: fmt.Sprintf("%d/%d", ready, total),
		Restarts: restarts.count, LastRestart: restarts.last,
	}
}

// initProgress matches "Init:1/3": init containers still running in order.
var initProgress = regexp.MustCompile(`^Init:\d+/\d+$`)

// failedWords are the container and pod reasons that mean the pod cannot
// run as it is: a person has to look.
var failedWords = map[string]bool{
	"CrashLoopBackOff": true, "ImagePullBackOff": true, "ErrImagePull": true, "ErrImageNeverPull": true,
	"InvalidImageName": true, "OOMKilled": true, "Error": true, "Evicted": true, "Failed": true,
	"ContainerCannotRun": true, "CreateContainerConfigError": true, "CreateContainerError": true,
	"RunContainerError": true, "PreStartHookError": true, "PostStartHookError": true,
	"DeadlineExceeded": true, "ContainerStatusUnknown": true, "UnexpectedAdmissionError": true,
}

// pendingWords are the words of a pod on its way to running.
var pendingWords = map[string]bool{
	"Pending": true, "ContainerCreating": true, "PodInitializing": true, "SchedulingGated": true,
}

// podClass is the class behind a pod's kubectl word, for colours, counts
// and filters.
func podClass(word string, phase corev1.PodPhase, ready bool) Status {
	switch {
	case word == "Terminating":
		return StatusTerminating
	case word == "Unknown" || word == podReasonNodeLost:
		return StatusUnknown
	case phase == corev1.PodFailed || failedWords[word]:
		return StatusFailed
	case word == "Running" && ready:
		return StatusRunning
	case word == "Running" || word == "NotReady":
		return StatusNotReady
	case word == "Completed" || word == "Succeeded":
		return StatusSucceeded
	case pendingWords[word] || initProgress.MatchString(word):
		return StatusPending
	case strings.HasPrefix(word, "Init:"):
		if pendingWords[strings.TrimPrefix(word, "Init:")] {
			return StatusPending
		}
		return StatusFailed
	case strings.HasPrefix(word, "ExitCode:") || strings.HasPrefix(word, "Signal:"):
		return StatusFailed
	}
	// A reason kubectl passes through that wecs does not know: the phase.
	switch phase {
	case corev1.PodPending:
		return StatusPending
	case corev1.PodRunning:
		if ready {
			return StatusRunning
		}
		return StatusNotReady
	case corev1.PodSucceeded:
		return StatusSucceeded
	}
	return StatusUnknown
}

// RestartsText is kubectl's RESTARTS cell: "7 (5m ago)", the age of the
// latest restart counted from now, or the bare count.
func RestartsText(restarts int, last, now time.Time) string {
	if restarts == 0 || last.IsZero() {
		return fmt.Sprint(restarts)
	}
	return fmt.Sprintf("%d (%s ago)", restarts, duration.HumanDuration(now.Sub(last)))
}

// podFromUnstructured reads a pod's spec, status and deletion time; a
// part that does not decode leaves what did (the phase at least).
func podFromUnstructured(u *unstructured.Unstructured) *corev1.Pod {
	pod := &corev1.Pod{}
	pod.DeletionTimestamp = u.GetDeletionTimestamp()
	if spec, ok := u.Object["spec"].(map[string]any); ok {
		_ = runtime.DefaultUnstructuredConverter.FromUnstructured(spec, &pod.Spec)
	}
	if status, ok := u.Object["status"].(map[string]any); ok {
		_ = runtime.DefaultUnstructuredConverter.FromUnstructured(status, &pod.Status)
	}
	return pod
}
