package kube

import (
	"context"
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
	"sigs.k8s.io/yaml"
)

// ManagedClusterRef names a WEC's ManagedCluster on the ITS, for the edit
// flow and the messages about it.
func (f *Fleet) ManagedClusterRef(cluster string) Object {
	return Object{Cluster: f.itsContext, Name: cluster, Group: clusterv1.GroupName, Version: clusterv1.GroupVersion.Version,
		Kind: "ManagedCluster", Resource: "managedclusters"}
}

// ManagedClusterText is a WEC's ManagedCluster as `kubectl edit` shows it:
// read fresh from the ITS, without managedFields and status.
func (f *Fleet) ManagedClusterText(ctx context.Context, cluster string, asJSON bool) ([]byte, error) {
	r, err := f.itsManagedClusters()
	if err != nil {
		return nil, err
	}
	obj, err := r.Get(ctx, cluster, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("get ManagedCluster %s on the ITS: %s", cluster, errorText(err))
	}
	return editableText(obj, asJSON)
}

// UpdateManagedCluster writes an edited ManagedCluster (YAML or JSON) back
// to the ITS, as Update does for a WEC's object (the agent writes the
// cluster's status often; that alone is no conflict). An edit that sets,
// changes or removes a reserved label (see ReservedLabel) is refused before
// anything is sent. The labels it is compared with are those of original,
// or, without it, the cluster's now: OCM may change reserved labels while
// the user edits, and that is not the user's edit.
func (f *Fleet) UpdateManagedCluster(ctx context.Context, cluster string, original, edited []byte) error {
	obj, err := parseEdited(f.ManagedClusterRef(cluster), edited)
	if err != nil {
		return err
	}
	r, err := f.itsManagedClusters()
	if err != nil {
		return err
	}
	before := &unstructured.Unstructured{}
	if original == nil || yaml.Unmarshal(original, &before.Object) != nil {
		if before, err = r.Get(ctx, cluster, metav1.GetOptions{}); err != nil {
			return fmt.Errorf("get ManagedCluster %s on the ITS: %s", cluster, errorText(err))
		}
	}
	if err := reservedLabelEdits(before.GetLabels(), obj.GetLabels()); err != nil {
		return err
	}
	return updateEdited(ctx, r, obj, original)
}

// reservedLabelEdits refuses label edits that touch reserved keys, naming
// each and why.
func reservedLabelEdits(before, after map[string]string) error {
	var refused []string
	for key, value := range after {
		if old, ok := before[key]; !ok || old != value {
			if why := ReservedLabel(key); why != "" {
				refused = append(refused, why)
			}
		}
	}
	for key := range before {
		if _, ok := after[key]; !ok {
			if why := ReservedLabel(key); why != "" {
				refused = append(refused, why)
			}
		}
	}
	if len(refused) == 0 {
		return nil
	}
	slices.Sort(refused)
	return fmt.Errorf("not saved: %s; put those labels back as they were", strings.Join(refused, "; "))
}

func (f *Fleet) itsManagedClusters() (dynamic.ResourceInterface, error) {
	cfg, err := f.kc.RESTConfig(f.itsContext)
	if err != nil {
		return nil, fmt.Errorf("%w context %q: %v", ErrITS, f.itsContext, err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return dyn.Resource(schema.GroupVersionResource{Group: clusterv1.GroupName, Version: clusterv1.GroupVersion.Version, Resource: "managedclusters"}), nil
}
