package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

// crashLoopSummary is the Summary of a crash-looping pod: kubectl's word
// and a restart count of one or more, with the age of the last restart.
var crashLoopSummary = regexp.MustCompile(`status +✗ CrashLoopBackOff 0/1 · restarts [1-9][0-9]* \([0-9]+[smh] ago\)`)

// TestTUIFindsTheCrashLoopOnEveryWEC walks the spec's first use case on the
// sandbox's crash-looping pod: the Failed filter finds it on each WEC, its
// Summary says CrashLoopBackOff with the restarts, its Events the BackOff
// warnings, and p on the Logs tab shows the run before the crash.
func TestTUIFindsTheCrashLoopOnEveryWEC(t *testing.T) {
	s := sandboxtest.Shared(t)
	term := tmuxtest.Start(t, 180, 50, buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig+" --its-context its1")
	term.WaitFor(90*time.Second, "cluster1 Active ● Connected", "cluster2 Active ● Connected", "cluster3 Active ● Connected")
	for _, wec := range []string{"cluster1", "cluster2", "cluster3"} {
		// f steps from any status to Failed.
		term.Keys("f")
		term.WaitFor(10*time.Second, "status=Failed")
		term.Keys(":", "cluster "+wec, "Enter")
		term.WaitFor(10*time.Second, "cluster="+wec, "status=Failed")
		// After each back-off the pod runs a while, out of the Failed
		// filter: wait for its row, then search for it at once.
		at := wec + " › " + sandbox.TroubleshootNamespace + " › "
		selected := func() bool {
			screen := term.Screen()
			return strings.Contains(screen, at) && strings.Contains(screen, "› Pod crash-loop-")
		}
		for deadline := time.Now().Add(120 * time.Second); !selected() && time.Now().Before(deadline); {
			term.WaitFor(120*time.Second, "Pod crash-loop-")
			term.Keys("/", "C-u", "crash-loop-", "Enter")
			time.Sleep(time.Second)
		}
		term.WaitFor(time.Second, at, "› Pod crash-loop-")
		// Any status again, so that the pod stays selected while it runs.
		term.Keys(":", "status", "Enter")
		term.WaitFor(10*time.Second, "cluster="+wec, at, "› Pod crash-loop-")
		term.Keys("d")
		// The pod turns Error for a moment after each crash and runs a few
		// seconds, then back to CrashLoopBackOff: the Summary follows it live.
		term.WaitUntil(90*time.Second, func(screen string) string {
			if !strings.Contains(screen, "Pod "+sandbox.TroubleshootNamespace+"/crash-loop-") || !strings.Contains(screen, " on "+wec) {
				return "showed the crash-loop pod of " + wec
			}
			if !crashLoopSummary.MatchString(screen) {
				return "said CrashLoopBackOff with its restarts on " + wec
			}
			return ""
		})
		term.Keys("v")
		term.WaitFor(30*time.Second, "[Events]", "Warning BackOff", "Back-off restarting failed container")
		term.Keys("4")
		term.WaitFor(20*time.Second, "[Logs]", "Pod crash-loop-", "follow")
		term.Keys("p")
		term.WaitFor(20*time.Second, "previous", "FATAL giving up after 5 retries", "end of log")
		term.Keys("Escape")
		term.WaitFor(10*time.Second, "d/y/v details")
	}
	quitFromTheTree(term)
}
