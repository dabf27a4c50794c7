package kube

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// TestLeftOutFieldsChangeNoRow: each saved pod, given what a row never
// reads (managed fields, annotations, volumes, environment, probes),
// decodes without those and makes the same row as the whole pod.
func TestLeftOutFieldsChangeNoRow(t *testing.T) {
	for _, file := range []string{"pod-running.yaml", "pod-pending.yaml", "pod-failed.yaml"} {
		t.Run(file, func(t *testing.T) {
			pod := &corev1.Pod{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(fixture(t, file).Object, pod); err != nil {
				t.Fatal(err)
			}
			pod.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply}}
			pod.Annotations = map[string]string{"big": "annotation"}
			pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: "data"})
			for i := range pod.Spec.Containers {
				c := &pod.Spec.Containers[i]
				c.Env = append(c.Env, corev1.EnvVar{Name: "A", Value: "b"})
				c.LivenessProbe = &corev1.Probe{InitialDelaySeconds: 3}
				c.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")}
			}
			kept := decodedWithout(t, pod, &corev1.Pod{}, unreadInPod).(*corev1.Pod)
			if len(kept.ManagedFields) != 0 || len(kept.Annotations) != 0 || len(kept.Spec.Volumes) != 0 ||
				len(kept.Spec.Containers[0].Env) != 0 || kept.Spec.Containers[0].LivenessProbe != nil {
				t.Errorf("fields a row never reads were kept: %+v", kept)
			}
			whole, left := podObject("c1", podGVR, pod, pod), podObject("c1", podGVR, kept, kept)
			if !reflect.DeepEqual(whole, left) {
				t.Errorf("the row changed:\nwhole %+v\nleft  %+v", whole, left)
			}
			if left.Usage == nil || left.Usage.CPU == 0 {
				t.Errorf("the containers' requests were lost: %+v", left.Usage)
			}
		})
	}
}

// TestANodeWithoutItsImagesMakesTheSameRow: a node's image list, the
// largest part of a real node, is left out; its row is unchanged.
func TestANodeWithoutItsImagesMakesTheSameRow(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", UID: "u1", Labels: map[string]string{"a": "b"}},
		Spec: corev1.NodeSpec{Unschedulable: true},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourcePods: resource.MustParse("110")},
			Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
			Images:      []corev1.ContainerImage{{Names: []string{"registry/app:1"}, SizeBytes: 1 << 20}},
		}}
	kept := decodedWithout(t, node, &corev1.Node{}, unreadInNode).(*corev1.Node)
	if len(kept.Status.Images) != 0 {
		t.Errorf("the images were kept: %+v", kept.Status.Images)
	}
	whole, left := nodeObject("c1", nodeGVR, node, node), nodeObject("c1", nodeGVR, kept, kept)
	if !reflect.DeepEqual(whole, left) {
		t.Errorf("the row changed:\nwhole %+v\nleft  %+v", whole, left)
	}
}

// TestAnUnreadableItemIsKeptWhole: bytes that are not a whole message are
// passed on as they are, for the decoder to report.
func TestAnUnreadableItemIsKeptWhole(t *testing.T) {
	data, err := (&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Annotations: map[string]string{"a": "b"}}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	cut := data[:len(data)-2]
	if got := leaveOut(nil, cut, unreadInPod); !reflect.DeepEqual(got, cut) {
		t.Errorf("a cut message came out as %q, want it whole: %q", got, cut)
	}
}

// decodedWithout marshals obj, leaves out unread and decodes it into into.
func decodedWithout(t *testing.T, obj interface{ Marshal() ([]byte, error) }, into protoMessage, unread unreadFields) protoMessage {
	t.Helper()
	data, err := obj.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	kept := leaveOut(nil, data, unread)
	if len(kept) >= len(data) {
		t.Errorf("%d bytes kept of %d", len(kept), len(data))
	}
	if err := into.Unmarshal(kept); err != nil {
		t.Fatalf("the kept bytes do not decode: %v", err)
	}
	return into
}
