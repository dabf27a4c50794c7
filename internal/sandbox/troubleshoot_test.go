package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

// troubleStates maps each value of sandbox.TroubleLabel to the STATUS
// `kubectl get pods` prints for the pod in that state.
var troubleStates = map[string]string{
	"crash-loop":      "CrashLoopBackOff",
	"image-pull":      "ImagePullBackOff",
	"oom-killed":      "OOMKilled",
	"terminating":     "Terminating",
	"evicted":         "Evicted",
	"init-crash-loop": "Init:CrashLoopBackOff",
}

// kubectlPod is one row of `kubectl get pods`.
type kubectlPod struct {
	name, status, state string
	restarts            int
}

// kubectlTroubleshootPods lists the troubleshoot pods of a WEC as kubectl
// prints them, with each pod's state label.
func kubectlTroubleshootPods(ctx context.Context, s *sandbox.State, wec string) ([]kubectlPod, error) {
	out, err := exec.CommandContext(ctx, "kubectl", "--kubeconfig", s.Kubeconfig, "--context", wec,
		"get", "pods", "-n", sandbox.TroubleshootNamespace, "--no-headers", "-L", sandbox.TroubleLabel).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			err = fmt.Errorf("%w: %s", err, exit.Stderr)
		}
		return nil, fmt.Errorf("kubectl get pods on %s: %w", wec, err)
	}
	var pods []kubectlPod
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		// NAME READY STATUS RESTARTS [(AGO ago)] AGE STATE
		f := strings.Fields(line)
		if len(f) < 6 {
			return nil, fmt.Errorf("%s: unexpected kubectl row %q", wec, line)
		}
		restarts, err := strconv.Atoi(f[3])
		if err != nil {
			return nil, fmt.Errorf("%s: RESTARTS of row %q: %w", wec, line, err)
		}
		pods = append(pods, kubectlPod{name: f[0], status: f[2], restarts: restarts, state: f[len(f)-1]})
	}
	return pods, nil
}

// TestTroubleshootPodsShowKubeletStates checks that kwok's troubleshoot
// stages put a pod in each broken state on every WEC, as kubectl shows
// them, and that the crash loop's restart count keeps rising.
func TestTroubleshootPodsShowKubeletStates(t *testing.T) {
	s := sandboxtest.Shared(t)
	for _, wec := range s.WECNames() {
		t.Run(wec, func(t *testing.T) {
			t.Parallel()
			w := &stateWatch{seen: map[string][]string{}, firstCrashRestarts: -1}
			// The crash loop cycles through Running and Error and its
			// back-off reaches 40 s, so a few cycles fit in the deadline.
			// kubectl runs every 2 s: each run costs a process start.
			var last error
			err := wait.PollUntilContextTimeout(t.Context(), 2*time.Second, 4*time.Minute, true, func(context.Context) (bool, error) {
				// Not the poll's context: a kubectl killed at the deadline
				// would hide what the last complete listing lacked.
				ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
				defer cancel()
				pods, err := kubectlTroubleshootPods(ctx, s, wec)
				if err == nil {
					err = w.observe(pods)
				}
				last = err
				return err == nil, nil
			})
			if err != nil {
				t.Fatalf("%s, not within 4m: %v", wec, last)
			}
			t.Logf("%s: crash loop seen at CrashLoopBackOff %d, later %d", wec, w.firstCrashRestarts, w.crashRestarts)
			checkTroubleDetails(t, s, wec)
		})
	}
}

// stateWatch gathers what kubectl showed for the troubleshoot pods over time.
type stateWatch struct {
	seen                              map[string][]string // state label → STATUS words seen
	firstCrashRestarts, crashRestarts int                 // the crash loop's restarts when first and last seen in back-off
}

// observe records one listing and says what has not been seen yet.
func (w *stateWatch) observe(pods []kubectlPod) error {
	for _, p := range pods {
		if !slices.Contains(w.seen[p.state], p.status) {
			w.seen[p.state] = append(w.seen[p.state], p.status)
		}
		if p.state == "crash-loop" && p.status == "CrashLoopBackOff" {
			if w.firstCrashRestarts < 0 {
				w.firstCrashRestarts = p.restarts
			}
			w.crashRestarts = p.restarts
		}
	}
	var missing []string
	for state, want := range troubleStates {
		if !slices.Contains(w.seen[state], want) {
			missing = append(missing, fmt.Sprintf("%s pod never %s (seen %v)", state, want, w.seen[state]))
		}
	}
	slices.Sort(missing)
	if w.firstCrashRestarts < 1 || w.crashRestarts <= w.firstCrashRestarts {
		missing = append(missing, fmt.Sprintf("crash loop's restarts not seen rising (CrashLoopBackOff %d, then %d)", w.firstCrashRestarts, w.crashRestarts))
	}
	if len(missing) > 0 {
		return errors.New(strings.Join(missing, "; "))
	}
	return nil
}

// checkTroubleDetails checks what kubectl describe shows beyond the STATUS
// word: the crash loop's last termination and BackOff warnings, the
// eviction's reason and message, and the finalizer holding the
// terminating pod.
func checkTroubleDetails(t *testing.T, s *sandbox.State, wec string) {
	cs := clientFor(t, s, wec)
	pods, err := cs.CoreV1().Pods(sandbox.TroubleshootNamespace).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byState := map[string]corev1.Pod{}
	for _, p := range pods.Items {
		byState[p.Labels[sandbox.TroubleLabel]] = p
	}
	crash := byState["crash-loop"]
	if len(crash.Status.ContainerStatuses) != 1 {
		t.Fatalf("%s: crash-loop pod %s has container statuses %+v", wec, crash.Name, crash.Status.ContainerStatuses)
	}
	if last := crash.Status.ContainerStatuses[0].LastTerminationState.Terminated; last == nil || last.ExitCode != 1 || last.Reason != "Error" || last.FinishedAt.IsZero() {
		t.Errorf("%s: crash-loop pod's last termination %+v, want exit code 1, Error, a finish time", wec, last)
	}
	events, err := cs.CoreV1().Events(sandbox.TroubleshootNamespace).List(t.Context(), metav1.ListOptions{
		FieldSelector: fields.Set{"involvedObject.name": crash.Name, "reason": "BackOff", "type": corev1.EventTypeWarning}.String()})
	if err != nil {
		t.Fatal(err)
	}
	if len(events.Items) == 0 {
		t.Errorf("%s: no BackOff warning for %s", wec, crash.Name)
	}
	oom := byState["oom-killed"].Status.ContainerStatuses
	if len(oom) != 1 || oom[0].RestartCount == 0 && (oom[0].State.Terminated == nil || oom[0].State.Terminated.ExitCode != 137) {
		t.Errorf("%s: oom-killed pod's containers %+v, want killed with exit code 137 and restarted", wec, oom)
	}
	evicted := byState["evicted"]
	if evicted.Status.Phase != corev1.PodFailed || evicted.Status.Reason != "Evicted" || !strings.HasPrefix(evicted.Status.Message, "The node was low on resource: memory.") {
		t.Errorf("%s: evicted pod is %s, reason %q, message %q", wec, evicted.Status.Phase, evicted.Status.Reason, evicted.Status.Message)
	}
	held := byState["terminating"]
	if held.DeletionTimestamp == nil || !slices.Contains(held.Finalizers, "sandbox.wecs.dev/hold") {
		t.Errorf("%s: terminating pod deleted at %v with finalizers %v", wec, held.DeletionTimestamp, held.Finalizers)
	}
}
