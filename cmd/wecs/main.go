// Command wecs is a terminal UI and CLI for the workloads of every WEC
// (Workload Execution Cluster) that a KubeStellar ITS knows.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/klog/v2"
)

func main() {
	// client-go logs through klog; its lines would garble the screen and the
	// CLI's output. Errors reach the user as errors instead.
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wecs:", err)
		os.Exit(exitCode(err))
	}
}
