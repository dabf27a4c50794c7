package kube

import (
	"bytes"
	"strings"
	"testing"
	"testing/iotest"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/client-go/kubernetes/scheme"
)

// podList is a list as a server holds it: items with labels, a secret's
// worth of bytes in an annotation, and a continuation.
func podList(n int) *corev1.PodList {
	list := &corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: "4711", Continue: "next-page"}}
	for i := range n {
		list.Items = append(list.Items, corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "web-" + strings.Repeat("x", i), Namespace: "shop", UID: "uid",
				Labels: map[string]string{"app": "web"}, Annotations: map[string]string{"note": strings.Repeat("é", i*40)}},
			Spec:   corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
			Status: corev1.PodStatus{Phase: corev1.PodRunning},
		})
	}
	return list
}

func decodePods(t *testing.T, body []byte, oneByteAtATime bool) ([]*corev1.Pod, metav1.ListMeta, bool, error) {
	t.Helper()
	var pods []*corev1.Pod
	in := bytes.NewReader(body)
	reader := any(in).(interface{ Read([]byte) (int, error) })
	if oneByteAtATime {
		reader = iotest.OneByteReader(in)
	}
	meta, _, ok, err := decodeListStream(reader, func() (protoMessage, error) { return &corev1.Pod{}, nil }, nil,
		func(obj runtime.Object) { pods = append(pods, obj.(*corev1.Pod)) })
	return pods, meta, ok, err
}

func TestAStreamedListDecodesAsTheWholeList(t *testing.T) {
	want := podList(30)
	var body bytes.Buffer
	if err := protobuf.NewSerializer(scheme.Scheme, scheme.Scheme).Encode(want, &body); err != nil {
		t.Fatal(err)
	}
	for _, slow := range []bool{false, true} {
		pods, meta, ok, err := decodePods(t, body.Bytes(), slow)
		if err != nil || !ok {
			t.Fatalf("decode (one byte at a time: %v): ok %v, %v", slow, ok, err)
		}
		if meta.ResourceVersion != "4711" || meta.Continue != "next-page" {
			t.Errorf("list metadata = %+v", meta)
		}
		if len(pods) != len(want.Items) {
			t.Fatalf("%d pods, want %d", len(pods), len(want.Items))
		}
		for i := range pods {
			// Each item owns its bytes: the buffer they were read from is reused.
			if pods[i].Name != want.Items[i].Name || pods[i].Annotations["note"] != want.Items[i].Annotations["note"] ||
				pods[i].Spec.Containers[0].Image != "nginx" || pods[i].Status.Phase != corev1.PodRunning {
				t.Fatalf("pod %d = %s %q, want %s", i, pods[i].Name, pods[i].Annotations["note"], want.Items[i].Name)
			}
		}
	}
}

func TestAStreamedListCutShortIsAnError(t *testing.T) {
	var body bytes.Buffer
	if err := protobuf.NewSerializer(scheme.Scheme, scheme.Scheme).Encode(podList(5), &body); err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{body.Len() - 1, body.Len() / 2, 7} {
		if _, _, _, err := decodePods(t, body.Bytes()[:cut], false); err == nil {
			t.Errorf("a body cut at %d of %d bytes decoded without an error", cut, body.Len())
		}
	}
}

func TestAJSONListIsLeftWhole(t *testing.T) {
	body := []byte(`{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}`)
	in := bytes.NewReader(body)
	_, rest, ok, err := decodeListStream(in, func() (protoMessage, error) { return &corev1.Pod{}, nil }, nil, func(runtime.Object) {})
	if err != nil || ok {
		t.Fatalf("JSON body: ok %v, err %v", ok, err)
	}
	var all bytes.Buffer
	if _, err := all.ReadFrom(rest); err != nil || !bytes.Equal(all.Bytes(), body) {
		t.Errorf("the rest of a JSON body = %q (%v), want it whole", all.String(), err)
	}
}
