package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	clusterv1beta2 "open-cluster-management.io/api/cluster/v1beta2"
)

// LabelChanges are edits to an object's labels: keys to set, keys to remove.
type LabelChanges struct {
	Set    map[string]string
	Remove []string
}

// ParseLabelChanges reads changes as kubectl label takes them, separated by
// spaces or commas: "tier=gold region=eu zone-" sets tier and region and
// removes zone.
func ParseLabelChanges(s string) (LabelChanges, error) {
	out := LabelChanges{Set: map[string]string{}}
	for _, word := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' }) {
		if key, ok := strings.CutSuffix(word, "-"); ok && !strings.Contains(word, "=") {
			if errs := validation.IsQualifiedName(key); len(errs) > 0 {
				return out, fmt.Errorf("label key %q: %s", key, strings.Join(errs, "; "))
			}
			out.Remove = append(out.Remove, key)
			continue
		}
		key, value, ok := strings.Cut(word, "=")
		if !ok {
			return out, fmt.Errorf("%q: write key=value to set a label, key- to remove one", word)
		}
		if errs := validation.IsQualifiedName(key); len(errs) > 0 {
			return out, fmt.Errorf("label key %q: %s", key, strings.Join(errs, "; "))
		}
		if errs := validation.IsValidLabelValue(value); len(errs) > 0 {
			return out, fmt.Errorf("label value %q: %s", value, strings.Join(errs, "; "))
		}
		out.Set[key] = value
	}
	if len(out.Set) == 0 && len(out.Remove) == 0 {
		return out, fmt.Errorf("no change: write key=value to set a label, key- to remove one")
	}
	return out, nil
}

// ReservedLabel says why wecs will not change a ManagedCluster label key,
// or "" when it may. Keys under kubernetes.io and k8s.io belong to
// Kubernetes; keys under open-cluster-management.io are written by OCM's
// controllers and agents, which would overwrite a change or act on it. The
// cluster-set label is the exception: moving a WEC to another
// ManagedClusterSet is the admin's call.
func ReservedLabel(key string) string {
	if key == clusterv1beta2.ClusterSetLabel {
		return ""
	}
	prefix, _, ok := strings.Cut(key, "/")
	if !ok {
		return ""
	}
	under := func(domain string) bool { return prefix == domain || strings.HasSuffix(prefix, "."+domain) }
	switch {
	case under("kubernetes.io"), under("k8s.io"):
		return key + " is reserved for Kubernetes' own components (the kubernetes.io and k8s.io prefixes)"
	case under("open-cluster-management.io"):
		return key + " is managed by Open Cluster Management's controllers and agents, which would overwrite or act on a change"
	}
	return ""
}

// LabelCluster applies label changes to a WEC's ManagedCluster on the ITS,
// refusing reserved keys (see ReservedLabel).
func (f *Fleet) LabelCluster(ctx context.Context, cluster string, changes LabelChanges) error {
	labels := map[string]any{}
	for k, v := range changes.Set {
		labels[k] = v
	}
	for _, k := range changes.Remove {
		labels[k] = nil
	}
	for k := range labels {
		if why := ReservedLabel(k); why != "" {
			return fmt.Errorf("not changed: %s", why)
		}
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"labels": labels}})
	if err != nil {
		return err
	}
	_, oc, err := f.itsClients()
	if err != nil {
		return err
	}
	if _, err := oc.ClusterV1().ManagedClusters().Patch(ctx, cluster, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("label ManagedCluster %s: %s", cluster, errorText(err))
	}
	return nil
}
