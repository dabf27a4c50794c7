package kube

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestObjectStatusFromSavedObjects(t *testing.T) {
	cases := []struct {
		file   string
		status Status
		ready  string
	}{
		{"pod-running.yaml", StatusRunning, "2/2"},
		{"pod-pending.yaml", StatusPending, "0/2"},
		{"pod-failed.yaml", StatusFailed, "0/1"},
		{"deployment-ready.yaml", StatusReady, "3/3"},
		{"deployment-notready.yaml", StatusNotReady, "0/3"},
		{"statefulset-ready.yaml", StatusReady, "1/1"},
		{"job-complete.yaml", StatusSucceeded, "1/1"},
		{"job-failed.yaml", StatusFailed, "0/1"},
		{"widget.yaml", StatusReady, ""},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			for _, trimmed := range []bool{false, true} {
				obj := fixture(t, c.file)
				if trimmed {
					// The informers' transform must not change the status.
					if _, err := TrimObject(obj); err != nil {
						t.Fatal(err)
					}
				}
				p := ObjectStatus(obj)
				if p.Status != c.status || p.Ready != c.ready {
					t.Errorf("trimmed=%v: got %s %q, want %s %q", trimmed, p.Status, p.Ready, c.status, c.ready)
				}
			}
		})
	}
}

func TestStatusSeverityAndParsing(t *testing.T) {
	if StatusFailed.Severity() <= StatusPending.Severity() || StatusPending.Severity() <= StatusRunning.Severity() {
		t.Error("Failed must be worse than Pending, and Pending worse than Running")
	}
	if s, err := ParseStatus("failed"); err != nil || s != StatusFailed {
		t.Errorf("ParseStatus(failed) = %s, %v", s, err)
	}
	if _, err := ParseStatus("broken"); err == nil {
		t.Error("ParseStatus accepted an unknown status")
	}
}

func TestTrimObjectKeepsWhatTheTreeNeeds(t *testing.T) {
	obj := fixture(t, "pod-running.yaml")
	obj.SetAnnotations(map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"})
	if _, err := TrimObject(obj); err != nil {
		t.Fatal(err)
	}
	if len(obj.GetAnnotations()) != 0 {
		t.Errorf("annotations kept: %v", obj.GetAnnotations())
	}
	if _, found, _ := unstructured.NestedSlice(obj.Object, "spec", "volumes"); found {
		t.Error("spec.volumes kept")
	}
	if name, _, _ := unstructured.NestedString(obj.Object, "spec", "nodeName"); name == "" {
		t.Error("spec.nodeName dropped")
	}
	if len(obj.GetOwnerReferences()) != 0 || obj.GetUID() == "" {
		t.Errorf("metadata changed: uid=%q owners=%v", obj.GetUID(), obj.GetOwnerReferences())
	}
}
