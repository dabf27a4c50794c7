package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"k8s.io/apimachinery/pkg/types"

	"github.com/wecs-tui/wecs/kube"
)

// TestHealthCheckAt80ColumnsKeepsWorkloadsDistinct: two workloads whose
// names share a long prefix differ on screen at 80 columns, and the
// selected cluster's column stays on screen.
func TestHealthCheckAt80ColumnsKeepsWorkloadsDistinct(t *testing.T) {
	objs := testTree()
	prefix := "checkout-service-with-a-very-long-shared-name-"
	for _, c := range []string{"cluster1", "cluster2"} {
		for _, tail := range []string{"api", "web"} {
			objs.Upsert(kube.Object{Cluster: c, Namespace: "payments", Kind: "Deployment", Name: prefix + tail, UID: types.UID(c + "/" + tail),
				Status: kube.StatusReady, Ready: "1/1", Created: created})
		}
	}
	m := send(newModelWith(objs), tea.WindowSizeMsg{Width: 80, Height: 30})
	m = send(m, keys("H")...)
	var rows []string
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.Contains(l, "payments/Deployment") {
			rows = append(rows, l)
		}
	}
	if len(rows) != 2 || rows[0] == rows[1] || !strings.Contains(rows[0], "api") || !strings.Contains(rows[1], "web") {
		t.Fatalf("the payments workloads are not distinct at 80 columns:\n%s", screen(m))
	}
	m = send(m, keys("l")...)
	if s := screen(m); !strings.Contains(s, "cluster2") {
		t.Fatalf("the selected cluster's column is off screen:\n%s", s)
	}
}
