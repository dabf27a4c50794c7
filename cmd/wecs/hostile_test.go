package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"

	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/termtext"
)

// hostileText holds what a terminal would obey: OSC 52 (clipboard), CSI
// (clear screen), OSC 0 (title), OSC 8 (link), DCS, 8-bit CSI and OSC,
// a bidi override and isolate, a zero-width space and a BEL, and a long tail.
var hostileText = "Ok\x1b]52;c;aGFja2Vk\x07\x1b[2J\x1b[H \x1b]0;title\x07 \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ " +
	"\x1bP+q544e\x1b\\ \u009b2J \u009d0;t\u009c \u202eevil\u202c \u2066iso\u2069 zero\u200bwidth \x7f " + strings.Repeat("long ", 4000)

// hostileMarker is the part of hostileText that must stay visible.
const hostileMarker = "]52;c;aGFja2Vk"

// assertNoRawControls fails when out would put a control sequence, a C1
// control, a bidi or other format character or invalid UTF-8 on the
// terminal, and when the hostile text is not visible in it, escaped.
func assertNoRawControls(t *testing.T, what, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: output is not UTF-8", what)
	}
	for i, r := range out {
		if r != '\n' && r != '\t' && termtext.Unsafe(r) {
			t.Errorf("%s: raw %U at byte %d: %q", what, r, i, out[max(i-40, 0):min(i+40, len(out))])
			return
		}
	}
}

// TestHostileTextReachesNoTerminal places control sequences in every field
// of a ConfigMap, an Event and a ManagedCluster that wecs prints, then runs
// each command and output format over them.
func TestHostileTextReachesNoTerminal(t *testing.T) {
	s := sandboxtest.Shared(t)
	kc := "--kubeconfig=" + s.Kubeconfig
	ctx := t.Context()
	suffix := fmt.Sprint(time.Now().UnixNano() % 1e6)
	ns, wec := "textsafe-hostile-"+suffix, "textsafe-hostile-"+suffix

	cfg, err := s.RESTConfig("cluster1")
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Cleanups run after t.Context() ends: they use a context of their own.
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	cm, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "hostile", Labels: map[string]string{"app": "hostile"},
			Annotations: map[string]string{"note": hostileText}},
		Data: map[string]string{"value": hostileText},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := metav1.NewTime(time.Now())
	if _, err := cs.CoreV1().Events(ns).Create(ctx, &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "hostile.1"},
		InvolvedObject: corev1.ObjectReference{Kind: "ConfigMap", Namespace: ns, Name: cm.Name, UID: cm.UID, APIVersion: "v1"},
		Reason:         "Ok\x1b]52;c;aGFja2Vk\x07\x1b[2J\x1b[H", Message: hostileText, Type: corev1.EventTypeWarning,
		Source:         corev1.EventSource{Component: "\x1b]0;title\x07\u009d0;t\u009c"},
		FirstTimestamp: now, LastTimestamp: now, Count: 1,
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// A ManagedCluster of this test's own, with a hostile condition message.
	itsCfg, err := s.RESTConfig("its1")
	if err != nil {
		t.Fatal(err)
	}
	mcs := clusterclient.NewForConfigOrDie(itsCfg).ClusterV1().ManagedClusters()
	mc, err := mcs.Create(ctx, &clusterv1.ManagedCluster{ObjectMeta: metav1.ObjectMeta{Name: wec, Annotations: map[string]string{"note": hostileText}},
		Spec: clusterv1.ManagedClusterSpec{HubAcceptsClient: true}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Other tests count the ITS's clusters: wait until this one is gone,
	// taking off the hub's finalizers if its cleanup does not end in time.
	t.Cleanup(func() {
		bg := context.Background()
		_ = mcs.Delete(bg, wec, metav1.DeleteOptions{})
		for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
			if _, err := mcs.Get(bg, wec, metav1.GetOptions{}); apierrors.IsNotFound(err) {
				return
			}
			if time.Until(deadline) < 60*time.Second {
				_, _ = mcs.Patch(bg, wec, types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
			}
		}
		t.Errorf("ManagedCluster %s still there 90s after its deletion", wec)
	})
	// The hub's controllers write to a new ManagedCluster too: retry on conflicts.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if mc, err = mcs.Get(ctx, wec, metav1.GetOptions{}); err != nil {
			return err
		}
		mc.Status.Conditions = []metav1.Condition{
			{Type: clusterv1.ManagedClusterConditionJoined, Status: metav1.ConditionTrue, Reason: "Joined", Message: "joined", LastTransitionTime: now},
			{Type: clusterv1.ManagedClusterConditionAvailable, Status: metav1.ConditionFalse, Reason: "Hostile", Message: hostileText, LastTransitionTime: now},
		}
		_, err := mcs.UpdateStatus(ctx, mc, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// visible is how the marker shows in each format.
	visible := map[string]string{"table": `\x1b` + hostileMarker, "wide": `\x1b` + hostileMarker,
		"json": `\u001b` + hostileMarker, "yaml": `\e` + hostileMarker}
	for _, format := range []string{"table", "wide", "json", "yaml"} {
		out, errOut, _ := runWecs(t, "clusters", kc, "-o", format)
		assertNoRawControls(t, "clusters -o "+format, out+errOut)
		if !strings.Contains(out, wec) {
			t.Errorf("clusters -o %s does not list %s:\n%.2000s%s", format, wec, out, errOut)
		}
		if format != "table" && !strings.Contains(out, visible[format]) {
			t.Errorf("clusters -o %s hides the condition message (want %q):\n%.3000s", format, visible[format], out)
		}
		out, errOut, code := runWecs(t, "get", kc, "--cluster", "cluster1", "-n", ns, "--kind", "cm", "-o", format)
		assertNoRawControls(t, "get -o "+format, out+errOut)
		if code != 0 || !strings.Contains(out, "hostile") {
			t.Errorf("get -o %s (exit %d) does not show the ConfigMap:\n%s%s", format, code, out, errOut)
		}
	}
	for _, args := range [][]string{{"events", kc, "cluster1/" + ns + "/cm/hostile"}, {"events", kc, "cluster1/" + ns + "/cm/hostile", "--related"}} {
		out, errOut, code := runWecs(t, args...)
		assertNoRawControls(t, strings.Join(args[2:], " "), out+errOut)
		if code != 0 || !strings.Contains(out, `Ok\x1b`+hostileMarker) || !strings.Contains(out, `\x1b]0;title\x07\u009d0;t\u009c`) {
			t.Errorf("%v (exit %d) hides the event's reason or source:\n%.3000s%s", args[2:], code, out, errOut)
		}
	}
	// An error that quotes cluster text is escaped too.
	_, errOut, code := runWecs(t, "events", kc, "cluster1/"+ns+"/cm/no\x1b]0;x\x07such")
	assertNoRawControls(t, "events error", errOut)
	if code == 0 || !strings.Contains(errOut, `no\x1b]0;x\x07such`) {
		t.Errorf("events of a missing object (exit %d): %q", code, errOut)
	}
}
