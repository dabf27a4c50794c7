package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
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

// hostileLogLine is a log line with the sequences of hostileText and
// without its long tail, so that it is one short append to a log file.
var hostileLogLine = "WARN Ok\x1b]52;c;aGFja2Vk\x07\x1b]0;title\x07 \u009b2J \u202eevil\u202c done"

// hostileFixtures places hostile text in every field wecs prints of a
// ConfigMap (annotation, data), an Event (reason, message, source), a
// ManagedCluster of its own on the ITS (annotation, condition message),
// that cluster's registration CSR (the identity it asks for, the denial's
// message) and a log line of cluster1's pods. It returns the namespace on
// cluster1 and the ManagedCluster's name.
func hostileFixtures(t *testing.T, s *sandbox.State) (string, string) {
	t.Helper()
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
	mc := sandboxtest.ManagedCluster(t, s, &clusterv1.ManagedCluster{ObjectMeta: metav1.ObjectMeta{Name: wec, Annotations: map[string]string{"note": hostileText}},
		Spec: clusterv1.ManagedClusterSpec{HubAcceptsClient: true}})
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
	hostileCSR(t, itsCfg, wec)
	// The log feeder appends to the same file: one short write stays whole.
	logFile, err := os.OpenFile(filepath.Join(s.Dir, "container-logs", "cluster1-app.log"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	if _, err := logFile.WriteString(time.Now().UTC().Format(time.RFC3339Nano) + " stdout F " + hostileLogLine + "\n"); err != nil {
		t.Fatal(err)
	}
	return ns, wec
}

// hostileCSR files a registration CSR for the cluster whose certificate
// request asks for a hostile common name, and denies it with a hostile message.
func hostileCSR(t *testing.T, itsCfg *rest.Config, wec string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "agent\x1b]52;c;aGFja2Vk\x07\u009b2J"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csrs := kubernetes.NewForConfigOrDie(itsCfg).CertificatesV1().CertificateSigningRequests()
	csr, err := csrs.Create(t.Context(), &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: wec + "-hostile", Labels: map[string]string{clusterv1.ClusterNameLabelKey: wec}},
		Spec: certificatesv1.CertificateSigningRequestSpec{Request: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}),
			SignerName: certificatesv1.KubeAPIServerClientSignerName, Usages: []certificatesv1.KeyUsage{certificatesv1.UsageClientAuth}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = csrs.Delete(context.Background(), csr.Name, metav1.DeleteOptions{}) })
	csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type: certificatesv1.CertificateDenied, Status: corev1.ConditionTrue, Reason: "Hostile", Message: hostileText[:200]})
	if _, err := csrs.UpdateApproval(t.Context(), csr.Name, csr, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestHostileTextReachesNoTerminal runs each command and output format
// over the hostile fixtures.
func TestHostileTextReachesNoTerminal(t *testing.T) {
	s := sandboxtest.Shared(t)
	kc := "--kubeconfig=" + s.Kubeconfig
	ns, wec := hostileFixtures(t, s)

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
	// A container's log line.
	out, errOut, code := runWecs(t, "logs", kc, "cluster1/shop/"+sandbox.LoggingPod, "--tail", "5000")
	assertNoRawControls(t, "logs", out+errOut)
	if code != 0 || !strings.Contains(out, `Ok\x1b`+hostileMarker) {
		t.Errorf("logs (exit %d) hide the hostile line:\n%.2000s%s", code, out, errOut)
	}
}

// pressUntil presses key until the screen shows text, at most times times
// (a moment apart), then waits for the text.
func pressUntil(term *tmuxtest.Session, key, text string, times int) {
	for range times {
		if strings.Contains(term.Screen(), text) {
			break
		}
		term.Keys(key)
		time.Sleep(300 * time.Millisecond)
	}
	term.WaitFor(10*time.Second, text)
}

// rawHostile are the hostile sequences as a terminal would obey them; none
// may reach the terminal from the TUI, whose own output is escape sequences.
var rawHostile = []string{"\x1b]52;", "\x1b]0;title", "\x1b]8;;https://evil", "\x1bP+q544e", "\u009b", "\u009d", "\u202e", "\u2066"}

// TestHostileTextReachesNoTerminalFromTheTUI walks the TUI's screens over
// the hostile fixtures, recording every byte sent to the terminal: none of
// the hostile sequences is sent raw, and the text shows, escaped.
func TestHostileTextReachesNoTerminalFromTheTUI(t *testing.T) {
	s := sandboxtest.Shared(t)
	ns, wec := hostileFixtures(t, s)
	raw := filepath.Join(t.TempDir(), "terminal")
	term := tmuxtest.Start(t, 200, 50, buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig+" --its-context its1")
	term.Record(raw)
	term.WaitFor(60*time.Second, "cluster1 Active ● Connected")
	escaped := `\x1b` + hostileMarker
	// The ConfigMap: its Summary (annotation), YAML (data) and Events.
	term.Keys(":", "ns "+ns, "Enter")
	term.Keys(":", "kind cm", "Enter")
	term.WaitFor(20*time.Second, "ConfigMap hostile")
	// The namespace's rows are its name, the kind, then hostile and kube-root-ca.crt.
	term.Keys("/", "hostile", "Enter")
	pressUntil(term, "n", "› ConfigMap hostile", 5)
	term.Keys("d")
	term.WaitFor(20*time.Second, "ConfigMap "+ns+"/hostile on cluster1", escaped)
	term.Keys("y")
	term.WaitFor(20*time.Second, "[YAML]", `\e`+hostileMarker)
	term.Keys("v")
	term.WaitFor(20*time.Second, "[Events]", `Ok\x1b`+hostileMarker)
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "d/y/v details")
	// A followed log with the hostile line.
	term.Keys(":", "clear", "Enter")
	term.Keys("/", sandbox.LoggingPod, "Enter")
	term.WaitFor(20*time.Second, "Pod "+sandbox.LoggingPod)
	term.Keys("4")
	term.WaitFor(20*time.Second, "[Logs]")
	term.WaitFor(20*time.Second, "following")
	// Only the hostile line: the filter keeps lines with its base64 text.
	term.Keys("F", "aGFja2Vk", "Enter")
	term.WaitFor(30*time.Second, `Ok\x1b`+hostileMarker)
	// esc drops the filter, then leaves the pane.
	pressUntil(term, "Escape", "d/y/v details", 3)
	// The ManagedCluster: its details (annotation, condition) and registration (the CSR).
	term.Keys(":", "clusters", "Enter")
	term.WaitFor(20*time.Second, "Clusters")
	// Sorted by name, the test's cluster comes after the sandbox's.
	term.Keys("G")
	term.WaitFor(20*time.Second, "ManagedCluster "+wec, escaped)
	term.Keys("Tab")
	term.WaitFor(20*time.Second, "Registration of "+wec)
	// The condition's long message comes first: page down to the CSRs.
	pressUntil(term, "Space", `agent\x1b`+hostileMarker, 40)
	term.Keys("Escape")
	term.Keys(":", "q", "Enter")
	time.Sleep(time.Second)
	stream, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, seq := range rawHostile {
		if i := strings.Index(string(stream), seq); i >= 0 {
			t.Errorf("the TUI sent %q raw to the terminal: %q", seq, stream[max(i-60, 0):min(i+60, len(stream))])
		}
	}
}
