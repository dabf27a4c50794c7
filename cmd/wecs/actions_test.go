package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

// TestTUIFollowsLogsAndSavesThem opens a failing pod's logs, as a new user
// would: ERROR lines arrive in red, a search finds one, s saves the log.
func TestTUIFollowsLogsAndSavesThem(t *testing.T) {
	s := sandboxtest.Shared(t)
	state := t.TempDir()
	term := tmuxtest.Start(t, 160, 40, "XDG_STATE_HOME="+state+" "+buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig)
	term.WaitFor(60*time.Second, "cluster1 Active ● Connected")
	term.Keys("/", "c", "r", "a", "s", "h", "y", "Enter")
	term.WaitFor(10*time.Second, "cluster1 › batch › Pod crashy")
	term.Keys("l")
	term.WaitFor(10*time.Second, "[Logs]", "Pod crashy on cluster1 · all containers · tail 100 · following")
	logKeepsComing(t, term)
	red := regexp.MustCompile(`\x1b\[38;5;203mERROR `)
	deadline := time.Now().Add(15 * time.Second)
	for !red.MatchString(term.StyledScreen()) && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if !red.MatchString(term.StyledScreen()) {
		t.Errorf("no ERROR line in red:\n%q", term.StyledScreen())
	}
	term.Keys("/", "E", "R", "R", "O", "R", "Enter")
	// The last match is at the live end, so the view keeps following.
	term.WaitFor(10*time.Second, "/ERROR")
	term.Keys("s")
	term.WaitFor(10*time.Second, "saved ")
	files, _ := filepath.Glob(filepath.Join(state, "wecs", "logs", "cluster1_batch_crashy_*.log"))
	if len(files) != 1 {
		t.Fatalf("saved files: %v", files)
	}
	// The whole path is on screen (wrapped at its slashes if need be).
	if screen := term.Screen(); !strings.Contains(screen, filepath.Base(files[0])) || !strings.Contains(screen, "saved ") {
		t.Errorf("the path %s is not on screen:\n%s", files[0], screen)
	}
	saved, err := os.ReadFile(files[0])
	if err != nil || !strings.Contains(string(saved), "ERROR") {
		t.Errorf("saved file %s: %v\n%.300s", files[0], err, saved)
	}
	term.Keys("G")
	term.WaitFor(10*time.Second, "· following")
	// esc drops the search first, then goes back to the tree.
	term.Keys("Escape")
	term.WaitGone(10*time.Second, "/ERROR")
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "d/y/v details")
	quitFromTheTree(term)
}

// labelEditor is an editor script that adds the label edited-by=wecs-e2e.
const labelEditor = "sed -i 's/^  labels:$/  labels:\\n    edited-by: wecs-e2e/' \"$1\""

// e2eDeployment creates a Deployment of one pod in namespace batch of
// cluster, named prefix and a number, deleted when the test ends; it
// returns the cluster's admin client and the name.
func e2eDeployment(t *testing.T, s *sandbox.State, cluster, prefix string) (kubernetes.Interface, string) {
	t.Helper()
	cfg, err := s.RESTConfig(cluster)
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	name := fmt.Sprintf("%s-%d", prefix, time.Now().Unix()%100000)
	one := int32(1)
	labels := map[string]string{"app": name}
	deploy := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: appsv1.DeploymentSpec{
		Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "ghcr.io/example/app:1"}}}},
	}}
	if _, err := cs.AppsV1().Deployments("batch").Create(t.Context(), deploy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.AppsV1().Deployments("batch").Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	return cs, name
}

// editLabelInTheTree finds Deployment batch/name of cluster in the tree,
// edits it with labelEditor (the session's $EDITOR), and checks the label
// in the Summary and on the server.
func editLabelInTheTree(t *testing.T, term *tmuxtest.Session, cs kubernetes.Interface, cluster, name string) {
	t.Helper()
	term.Keys("/")
	term.Keys(strings.Split(name, "")...)
	term.Keys("Enter", "d")
	term.WaitFor(20*time.Second, "Deployment batch/"+name+" on "+cluster)
	term.Keys("e")
	term.WaitFor(20*time.Second, "saved Deployment batch/"+name+" on "+cluster, "edited-by=wecs-e2e")
	got, err := cs.AppsV1().Deployments("batch").Get(t.Context(), name, metav1.GetOptions{})
	if err != nil || got.Labels["edited-by"] != "wecs-e2e" {
		t.Fatalf("the label on the server: %v, %v", got.Labels, err)
	}
}

// scriptedEditor is a shell script to use as $EDITOR: wecs runs it with
// the file to edit as $1.
func scriptedEditor(t *testing.T, script string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "editor.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// logKeepsComing checks that a followed log's line count grows while we
// watch: new lines keep arriving.
func logKeepsComing(t *testing.T, term *tmuxtest.Session) {
	t.Helper()
	lines := regexp.MustCompile(`· (\d+) lines`)
	count := func() int {
		var n int
		if m := lines.FindStringSubmatch(term.Screen()); m != nil {
			fmt.Sscan(m[1], &n)
		}
		return n
	}
	before := count()
	deadline := time.Now().Add(10 * time.Second)
	for count() <= before && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if count() <= before {
		t.Fatalf("no new log line within 10s (%d lines):\n%s", before, term.Screen())
	}
}

// TestTUIEditsDeletesAndStaysReadOnly edits a Deployment's label through a
// scripted $EDITOR and sees it in the Summary, deletes one of its pods after
// confirming, then checks that --readonly offers none of it.
func TestTUIEditsDeletesAndStaysReadOnly(t *testing.T) {
	s := sandboxtest.Shared(t)
	cs, name := e2eDeployment(t, s, "cluster3", "e2e-edit")
	editor := scriptedEditor(t, labelEditor)
	term := tmuxtest.Start(t, 160, 40, "EDITOR="+editor+" "+buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig)
	term.WaitFor(60*time.Second, "cluster3 Active ● Connected")
	editLabelInTheTree(t, term, cs, "cluster3", name)

	// Its pod: confirm, and it is gone from the server.
	var pod string
	deadline := time.Now().Add(30 * time.Second)
	for pod == "" && time.Now().Before(deadline) {
		pods, _ := cs.CoreV1().Pods("batch").List(t.Context(), metav1.ListOptions{LabelSelector: "app=" + name})
		if len(pods.Items) == 1 {
			pod = pods.Items[0].Name
		}
		time.Sleep(200 * time.Millisecond)
	}
	if pod == "" {
		t.Fatal("the Deployment's pod never appeared")
	}
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "d/y/v details")
	term.Keys("/")
	term.Keys(strings.Split(pod, "")...)
	term.Keys("Enter")
	// The search's status, not the breadcrumb (the Deployment's was on screen already).
	term.WaitFor(10*time.Second, "/"+pod+" (1 of 1)")
	term.Keys("C-d")
	term.WaitFor(10*time.Second, "delete Pod batch/"+pod+" on cluster3? y/n")
	term.Keys("y")
	term.WaitFor(20*time.Second, "deleted Pod batch/"+pod+" on cluster3")
	// Deleted: gone, or on its way out (kwok finishes it when it gets to it).
	deadline = time.Now().Add(20 * time.Second)
	for {
		got, err := cs.CoreV1().Pods("batch").Get(t.Context(), pod, metav1.GetOptions{})
		if apierrors.IsNotFound(err) || err == nil && got.DeletionTimestamp != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pod %s still there after the delete: %v", pod, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	quitFromTheTree(term)

	// Read-only: the same keys offer nothing and the object stays as it is.
	ro := tmuxtest.Start(t, 160, 60, "EDITOR="+editor+" "+buildWecs(t)+" tui --readonly --kubeconfig "+s.Kubeconfig)
	ro.WaitFor(60*time.Second, "wecs RO · ITS its1", "cluster3 Active ● Connected")
	ro.Keys("/")
	ro.Keys(strings.Split(name, "")...)
	ro.Keys("Enter", "e")
	ro.WaitFor(10*time.Second, "edit: wecs runs read-only")
	ro.Keys("C-d")
	ro.WaitFor(10*time.Second, "delete: wecs runs read-only")
	ro.Keys("?")
	// The help lists them, off.
	ro.WaitFor(10*time.Second, "edit in $KUBE_EDITOR / $EDITOR / vi (off now)", "delete (asks first) (off now)")
}
