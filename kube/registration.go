package kube

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"maps"
	"slices"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
	clusterv1beta2 "open-cluster-management.io/api/cluster/v1beta2"
)

// CustomizationNamespace is the ITS namespace where KubeStellar keeps one
// ConfigMap of properties per WEC, named like it.
const CustomizationNamespace = "customization-properties"

// clusterLeaseName is the lease a WEC's registration agent renews on the
// ITS, in the cluster's namespace.
const clusterLeaseName = "managed-cluster-lease"

// CSR is one registration CertificateSigningRequest of a WEC.
type CSR struct {
	Name string
	// Requester is the user that filed it (the agent's bootstrap identity,
	// or the agent itself when it renews its certificate).
	Requester string
	// Identity is the common name it asks a certificate for.
	Identity string
	Signer   string
	Created  time.Time
	// State is Pending, Approved, Denied or Failed; Issued says the
	// certificate was signed.
	State  string
	Issued bool
	// Decided is when it was approved, denied or failed.
	Decided time.Time
}

// TimelineEntry is one step of a WEC's registration.
type TimelineEntry struct {
	Time time.Time
	// Source is "cluster", "condition", "CSR", "lease" or "event".
	Source  string
	Text    string
	Warning bool
}

// ClusterDetail is what the ITS holds about a WEC besides its
// ManagedCluster: registration CSRs, lease, events, KubeStellar's
// customization properties and cluster-set membership.
type ClusterDetail struct {
	Cluster     string
	Annotations map[string]string
	CSRs        []CSR
	// LeaseRenewed is when the agent last renewed its lease (zero if never).
	LeaseRenewed time.Time
	Events       []Event
	// Timeline is the registration's story, oldest first.
	Timeline []TimelineEntry
	// Properties is the WEC's ConfigMap in customization-properties (nil
	// when there is none).
	Properties  map[string]string
	ClusterSets []string
	// Problems say which parts could not be read, and why.
	Problems []string
}

// itsClients are clients of the ITS for one-off reads and writes.
func (f *Fleet) itsClients() (kubernetes.Interface, clusterclient.Interface, error) {
	cfg, err := f.kc.RESTConfig(f.itsContext)
	if err != nil {
		return nil, nil, fmt.Errorf("%w context %q: %v", ErrITS, f.itsContext, err)
	}
	kc, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	oc, err := clusterclient.NewForConfig(cfg)
	return kc, oc, err
}

// ClusterDetail reads what the ITS holds about one WEC now. Parts that
// cannot be read (RBAC, say) are named in Problems; only an unknown
// cluster is an error.
func (f *Fleet) ClusterDetail(ctx context.Context, cluster string) (ClusterDetail, error) {
	f.mu.RLock()
	mc, ok := f.clusters[cluster]
	f.mu.RUnlock()
	if !ok {
		return ClusterDetail{}, fmt.Errorf("the ITS lists no ManagedCluster %q", cluster)
	}
	kc, oc, err := f.itsClients()
	if err != nil {
		return ClusterDetail{}, err
	}
	return readClusterDetail(ctx, kc, oc, mc), nil
}

func readClusterDetail(ctx context.Context, kc kubernetes.Interface, oc clusterclient.Interface, mc *clusterv1.ManagedCluster) ClusterDetail {
	d := ClusterDetail{Cluster: mc.Name, Annotations: mc.Annotations}
	problem := func(what string, err error) {
		d.Problems = append(d.Problems, what+": "+errorText(err))
	}
	if csrs, err := registrationCSRs(ctx, kc, mc.Name); err != nil {
		problem("registration CSRs", err)
	} else {
		for i := range csrs {
			d.CSRs = append(d.CSRs, toCSR(&csrs[i]))
		}
	}
	lease, err := kc.CoordinationV1().Leases(mc.Name).Get(ctx, clusterLeaseName, metav1.GetOptions{})
	switch {
	case err == nil && lease.Spec.RenewTime != nil:
		d.LeaseRenewed = lease.Spec.RenewTime.Time
	case err != nil && !apierrors.IsNotFound(err):
		problem("lease", err)
	}
	d.Events, err = hubEvents(ctx, kc, mc.Name)
	if err != nil {
		problem("events", err)
	}
	cm, err := kc.CoreV1().ConfigMaps(CustomizationNamespace).Get(ctx, mc.Name, metav1.GetOptions{})
	switch {
	case err == nil:
		d.Properties = cm.Data
		if d.Properties == nil {
			d.Properties = map[string]string{}
		}
	case !apierrors.IsNotFound(err):
		problem("customization properties", err)
	}
	if sets, err := oc.ClusterV1beta2().ManagedClusterSets().List(ctx, metav1.ListOptions{}); err != nil {
		problem("cluster sets", err)
	} else {
		d.ClusterSets = clusterSetsOf(mc, sets.Items)
	}
	d.Timeline = timeline(mc, d)
	return d
}

// registrationCSRs are every registration CSR of a cluster, oldest first.
func registrationCSRs(ctx context.Context, kc kubernetes.Interface, cluster string) ([]certificatesv1.CertificateSigningRequest, error) {
	list, err := kc.CertificatesV1().CertificateSigningRequests().List(ctx, metav1.ListOptions{
		LabelSelector: labels.SelectorFromSet(labels.Set{clusterv1.ClusterNameLabelKey: cluster}).String()})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list.Items, func(a, b certificatesv1.CertificateSigningRequest) int {
		return a.CreationTimestamp.Compare(b.CreationTimestamp.Time)
	})
	return list.Items, nil
}

func toCSR(c *certificatesv1.CertificateSigningRequest) CSR {
	out := CSR{Name: c.Name, Requester: c.Spec.Username, Signer: c.Spec.SignerName, Created: c.CreationTimestamp.Time,
		State: "Pending", Issued: len(c.Status.Certificate) > 0}
	out.Identity, _ = requestedIdentity(c.Spec.Request)
	for _, cond := range c.Status.Conditions {
		switch cond.Type {
		case certificatesv1.CertificateApproved:
			out.State, out.Decided = "Approved", cond.LastUpdateTime.Time
		case certificatesv1.CertificateDenied:
			out.State, out.Decided = "Denied", cond.LastUpdateTime.Time
		case certificatesv1.CertificateFailed:
			out.State, out.Decided = "Failed", cond.LastUpdateTime.Time
		}
	}
	return out
}

// requestedIdentity is the common name a PEM certificate request asks for.
func requestedIdentity(request []byte) (string, error) {
	block, _ := pem.Decode(request)
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		return "", fmt.Errorf("not a PEM certificate request")
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return "", err
	}
	return req.Subject.CommonName, nil
}

// hubEvents are the ITS's events about a cluster: those about its
// ManagedCluster wherever they are, and those in its namespace.
func hubEvents(ctx context.Context, kc kubernetes.Interface, cluster string) ([]Event, error) {
	about, err := kc.CoreV1().Events("").List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("involvedObject.name", cluster).String()})
	if err != nil {
		return nil, err
	}
	inNamespace, err := kc.CoreV1().Events(cluster).List(ctx, metav1.ListOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, err
	}
	byUID := map[string]Event{}
	for _, list := range []*corev1.EventList{about, inNamespace} {
		if list == nil {
			continue
		}
		for i := range list.Items {
			byUID[string(list.Items[i].UID)] = toEvent(&list.Items[i])
		}
	}
	events := slices.Collect(maps.Values(byUID))
	slices.SortFunc(events, func(a, b Event) int { return b.Last.Compare(a.Last) })
	return events, nil
}

// clusterSetsOf are the ManagedClusterSets that hold a cluster: by the
// exclusive cluster-set label, or by their label selector.
func clusterSetsOf(mc *clusterv1.ManagedCluster, sets []clusterv1beta2.ManagedClusterSet) []string {
	var out []string
	for _, set := range sets {
		sel := set.Spec.ClusterSelector
		switch sel.SelectorType {
		case clusterv1beta2.LabelSelector:
			s, err := metav1.LabelSelectorAsSelector(sel.LabelSelector)
			if err == nil && s.Matches(labels.Set(mc.Labels)) {
				out = append(out, set.Name)
			}
		default: // ExclusiveClusterSetLabel, the default
			if mc.Labels[clusterv1beta2.ClusterSetLabel] == set.Name {
				out = append(out, set.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// timeline tells a WEC's registration from what the ITS keeps: the
// ManagedCluster's creation and conditions, its CSRs, its lease and the
// hub's events, oldest first.
func timeline(mc *clusterv1.ManagedCluster, d ClusterDetail) []TimelineEntry {
	entries := []TimelineEntry{{Time: mc.CreationTimestamp.Time, Source: "cluster",
		Text: "ManagedCluster created: the agent asked to join"}}
	for _, c := range mc.Status.Conditions {
		text := fmt.Sprintf("%s=%s (%s)", c.Type, c.Status, c.Reason)
		if c.Message != "" {
			text += ": " + c.Message
		}
		entries = append(entries, TimelineEntry{Time: c.LastTransitionTime.Time, Source: "condition", Text: text,
			Warning: c.Status != metav1.ConditionTrue})
	}
	for _, c := range d.CSRs {
		entries = append(entries, TimelineEntry{Time: c.Created, Source: "CSR",
			Text: fmt.Sprintf("%s filed by %s for %s", c.Name, c.Requester, orDefault(c.Identity, "an unreadable identity"))})
		if c.State != "Pending" {
			text := fmt.Sprintf("%s %s", c.Name, c.State)
			if c.Issued {
				text += ", certificate issued"
			}
			entries = append(entries, TimelineEntry{Time: c.Decided, Source: "CSR", Text: text, Warning: c.State != "Approved"})
		}
	}
	if !d.LeaseRenewed.IsZero() {
		entries = append(entries, TimelineEntry{Time: d.LeaseRenewed, Source: "lease", Text: "the agent renewed its lease (last renewal)"})
	}
	for _, e := range d.Events {
		entries = append(entries, TimelineEntry{Time: e.Last, Source: "event", Text: e.Reason + ": " + e.Message, Warning: e.Type == "Warning"})
	}
	slices.SortStableFunc(entries, func(a, b TimelineEntry) int { return a.Time.Compare(b.Time) })
	return entries
}
