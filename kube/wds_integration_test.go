package kube_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

// TestWDSClientEditsAStagedObjectInTheWDS reads the sandbox's WDS as the
// staged view does (daily-report is selected by reports-policy, which
// selects cluster2, and by gpu-policy, which selects no WEC), then edits
// daily-report through the client: the WDS holds the edit, and the
// client's access review answers for the WDS.
func TestWDSClientEditsAStagedObjectInTheWDS(t *testing.T) {
	s := sandboxtest.Shared(t)
	cfg, err := s.RESTConfig(sandbox.WDS)
	if err != nil {
		t.Fatal(err)
	}
	client, err := kube.NewWDSClient(cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	wds, err := client.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	staged := kube.StagedObjects(sandbox.WDS, wds, []kube.ClusterLabels{
		{Name: "cluster1", Labels: map[string]string{"name": "cluster1"}, Accepted: true},
		{Name: "cluster2", Labels: map[string]string{"name": "cluster2"}, Accepted: true}})
	i := slices.IndexFunc(staged, func(o kube.StagedObject) bool { return o.Object.Ref() == "ConfigMap reports/daily-report" })
	if i < 0 {
		t.Fatalf("no daily-report among %d staged objects", len(staged))
	}
	report := staged[i]
	if !report.Object.FromWDS || report.Object.Cluster != sandbox.WDS || !slices.Equal(report.Policies, []string{sandbox.NoWECPolicy, sandbox.FailingPolicy}) ||
		!slices.Equal(report.WECs, []string{"cluster2"}) {
		t.Fatalf("daily-report: %+v, policies %v, WECs %v", report.Object, report.Policies, report.WECs)
	}
	if p := client.Can(t.Context(), "update", report.Object); !p.Allowed {
		t.Fatalf("the sandbox's admin may not update daily-report: %s", p.Reason)
	}
	original, err := client.EditableText(t.Context(), report.Object, false)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(original), "0 6 * * *", "0 7 * * *", 1)
	if edited == string(original) {
		t.Fatalf("daily-report's text has no schedule 0 6 * * *:\n%s", original)
	}
	if err := client.Update(t.Context(), report.Object, original, []byte(edited)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// (The test's context is cancelled by now.)
		ctx := context.Background()
		now, err := client.EditableText(ctx, report.Object, false)
		if err == nil {
			err = client.Update(ctx, report.Object, now, []byte(strings.Replace(string(now), "0 7 * * *", "0 6 * * *", 1)))
		}
		if err != nil {
			t.Errorf("restore daily-report: %v", err)
		}
	})
	now, err := client.EditableText(t.Context(), report.Object, false)
	if err != nil || !strings.Contains(string(now), "0 7 * * *") {
		t.Fatalf("daily-report after the edit (%v):\n%s", err, now)
	}
	// A text that names another object is refused.
	if err := client.Update(t.Context(), report.Object, now, []byte(strings.Replace(string(now), "daily-report", "other", 1))); err == nil || !strings.Contains(err.Error(), "cannot be edited") {
		t.Errorf("an edit that renames the object: %v", err)
	}
}
