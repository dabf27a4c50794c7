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

	"github.com/wecs-tui/wecs/internal/termtext"
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
	// Whatever a command prints may hold text from a cluster: the output
	// goes through termtext's writer, so no escape sequence reaches the terminal.
	prof := &profiler{}
	root, stderr := newRoot(quit, prof), termtext.Writer(os.Stderr)
	root.SetOut(termtext.Writer(os.Stdout))
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	prof.stop()
	if code := quit.exitCode(); code != 0 {
		// Ended by a signal: its error, if any, is only that.
		quit.sayWhereTheEditIs()
		os.Exit(code)
	}
	if err != nil {
		fmt.Fprintln(stderr, "wecs:", err)
		os.Exit(exitCode(err))
	}
}
