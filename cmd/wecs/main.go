// Command wecs is a terminal UI and CLI for the workloads of every WEC
// (Workload Execution Cluster) that a KubeStellar ITS knows.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wecs:", err)
		os.Exit(1)
	}
}
