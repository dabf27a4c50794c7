package kube

import (
	"reflect"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/restmapper"
	clienttesting "k8s.io/client-go/testing"
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

// cachedFake is a fake discovery taken for a fresh cache.
type cachedFake struct{ *fakediscovery.FakeDiscovery }

func (cachedFake) Fresh() bool { return true }
func (cachedFake) Invalidate() {}

func TestACoreKindResolvesAsKubectlsMapperFromTheCoreGroupAlone(t *testing.T) {
	fake := &fakediscovery.FakeDiscovery{Fake: &clienttesting.Fake{Resources: []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "pods", SingularName: "pod", Kind: "Pod", Namespaced: true, ShortNames: []string{"po"}},
			{Name: "pods/log", Kind: "Pod", Namespaced: true},
			{Name: "events", SingularName: "event", Kind: "Event", Namespaced: true, ShortNames: []string{"ev"}},
			{Name: "nodes", SingularName: "node", Kind: "Node", ShortNames: []string{"no"}},
		}},
		{GroupVersion: "events.k8s.io/v1", APIResources: []metav1.APIResource{
			{Name: "events", SingularName: "event", Kind: "Event", Namespaced: true, ShortNames: []string{"ev"}},
		}},
		{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
			{Name: "deployments", SingularName: "deployment", Kind: "Deployment", Namespaced: true, ShortNames: []string{"deploy"}},
		}},
	}}}
	disc := cachedFake{fake}
	var full discovery.CachedDiscoveryInterface = disc
	mapper := restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(full), full, nil)
	for _, name := range []string{"pods", "pod", "po", "Pod", "POD", "events", "ev", "event", "nodes", "no", "Node"} {
		fake.ClearActions()
		got, ok, err := coreKind(disc, name)
		if err != nil || !ok {
			t.Fatalf("coreKind(%q) = %v, %v", name, ok, err)
		}
		if reads := len(fake.Actions()); reads != 1 {
			t.Errorf("coreKind(%q) read discovery %d times, want the core group once", name, reads)
		}
		want, err := resolveKind(mapper, name)
		if err != nil {
			t.Fatalf("the full mapper on %q: %v", name, err)
		}
		if got != want {
			t.Errorf("coreKind(%q) = %+v, the full mapper says %+v", name, got, want)
		}
	}
	for _, name := range []string{"deploy", "deployments", "events.events.k8s.io", "pods.v1.", "wdg"} {
		if got, ok, err := coreKind(disc, name); ok || err != nil {
			t.Errorf("coreKind(%q) = %+v, %v, %v; want it left to the full mapper", name, got, ok, err)
		}
	}
	a := clusterAnswer{}
	kinds, err := a.resolve(disc, []string{"po", "deploy", "wdgets"})
	if err != nil {
		t.Fatal(err)
	}
	if len(kinds) != 2 || kinds[0].gvr.Resource != "pods" || kinds[1].gvr.Resource != "deployments" || !slices.Equal(a.unknown, []string{"wdgets"}) {
		t.Errorf("resolve = %+v, unknown %v", kinds, a.unknown)
	}
}
