package main

import (
	"strings"
	"testing"

	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

func TestLogsAndEventsCommands(t *testing.T) {
	s := sandboxtest.Shared(t)
	kc := "--kubeconfig=" + s.Kubeconfig

	out, errOut, code := runWecs(t, "logs", kc, "cluster1/shop/debug-shell", "-c", "migrate")
	if code != 0 || !strings.Contains(out, "INFO migrations complete") || strings.Contains(out, "debug-shell/") {
		t.Errorf("init container log (exit %d): %s%s", code, out, errOut)
	}
	out, _, code = runWecs(t, "logs", kc, "cluster1/shop/debug-shell", "-c", "app", "--previous")
	if code != 0 || !strings.Contains(out, "FATAL giving up after 5 retries") {
		t.Errorf("previous log (exit %d): %s", code, out)
	}
	out, _, code = runWecs(t, "logs", kc, "cluster1/payments/deploy/checkout", "--tail", "1", "--all-clusters")
	pods := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		prefix, _, _ := strings.Cut(line, " ")
		pods[prefix] = true
		if !strings.Contains(prefix, "/checkout-") || !strings.HasSuffix(prefix, "/app") {
			t.Errorf("line without a cluster/pod/container prefix: %q", line)
		}
	}
	if code != 0 || len(pods) < 6 {
		t.Errorf("checkout on every cluster (exit %d): %d sources\n%s", code, len(pods), out)
	}

	out, _, code = runWecs(t, "events", kc, "cluster1/payments/deploy/fraud-model", "--related")
	// FailedScheduling repeats while the pods wait; older events expire after an hour.
	warned := false
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		warned = warned || len(f) > 3 && f[0] == "Warning" && f[1] == "FailedScheduling" && strings.HasPrefix(f[2], "Pod/fraud-model-")
	}
	if code != 0 || !strings.HasPrefix(out, "TYPE") || !warned {
		t.Errorf("events (exit %d):\n%s", code, out)
	}

	// Kinds resolve through the WEC's discovery: a custom resource's short name too.
	out, errOut, code = runWecs(t, "events", kc, "cluster1/shop/wdg/blue")
	if code != 0 || !strings.HasPrefix(out, "TYPE") && !strings.Contains(out, "No events") {
		t.Errorf("events of a Widget by its short name (exit %d): %s%s", code, out, errOut)
	}

	for args, want := range map[string]string{
		"events cluster1/shop/deploymnt/web": `resource type "deploymnt"; the closest kinds are deployment`,
		"logs cluster1/shop":                 "write CLUSTER/NAMESPACE/POD or CLUSTER/NAMESPACE/KIND/NAME",
		"logs cluster9/shop/web":             `no cluster "cluster9" on the ITS`,
		"logs cluster1/shop/no-such-pod":     "no Pod shop/no-such-pod on cluster1",
		"logs cluster1/shop/web --tail=-5":   "--tail -5",
	} {
		_, errOut, code := runWecs(t, append([]string{kc}, strings.Fields(args)...)...)
		if code != 1 || !strings.Contains(errOut, want) || strings.Contains(errOut, "goroutine") {
			t.Errorf("wecs %s: exit %d, %q; want %q", args, code, errOut, want)
		}
	}
}
