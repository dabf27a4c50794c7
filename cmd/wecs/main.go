// Command wecs is a terminal UI and CLI for the workloads of every WEC
// (Workload Execution Cluster) that a KubeStellar ITS knows.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"k8s.io/klog/v2"
)

// softMemoryLimit makes the garbage collector work harder before the heap
// grows past it (a soft limit: nothing fails above it). The first sync of a
// large fleet allocates quickly; without it the heap grows to twice the
// live data between collections. GOMEMLIMIT overrides it.
const softMemoryLimit = 128 << 20

// silenceKlog sends every klog line, errors included, nowhere: klog copies
// lines at or above its stderr threshold (ERROR by default) to stderr even
// when told not to log to stderr.
func silenceKlog() {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	for name, value := range map[string]string{"logtostderr": "false", "alsologtostderr": "false", "stderrthreshold": "FATAL"} {
		_ = fs.Set(name, value)
	}
	klog.SetOutput(io.Discard)
}

func main() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	// client-go logs through klog; its lines would garble the screen and the
	// CLI's output. Errors reach the user as errors instead.
	silenceKlog()
	ctx, quit := quitOnSignals(context.Background())
	err := newRoot(quit).ExecuteContext(ctx)
	if code := quit.exitCode(); code != 0 {
		// Ended by a signal: its error, if any, is only that.
		os.Exit(code)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wecs:", err)
		os.Exit(exitCode(err))
	}
}
