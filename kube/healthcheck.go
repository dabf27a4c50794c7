package kube

import (
	"cmp"
	"maps"
	"slices"
	"strings"
)

// Spread is one workload (same namespace, kind and name) found on more
// than one WEC, with its copy on each.
type Spread struct {
	Namespace, Kind, Name string
	// On maps a cluster to the copy it holds.
	On map[string]Object
	// BindingPolicy is the KubeStellar binding policy that delivered it
	// ("" when none did, or the ITS's ManifestWorks are not visible).
	BindingPolicy string
	// Targets are the clusters the binding policy delivers to, sorted.
	Targets []string
}

// healthy reports whether a status counts as working.
func healthy(s Status) bool {
	return s == StatusReady || s == StatusRunning || s == StatusSucceeded
}

// Asymmetric reports whether the copies disagree: healthy on some WECs and
// not on others, or missing from a WEC its binding policy delivers to.
func (s Spread) Asymmetric() bool {
	good, bad := 0, 0
	for _, o := range s.On {
		if healthy(o.Status) {
			good++
		} else {
			bad++
		}
	}
	if good > 0 && bad > 0 {
		return true
	}
	for _, c := range s.Targets {
		if _, ok := s.On[c]; !ok {
			return true
		}
	}
	return false
}

// Worst is the worst status among the copies.
func (s Spread) Worst() Status {
	var c Counts
	for _, o := range s.On {
		c.Add(o.Status, 1)
	}
	return c.Worst()
}

// KindTotals are the top-level objects of one kind on each WEC.
type KindTotals struct {
	Kind      string
	ByCluster map[string]Counts
}

// HealthCheck compares the fleet's WECs: what runs on more than one of
// them and how each copy does, and how many objects of each kind each holds.
type HealthCheck struct {
	Clusters []string
	// Spreads are sorted by binding policy (delivered first), namespace,
	// kind and name.
	Spreads []Spread
	// Totals are sorted by kind.
	Totals []KindTotals
}

// Deliveries says which KubeStellar binding policy delivered an object and
// where a policy delivers (a *Fleet).
type Deliveries interface {
	BindingPolicy(cluster, appliedWork string) string
	PolicyClusters(policy string) []string
}

// HealthCheck builds the health check of the given clusters from their
// top-level objects (system namespaces only with showSystem).
func (t *Tree) HealthCheck(clusters []string, d Deliveries, showSystem bool) HealthCheck {
	out := HealthCheck{Clusters: slices.Sorted(slices.Values(clusters))}
	spreads := map[string]*Spread{}
	totals := map[string]map[string]Counts{}
	t.mu.RLock()
	for _, cluster := range out.Clusters {
		c, ok := t.clusters[cluster]
		if !ok {
			continue
		}
		for nsName, ns := range c.namespaces {
			if !showSystem && SystemNamespace(nsName) {
				continue
			}
			for kind, k := range ns.kinds {
				if totals[kind] == nil {
					totals[kind] = map[string]Counts{}
				}
				sum := totals[kind][cluster]
				sum.Total += k.counts.Total
				for i, n := range k.counts.ByStatus {
					sum.ByStatus[i] += n
				}
				totals[kind][cluster] = sum
				if !slices.Contains(runsPods, kind) {
					continue
				}
				for _, e := range k.top {
					key := nsName + "\x00" + kind + "\x00" + e.obj.Name
					s, ok := spreads[key]
					if !ok {
						s = &Spread{Namespace: nsName, Kind: kind, Name: e.obj.Name, On: map[string]Object{}}
						spreads[key] = s
					}
					s.On[cluster] = e.obj
				}
			}
		}
	}
	t.mu.RUnlock()

	for _, s := range spreads {
		if len(s.On) < 2 {
			continue
		}
		for _, cluster := range slices.Sorted(maps.Keys(s.On)) {
			if p := d.BindingPolicy(cluster, s.On[cluster].DeliveredBy); p != "" {
				s.BindingPolicy = p
				s.Targets = d.PolicyClusters(p)
				break
			}
		}
		out.Spreads = append(out.Spreads, *s)
	}
	undelivered := func(s Spread) int {
		if s.BindingPolicy == "" {
			return 1
		}
		return 0
	}
	slices.SortFunc(out.Spreads, func(a, b Spread) int {
		return cmp.Or(cmp.Compare(undelivered(a), undelivered(b)), cmp.Compare(a.BindingPolicy, b.BindingPolicy),
			cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	for _, kind := range slices.Sorted(maps.Keys(totals)) {
		out.Totals = append(out.Totals, KindTotals{Kind: kind, ByCluster: totals[kind]})
	}
	return out
}

// PolicyClusters are the clusters a KubeStellar binding policy delivers to
// (those with a ManifestWork of it), sorted.
func (f *Fleet) PolicyClusters(policy string) []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	var out []string
	for key, p := range f.policies {
		if p != policy {
			continue
		}
		if cluster, _, ok := strings.Cut(key, "/"); ok && !slices.Contains(out, cluster) {
			out = append(out, cluster)
		}
	}
	slices.Sort(out)
	return out
}
