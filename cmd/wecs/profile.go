package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// profiler writes a CPU profile of the whole run to a file when
// --cpuprofile names one (read it with go tool pprof).
type profiler struct {
	path string
	file *os.File
}

func (p *profiler) start() error {
	if p.path == "" {
		return nil
	}
	f, err := os.Create(p.path)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %v", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("--cpuprofile: %v", err)
	}
	p.file = f
	return nil
}

// stop ends the profile, if one is being written.
func (p *profiler) stop() {
	if p.file == nil {
		return
	}
	pprof.StopCPUProfile()
	_ = p.file.Close()
	p.file = nil
}
