package kube

import (
	"cmp"
	"slices"
)

// NodeLoad is one node of a WEC and what its pods ask of it.
type NodeLoad struct {
	Name string
	// Node is the Node object (its Usage holds the allocatable); nil when
	// pods name a node the tree does not hold (Nodes not readable, say).
	Node *Object
	// CPU (millicores) and Memory (bytes) requested by the pods that hold a
	// place on the node: every bound pod that has not finished.
	CPU, Memory int64
	// Pods counts those pods.
	Pods int
}

// Allocatable is the node's allocatable CPU, memory and pods (zero when
// the Node is not known).
func (n NodeLoad) Allocatable() Usage {
	if n.Node == nil || n.Node.Usage == nil {
		return Usage{}
	}
	return *n.Node.Usage
}

// NodeCapacity is how full a WEC's nodes are, as kube-ops-view shows it.
type NodeCapacity struct {
	Cluster string
	// Nodes are sorted by name.
	Nodes []NodeLoad
	// Unscheduled counts the pods waiting for a node.
	Unscheduled int
}

// holdsPlace reports whether a pod counts against its node: the scheduler
// frees a finished pod's requests (by phase: a crash-looping pod, Failed
// in wecs's classes, still holds its place).
func holdsPlace(o *Object) bool {
	return o.Usage != nil && !o.Usage.Finished
}

// NodeCapacity adds up a cluster's pods per node in one pass over its
// objects; it copies no pod.
func (t *Tree) NodeCapacity(cluster string) NodeCapacity {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := NodeCapacity{Cluster: cluster}
	c, ok := t.clusters[cluster]
	if !ok {
		return out
	}
	byName := map[string]*NodeLoad{}
	load := func(name string) *NodeLoad {
		n, ok := byName[name]
		if !ok {
			n = &NodeLoad{Name: name}
			byName[name] = n
		}
		return n
	}
	for _, e := range c.objects {
		o := &e.obj
		if o.Usage == nil {
			continue
		}
		switch o.Kind {
		case "Node":
			node := *o
			load(o.Name).Node = &node
		case "Pod":
			if !holdsPlace(o) {
				continue
			}
			if o.Usage.Node == "" {
				out.Unscheduled++
				continue
			}
			n := load(o.Usage.Node)
			n.CPU += o.Usage.CPU
			n.Memory += o.Usage.Memory
			n.Pods++
		}
	}
	out.Nodes = make([]NodeLoad, 0, len(byName))
	for _, n := range byName {
		out.Nodes = append(out.Nodes, *n)
	}
	slices.SortFunc(out.Nodes, func(a, b NodeLoad) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// PodsOn are the pods bound to a node of a cluster, finished ones
// included, by namespace and name.
func (t *Tree) PodsOn(cluster, node string) []Object {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var entries []*entry
	if c, ok := t.clusters[cluster]; ok {
		for _, e := range c.objects {
			if e.obj.Kind == "Pod" && e.obj.Usage != nil && e.obj.Usage.Node == node {
				entries = append(entries, e)
			}
		}
	}
	return sortedObjects(entries)
}
