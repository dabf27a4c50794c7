package staged

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/kube/bindingpolicy"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/wdsread"
)

// noWECs is a fleet without WECs.
type noWECs struct{}

func (noWECs) Members() []kube.Member { return nil }

// configMaps are n ConfigMaps of namespace shop, selected by shop-policy;
// the last has a long name and long labels.
func configMaps(n int) bindingpolicy.WDS {
	w := bindingpolicy.WDS{Policies: []bindingpolicy.Policy{{Name: "shop-policy",
		Downsync: []bindingpolicy.DownsyncTest{{Namespaces: []string{"shop"}}}}}}
	for i := range n {
		name, labels := fmt.Sprintf("cm-%d", i), map[string]string{"app": "web"}
		if i == n-1 {
			name = "a-config-map-whose-name-is-long"
			labels["team.example.com/owner-of-this-object"] = "the-storefront-team-of-the-shop"
		}
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": name, "namespace": "shop"}}}
		u.SetLabels(labels)
		w.Objects = append(w.Objects, bindingpolicy.Staged{APIVersion: "v1", Kind: "ConfigMap", Object: u,
			WorkloadObject: bindingpolicy.WorkloadObject{Resource: "configmaps", Namespace: "shop", Name: name, Labels: labels}})
	}
	return w
}

// view is the staged view of w, width cells wide and 6 rows high.
func view(w bindingpolicy.WDS, width int) Model {
	m := New(noWECs{}, nil, "wds1", theme.New(theme.Dark))
	m.wds = struct{ wdsread.WDS }{}
	m.read = &w
	m.SetSize(width, 6)
	m.Refresh()
	return m
}

func TestColumnsStayPutAsTheListScrolls(t *testing.T) {
	m := view(configMaps(20), 200)
	head := func() string { return ansi.Strip(strings.SplitN(m.View(), "\n", 2)[0]) }
	top := head()
	m.list.Select(19)
	if bottom := head(); bottom != top {
		t.Errorf("the heads moved as the list scrolled:\n%s\n%s", top, bottom)
	}
	nameWidth := func() int { return strings.Index(head(), "LABELS") - strings.Index(head(), " NAME ") - 3 }
	if got, want := nameWidth(), len("a-config-map-whose-name-is-long"); got != want {
		t.Errorf("NAME is %d cells wide, want the longest name's %d: %s", got, want, head())
	}
	m.Search("cm-1")
	if got, want := nameWidth(), len("cm-10"); got != want {
		t.Errorf("after a search NAME is %d cells wide, want the longest found name's %d: %s", got, want, head())
	}
}

func TestNarrowColumnsShrinkTheLabelsAndKeepThePolicies(t *testing.T) {
	m := view(configMaps(3), 80)
	m.list.Select(2)
	for _, line := range strings.Split(ansi.Strip(m.View()), "\n") {
		if ansi.StringWidth(line) > 80 {
			t.Errorf("a line is wider than 80 cells: %q", line)
		}
		if !strings.Contains(line, "POLICIES") && !strings.Contains(line, "shop-policy") {
			t.Errorf("the POLICIES column is cut off: %q", line)
		}
	}
}
