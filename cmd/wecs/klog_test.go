package main

import (
	"io"
	"os"
	"testing"

	"k8s.io/klog/v2"
)

// TestKlogErrorsDoNotReachStderr: client-go reports some errors through
// klog (a watch cut off at exit, say); they must not land on the screen.
func TestKlogErrorsDoNotReachStderr(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	routeKlog(io.Discard, 0)
	klog.ErrorS(nil, "Unexpected error when reading response body")
	klog.Flush()
	os.Stderr = stderr
	w.Close()
	out, _ := io.ReadAll(r)
	if len(out) != 0 {
		t.Errorf("klog wrote to stderr: %q", out)
	}
}
