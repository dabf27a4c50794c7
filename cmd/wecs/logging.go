package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/klog/v2"

	"github.com/wecs-tui/wecs/internal/buildinfo"
	"github.com/wecs-tui/wecs/internal/config"
)

// runLog is the log a user can send with a bug report: client-go's klog
// lines at -v's verbosity, in --log-file. Without -v or --log-file they are
// thrown away; they never reach the terminal, where they would garble the
// TUI and the CLI's output.
type runLog struct {
	verbosity int
	path      string
	file      *os.File
}

func (l *runLog) addFlags(fs *pflag.FlagSet) {
	fs.IntVarP(&l.verbosity, "v", "v", 0, "log verbosity, as kubectl's (4: what client-go does, 6: every request, 8: their bodies); see --log-file")
	fs.StringVar(&l.path, "log-file", "", "write the log of the run to this file, appending (default "+defaultLogHint+" when -v is given)")
}

const defaultLogHint = "$XDG_STATE_HOME/wecs/wecs.log, ~/.local/state/wecs/wecs.log"

// start opens the log file when -v or --log-file asks for a log.
func (l *runLog) start() error {
	if l.verbosity < 0 {
		return fmt.Errorf("-v %d: give a verbosity from 0 (errors only) to 10", l.verbosity)
	}
	if l.verbosity == 0 && l.path == "" {
		return nil
	}
	path := cmp.Or(l.path, filepath.Join(config.StateDir(), "wecs.log"))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("--log-file: %v", err)
	}
	// Private: request logs can hold what the user may read and others not.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("--log-file: %v (name a file you can write with --log-file)", err)
	}
	version, commit, _ := buildinfo.Info()
	fmt.Fprintf(f, "--- wecs %s (commit %s) started at %s, verbosity %d\n", version, commit, time.Now().Format(time.RFC3339), l.verbosity)
	l.file = f
	routeKlog(f, l.verbosity)
	return nil
}

// stop flushes and closes the log, if one is being written.
func (l *runLog) stop() {
	if l.file == nil {
		return
	}
	klog.Flush()
	routeKlog(io.Discard, 0)
	_ = l.file.Close()
	l.file = nil
}

// routeKlog sends every klog line up to verbosity to w, and none to stderr:
// klog copies lines at or above its stderr threshold (ERROR by default) to
// stderr even when told not to log to stderr.
func routeKlog(w io.Writer, verbosity int) {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	for name, value := range map[string]string{"logtostderr": "false", "alsologtostderr": "false", "stderrthreshold": "FATAL",
		"one_output": "true", "v": strconv.Itoa(verbosity)} {
		_ = fs.Set(name, value)
	}
	klog.SetOutput(w)
}
