package tree

import (
	"github.com/wecs-tui/wecs/kube"
)

// Reveal opens the tree down to an object (cluster, namespace, kind, its
// owners) and puts the cursor on it. A filter that would hide it is
// dropped first. It reports whether the object is in the tree.
func (m *Model) Reveal(o kube.Object) bool {
	if Filtering(m.filter) || (kube.SystemNamespace(o.Namespace) && !m.filter.ShowSystem) {
		m.filter = kube.Filter{ShowSystem: m.filter.ShowSystem || kube.SystemNamespace(o.Namespace)}
	}
	return m.selectKey(m.openTo(o))
}

// RevealCluster puts the cursor on a cluster's row.
func (m *Model) RevealCluster(name string) bool {
	return m.selectKey(clusterKey(name))
}

// selectKey rebuilds the rows and moves the cursor to the row with key.
func (m *Model) selectKey(key string) bool {
	m.Rebuild()
	for i, r := range m.rows {
		if r.Key == key {
			m.list.Select(i)
			return true
		}
	}
	return false
}
