package logview

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
)

// followed is a Logs tab following a pod, as after Open.
func followed(capacity int) Model {
	m := New(nil, theme.For(true), capacity)
	m.target = &kube.Object{Cluster: "cluster1", Namespace: "shop", Name: "web", Kind: "Deployment"}
	m.sources = map[kube.LogSource]bool{}
	m.SetSize(120, 40)
	return m
}

func batch(n, start int) []kube.LogLine {
	src := kube.LogSource{Cluster: "cluster1", Namespace: "shop", Pod: "web-7d4b9-x2x", Container: "app"}
	out := make([]kube.LogLine, n)
	for i := range out {
		text := fmt.Sprintf("INFO GET /api/orders/%d 200 %dms cluster=cluster1", start+i, i%300)
		if i%7 == 0 {
			text = fmt.Sprintf(`{"level":"error","msg":"payment declined","order":%d}`, start+i)
		}
		out[i] = kube.LogLine{Source: src, Time: time.Unix(int64(start+i), 0), Text: text}
	}
	return out
}

// BenchmarkFollowFastLog feeds a fast log (1,000-line frames) through a
// 10,000-line ring and draws each frame, as the UI does while following.
// The live heap after every op is reported: it must stay flat however long
// the stream runs.
func BenchmarkFollowFastLog(b *testing.B) {
	m := followed(DefaultCapacity)
	frames := make([][]kube.LogLine, 20)
	for i := range frames {
		frames[i] = batch(1000, i*1000)
	}
	i := 0
	var heap runtime.MemStats
	for b.Loop() {
		m.Update(linesMsg{seq: m.seq, lines: frames[i%len(frames)]})
		_ = m.View()
		i++
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&heap)
	b.ReportMetric(float64(heap.HeapInuse)/(1<<20), "heap-MB")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/line")
}

// BenchmarkFilteredFrame draws one frame of a full ring with a filter and
// a search active (the worst case of a redraw).
func BenchmarkFilteredFrame(b *testing.B) {
	m := followed(DefaultCapacity)
	for i := range 10 {
		m.Update(linesMsg{seq: m.seq, lines: batch(1000, i*1000)})
	}
	if err := m.Filter("!/orders\\/\\d*5 /"); err != nil {
		b.Fatal(err)
	}
	if err := m.Search("declined"); err != nil {
		b.Fatal(err)
	}
	m.following = true
	for b.Loop() {
		_ = m.View()
	}
}

func keyPress(k string) tea.KeyPressMsg { return tea.KeyPressMsg{Code: rune(k[0]), Text: k} }

// BenchmarkFollowWrappedFilteredLog is one frame of following 2,000 long
// lines a second (a frame's worth, 1/30 s, per op) wrapped, numbered,
// timestamped, pretty-printed and filtered, through a 10,000-line ring:
// the lines taken in and the screen drawn. The live heap is reported once
// the ring is full and again at the end: it must not grow with the stream.
func BenchmarkFollowWrappedFilteredLog(b *testing.B) {
	m := followed(DefaultCapacity)
	m.SetSize(100, 40)
	for _, k := range []string{"w", "#", "T", "P"} {
		m.Update(keyPress(k))
	}
	if err := m.Filter("error"); err != nil {
		b.Fatal(err)
	}
	const perFrame = 2000 / framesPerSecond
	// Frames are made ahead (what the stream would hand over), reused.
	frames := make([][]kube.LogLine, 300)
	for i := range frames {
		frames[i] = longLines(i*perFrame, perFrame)
	}
	for i := range DefaultCapacity / perFrame {
		m.Update(linesMsg{seq: m.seq, lines: frames[i%len(frames)]})
	}
	heapMB := func() float64 {
		var s runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&s)
		return float64(s.HeapInuse) / (1 << 20)
	}
	full := heapMB()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		m.Update(linesMsg{seq: m.seq, lines: frames[i%len(frames)]})
		_ = m.View()
		i++
	}
	b.StopTimer()
	b.ReportMetric(full, "heap-MB-full")
	b.ReportMetric(heapMB(), "heap-MB-end")
	b.ReportMetric(float64(i*perFrame), "lines")
	runtime.KeepAlive(m)
	runtime.KeepAlive(frames)
}
