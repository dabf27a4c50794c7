package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// profiler writes a CPU profile of the whole run to a file when
// --cpuprofile names one, and the heap when --memprofile does (read both
// with go tool pprof).
type profiler struct {
	path, heapPath string
	file, heapFile *os.File
}

// start opens the files (so a path that cannot be written fails at once)
// and starts the CPU profile.
func (p *profiler) start() error {
	if p.heapPath != "" {
		f, err := os.Create(p.heapPath)
		if err != nil {
			return fmt.Errorf("--memprofile: %v", err)
		}
		p.heapFile = f
	}
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

// stop ends the CPU profile and writes the heap profile, if asked for. The
// heap is as the last garbage collection of the run found it: the fleet
// still held, not what is left once the command has let it go.
func (p *profiler) stop() {
	if p.file != nil {
		pprof.StopCPUProfile()
		_ = p.file.Close()
		p.file = nil
	}
	if p.heapFile != nil {
		_ = pprof.WriteHeapProfile(p.heapFile)
		_ = p.heapFile.Close()
		p.heapFile = nil
	}
}
