package main

import (
	"strings"
	"testing"
)

func TestTableComparesMediansWithFloorsAndTargets(t *testing.T) {
	out := `goos: linux
BenchmarkFleetTreeComplete-2   	       1	3000000000 ns/op	     11781 objects
BenchmarkFleetTreeComplete-2   	       1	9000000000 ns/op	     11781 objects
BenchmarkFleetTreeComplete-2   	       1	2000000000 ns/op	     11781 objects
BenchmarkParallelListFloor-2   	       1	2000000000 ns/op	     11651 objects
BenchmarkParallelListFloor-2   	       1	1000000000 ns/op	     11651 objects
BenchmarkFleetMemory-2         	       1	6006386209 ns/op	        23.16 live-heap-MB	     11769 objects	       160.5 wecs-max-rss-MB
BenchmarkHubWECsClustersKeyPress-2	     500	   2400000 ns/op
BenchmarkHubWECsClustersKeyPress-2	     500	   2600000 ns/op
PASS
`
	r, err := parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	got := table(r)
	for _, want := range []string{
		// median 3 s against a floor's median of 1.5 s: twice, over 1.5×.
		"| FleetTreeComplete | 3.00 s (n=3) | ParallelListFloor | 1.50 s | 2.00× | ≤ 1.5× | no |",
		"| FleetMemory wecs-max-rss-MB | 160.5 MB (n=1) | | | | ≤ 150.0 MB | no |",
		"| HubWECsClustersKeyPress | 2.500 ms (n=2) | | | | ≤ 10.000 ms | yes |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the table lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "TUIAllConnected") {
		t.Errorf("a figure that did not run is in the table:\n%s", got)
	}
	if _, err := parse(strings.NewReader("BenchmarkX-2 1 abc ns/op\n")); err == nil {
		t.Error("a value that is not a number was read")
	}
}
