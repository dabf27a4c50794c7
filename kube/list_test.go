package kube

import (
	"reflect"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestClosestNamesTheNearestKindsFirst(t *testing.T) {
	names := []string{"pods", "pod", "po", "deployments", "deployment", "deploy", "widgets", "wdg", "pods"}
	for want, closestOnes := range map[string][]string{
		"deploymnt": {"deployment", "deployments", "deploy"},
		"pds":       {"pods", "po", "pod"},
		"wdgets":    {"widgets", "wdg", "pods"},
	} {
		if got := closest(want, names, 3); !slices.Equal(got, closestOnes) {
			t.Errorf("closest(%q) = %v, want %v", want, got, closestOnes)
		}
	}
	if got := closest("x", nil, 3); len(got) != 0 {
		t.Errorf("closest among none = %v", got)
	}
}

func TestHostDirIsKubectls(t *testing.T) {
	if got := hostDir("https://127.0.0.1:6443"); got != "127.0.0.1_6443" {
		t.Errorf("hostDir = %q", got)
	}
}

func TestASlimListedObjectKeepsItsRowAndLabelsOnly(t *testing.T) {
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop", Labels: map[string]string{"app": "web"}, UID: "u1", Annotations: map[string]string{"big": "value"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{
			{Name: "web", Ready: true, RestartCount: 3, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}},
	}
	whole := Listed{Cluster: "cluster1", Resource: corev1.SchemeGroupVersion.WithResource("pods"), Object: pod}
	slim := whole.Slim()
	if got, want := slim.Row(), whole.Row(); !reflect.DeepEqual(got, want) {
		t.Errorf("slim row = %+v, want %+v", got, want)
	}
	if slim.Row().Restarts != 3 || slim.Row().Ready != "1/1" {
		t.Errorf("slim row lost the pod's status: %+v", slim.Row())
	}
	m, ok := slim.Object.(*metav1.PartialObjectMetadata)
	if !ok {
		t.Fatalf("slim object is %T, want metadata only", slim.Object)
	}
	if m.Name != "web-1" || m.Namespace != "shop" || m.Labels["app"] != "web" || m.Annotations != nil || slim.Kind() != "Pod" {
		t.Errorf("slim metadata = %+v, kind %q", m.ObjectMeta, slim.Kind())
	}
}
