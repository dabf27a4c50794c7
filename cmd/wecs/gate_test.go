package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// TestTheGateWritesTheResetAfterTheFrameUnderWayAndNothingLater holds a
// frame's write in a pipe nobody reads yet, shuts the gate meanwhile, and
// reads what came: the whole frame, then the reset, and no later frame.
func TestTheGateWritesTheResetAfterTheFrameUnderWayAndNothingLater(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	gate := &gatedOutput{File: w}
	// Larger than a pipe's buffer, so the write waits for the reader.
	frame := strings.Repeat("F", 256<<10)
	frameWritten := make(chan struct{})
	go func() {
		defer close(frameWritten)
		_, _ = gate.WriteString(frame)
	}()
	// Let the frame's write begin and fill the pipe.
	time.Sleep(100 * time.Millisecond)
	shut := make(chan struct{})
	go func() {
		defer close(shut)
		gate.shutWith("RESET")
	}()
	read := make(chan []byte)
	go func() {
		data, _ := io.ReadAll(r)
		read <- data
	}()
	<-frameWritten
	<-shut
	if _, err := gate.WriteString("LATE"); err != nil {
		t.Errorf("a write after the shutting: %v, want it dropped without error", err)
	}
	w.Close()
	got := <-read
	if want := frame + "RESET"; !bytes.Equal(got, []byte(want)) {
		t.Errorf("the terminal got %d bytes ending %q, want the frame whole, then RESET, and nothing after", len(got), got[max(0, len(got)-12):])
	}
}

// TestAfterNextWriteWaitsForTheNextWriteAlone: the call comes once the next
// write is on the terminal, and not again at later writes.
func TestAfterNextWriteWaitsForTheNextWriteAlone(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "terminal")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gate := &gatedOutput{File: f}
	var seen []int64
	gate.afterNextWrite(func() {
		info, _ := f.Stat()
		seen = append(seen, info.Size())
	})
	if len(seen) != 0 {
		t.Fatal("called before any write")
	}
	_, _ = gate.WriteString("frame")
	_, _ = gate.WriteString("next")
	if len(seen) != 1 || seen[0] != int64(len("frame")) {
		t.Fatalf("called with the terminal at %v bytes, want once, after the frame's %d", seen, len("frame"))
	}
}
