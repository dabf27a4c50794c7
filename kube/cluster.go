package kube

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
)

// Health is a WEC's state as the ITS sees it.
type Health string

// The healths, as KubeStellar's UI names them, and Unknown.
const (
	HealthActive   Health = "Active"
	HealthInactive Health = "Inactive"
	HealthPending  Health = "Pending"
	// HealthUnknown: the ITS lost touch with the WEC's agent (Available is
	// Unknown: its lease was not renewed).
	HealthUnknown Health = "Unknown"
)

// Healths lists every health, for filters.
var Healths = []Health{HealthActive, HealthInactive, HealthPending, HealthUnknown}

// Resources are a capacity and what of it is allocatable.
type Resources struct {
	Capacity, Allocatable resource.Quantity
}

// ClusterInfo is what the ITS says about one WEC (its ManagedCluster).
type ClusterInfo struct {
	Name   string
	Health Health
	// Reason says why the cluster has its health, in words.
	Reason    string
	Accepted  bool
	Joined    bool
	Available metav1.ConditionStatus // True, False, Unknown, or "" when not reported
	Labels    map[string]string
	Created   time.Time
	CPU       Resources
	Memory    Resources
	Pods      Resources
	Version   string
	Claims    map[string]string
	Taints    []clusterv1.Taint
	// Conditions as the ManagedCluster reports them.
	Conditions []metav1.Condition
	// URLs and CABundles the WEC registered (managedClusterClientConfigs).
	ClientConfigs []clusterv1.ClientConfig
	// PendingCSRs counts registration CSRs neither approved nor denied.
	PendingCSRs int
}

// SummarizeCluster derives a WEC's health and figures from its ManagedCluster
// and the number of its pending registration CSRs.
func SummarizeCluster(mc *clusterv1.ManagedCluster, pendingCSRs int) ClusterInfo {
	info := ClusterInfo{
		Name: mc.Name, Labels: mc.Labels, Created: mc.CreationTimestamp.Time,
		Accepted: mc.Spec.HubAcceptsClient, Version: mc.Status.Version.Kubernetes,
		Taints: mc.Spec.Taints, Conditions: mc.Status.Conditions, ClientConfigs: mc.Spec.ManagedClusterClientConfigs,
		PendingCSRs: pendingCSRs, Claims: map[string]string{},
	}
	for _, c := range mc.Status.ClusterClaims {
		info.Claims[c.Name] = c.Value
	}
	info.CPU = resources(mc, clusterv1.ResourceCPU)
	info.Memory = resources(mc, clusterv1.ResourceMemory)
	info.Pods = resources(mc, "pods")
	joined := condition(mc.Status.Conditions, clusterv1.ManagedClusterConditionJoined)
	info.Joined = joined != nil && joined.Status == metav1.ConditionTrue
	available := condition(mc.Status.Conditions, clusterv1.ManagedClusterConditionAvailable)
	if available != nil {
		info.Available = available.Status
	}
	switch {
	case !info.Accepted:
		info.Health = HealthPending
		info.Reason = "not accepted by the hub (spec.hubAcceptsClient is false)"
		if pendingCSRs > 0 {
			info.Reason += fmt.Sprintf("; %d registration CSR(s) await approval", pendingCSRs)
		}
	case pendingCSRs > 0 && !info.Joined:
		info.Health = HealthPending
		info.Reason = fmt.Sprintf("accepted; %d registration CSR(s) await approval", pendingCSRs)
	case !info.Joined:
		info.Health = HealthPending
		info.Reason = "accepted, but the cluster's agent has not joined yet"
	case available == nil:
		info.Health = HealthInactive
		info.Reason = "joined, but availability not reported yet"
	case available.Status == metav1.ConditionTrue:
		info.Health = HealthActive
		info.Reason = orDefault(available.Message, "available")
	case available.Status == metav1.ConditionUnknown:
		info.Health = HealthUnknown
		info.Reason = "status unknown: " + orDefault(available.Message, "the agent stopped renewing its lease")
	default:
		info.Health = HealthInactive
		info.Reason = "not available: " + orDefault(available.Message, available.Reason)
	}
	return info
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func resources(mc *clusterv1.ManagedCluster, name clusterv1.ResourceName) Resources {
	return Resources{Capacity: mc.Status.Capacity[name], Allocatable: mc.Status.Allocatable[name]}
}

func condition(conds []metav1.Condition, typ string) *metav1.Condition {
	i := slices.IndexFunc(conds, func(c metav1.Condition) bool { return c.Type == typ })
	if i < 0 {
		return nil
	}
	return &conds[i]
}

// ParseHealth reads a health name case-insensitively (for --status flags).
func ParseHealth(s string) (Health, error) {
	for _, h := range Healths {
		if strings.EqualFold(string(h), s) {
			return h, nil
		}
	}
	return "", fmt.Errorf("unknown cluster status %q: use one of Active, Inactive, Pending, Unknown", s)
}
