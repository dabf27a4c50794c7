package tree

import (
	"strings"

	"k8s.io/apimachinery/pkg/types"

	"github.com/wecs-tui/wecs/kube"
)

// A row's key is its path from its cluster down: c/NAME, then /n/NAMESPACE,
// /k/KIND and /o/UID for each object on the way. It stays the same across
// rebuilds, so the cursor, the open rows and the pane keep their place.

func clusterKey(cluster string) string              { return "c/" + cluster }
func namespaceKey(parent, namespace string) string  { return parent + "/n/" + namespace }
func kindKey(parent, kind string) string            { return parent + "/k/" + kind }
func objectKey(parent string, uid types.UID) string { return parent + "/o/" + string(uid) }

// Within reports whether the row of key is under the row of parent.
func Within(key, parent string) bool { return strings.HasPrefix(key, parent+"/") }

// openTo opens every row above an object, as the tree shows it, and
// returns the object's key.
func (m *Model) openTo(o kube.Object) string {
	chain := m.shownPath(o)
	key := clusterKey(o.Cluster)
	m.expanded[key] = true
	key = namespaceKey(key, o.Namespace)
	m.expanded[key] = true
	key = kindKey(key, chain[0].Kind)
	m.expanded[key] = true
	for _, a := range chain[:len(chain)-1] {
		key = objectKey(key, a.UID)
		m.expanded[key] = true
	}
	return objectKey(key, o.UID)
}
