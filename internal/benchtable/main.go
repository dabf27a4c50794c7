// Command benchtable reads the output of go test -bench and prints each of
// wecs's speed and memory figures beside its floor (the cheapest way the
// servers offer to read the same data) and its target, as medians.
//
//	go run ./internal/benchtable bin/bench.txt
package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// figure is one line of the table: a benchmark's metric, compared with a
// floor's (a ratio target) or with a fixed bound; a bound may have a floor
// beside it, for what the servers themselves allow.
type figure struct {
	name, metric string
	floor        string  // benchmark of the floor ("" for none)
	floorMetric  string  // the floor's metric, when not the same as metric
	bounded      bool    // target is the largest value, even with a floor
	target       float64 // the largest ratio, or the largest value
	unit         string  // how the value is shown: "s", "ms", "MB"
}

var figures = []figure{
	{name: "FleetTreeComplete", metric: "ns/op", floor: "ParallelListFloor", target: 1.5, unit: "s"},
	{name: "TUIAllConnected", metric: "ns/op", floor: "ParallelListFloor", target: 1.5, unit: "s"},
	{name: "TUIClustersOnScreen", metric: "ns/op", floor: "ClustersOnScreenFloor", bounded: true, target: 0.5e9, unit: "s"},
	{name: "GetPods", metric: "ns/op", floor: "RawListPodsFloor", target: 1.5, unit: "s"},
	{name: "FleetThroughClusterProxy", metric: "proxy-ns", floor: "FleetThroughClusterProxy", floorMetric: "direct-ns", target: 1.5, unit: "s"},
	{name: "FollowedLogThroughClusterProxy", metric: "proxy-latency-ns", floor: "FollowedLogThroughClusterProxy", floorMetric: "direct-latency-ns", bounded: true, target: 1e9, unit: "ms"},
	{name: "FleetMemory", metric: "wecs-max-rss-MB", target: 150, unit: "MB"},
	{name: "ScreenKeyPress20000Rows", metric: "ns/op", target: 10e6, unit: "ms"},
	{name: "Event20000Rows", metric: "ns/op", target: 1e6, unit: "ms"},
	{name: "TUIIdle", metric: "idle-cpu-%", floor: "IdleWatchFloor", bounded: true, target: 1, unit: "%"},
	{name: "TUIIdle", metric: "peak-rss-MB", target: 150, unit: "MB"},
	{name: "TUIBurst", metric: "burst-cpu-%", target: 25, unit: "%"},
	{name: "TUIBurst", metric: "behind-max-ms", floor: "TUIBurst", floorMetric: "floor-behind-max-ms", bounded: true, target: 200, unit: "ms behind"},
	// With 1,000 simulated WECs on the ITS alone, 10 ManifestWorks each.
	{name: "HubWECsClustersOnScreen", metric: "ns/op", floor: "HubWECsClustersOnScreenFloor", bounded: true, target: 1e9, unit: "s"},
	{name: "HubWECsBindingsOnScreen", metric: "ns/op", floor: "HubWECsClustersOnScreenFloor", bounded: true, target: 1e9, unit: "s"},
	{name: "HubWECsBindingsComplete", metric: "ns/op", floor: "HubWECsBindingsCompleteFloor", target: 1.5, unit: "s"},
	{name: "HubWECsBindingsFromStart", metric: "ns/op", target: 1e9, unit: "s"},
	{name: "HubWECsBindingsCLI", metric: "ns/op", target: 1e9, unit: "s"},
	{name: "HubWECsComputeBindings", metric: "ns/op", target: 10e6, unit: "ms"},
	{name: "HubWECsClustersKeyPress", metric: "ns/op", target: 10e6, unit: "ms"},
	{name: "HubWECsTUIIdle", metric: "idle-cpu-%", target: 1, unit: "%"},
	{name: "HubWECsTUIIdle", metric: "peak-rss-MB", target: 200, unit: "MB"},
	{name: "HubWECsTUIIdle", metric: "tcp-connections", target: 12, unit: "connections"},
}

func main() {
	in := io.Reader(os.Stdin)
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(1)
		}
		defer f.Close()
		in = f
	}
	results, err := parse(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	fmt.Print(table(results))
}

// results are the values of each benchmark's metrics, by name and unit.
type results map[string]map[string][]float64

// parse reads benchmark lines: "BenchmarkName-2  1  123 ns/op  4.5 MB".
func parse(r io.Reader) (results, error) {
	out := results{}
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(fields[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		if out[name] == nil {
			out[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not a number", fields[0], fields[i])
			}
			out[name][fields[i+1]] = append(out[name][fields[i+1]], v)
		}
	}
	return out, scanner.Err()
}

// median is the middle value (the mean of the two middle ones).
func median(values []float64) float64 {
	s := slices.Sorted(slices.Values(values))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// label names a figure in the table: the benchmark, and the metric when it
// reports more than its time.
func (f figure) label() string {
	if f.metric == "ns/op" {
		return f.name
	}
	return f.name + " " + f.metric
}

// show writes a value in a figure's unit.
func show(v float64, unit string) string {
	switch unit {
	case "s":
		return fmt.Sprintf("%.2f s", v/1e9)
	case "ms":
		return fmt.Sprintf("%.3f ms", v/1e6)
	}
	return fmt.Sprintf("%.1f %s", v, unit)
}

// table is the figures that ran, as a Markdown table.
func table(r results) string {
	var b strings.Builder
	b.WriteString("| figure | median | floor | floor median | ratio | target | met |\n|---|---|---|---|---|---|---|\n")
	for _, f := range figures {
		values := r[f.name][f.metric]
		if len(values) == 0 {
			continue
		}
		m := median(values)
		runs := fmt.Sprintf(" (n=%d)", len(values))
		if f.floor == "" {
			fmt.Fprintf(&b, "| %s | %s%s | | | | ≤ %s | %s |\n", f.label(), show(m, f.unit), runs, show(f.target, f.unit), met(m <= f.target))
			continue
		}
		target := fmt.Sprintf("≤ %.1f×", f.target)
		if f.bounded {
			target = "≤ " + show(f.target, f.unit)
		}
		floorMetric := cmp.Or(f.floorMetric, f.metric)
		floorName := f.floor
		if floorMetric != f.metric {
			floorName += " " + floorMetric
		}
		floors := r[f.floor][floorMetric]
		if len(floors) == 0 {
			fmt.Fprintf(&b, "| %s | %s%s | %s | not run | | %s | |\n", f.label(), show(m, f.unit), runs, floorName, target)
			continue
		}
		fm := median(floors)
		ok := m/fm <= f.target
		if f.bounded {
			ok = m <= f.target
		}
		fmt.Fprintf(&b, "| %s | %s%s | %s | %s | %.2f× | %s | %s |\n", f.label(), show(m, f.unit), runs, floorName, show(fm, f.unit), m/fm, target, met(ok))
	}
	return b.String()
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}
