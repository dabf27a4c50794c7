// Package sandbox runs a local fleet of real Kubernetes control planes on
// loopback: one etcd, an ITS (an Open Cluster Management hub with OCM's
// registration controller) and several WECs, each WEC with kube-apiserver,
// kube-controller-manager, kube-scheduler, kwok standing in for the kubelets
// and OCM's klusterlet agent, which registers it with the ITS and applies
// the ManifestWorks of its mailbox. It builds the binaries from Go modules on
// first use and keeps them in a cache.
package sandbox

// Pinned versions of everything the sandbox builds or reads from Go modules.
const (
	KubernetesVersion = "v1.36.3"
	// StagingVersion is the version of the k8s.io/* staging modules that
	// match KubernetesVersion.
	StagingVersion = "v0.36.3"
	EtcdVersion    = "v3.6.5"
	KwokVersion    = "v0.8.0"
	// OCMAPIVersion is the open-cluster-management.io/api module whose CRD
	// manifests are installed on the ITS and the WECs.
	OCMAPIVersion = "v1.2.0"
	// OCMVersion is the open-cluster-management.io/ocm module the hub's
	// registration controller and the WECs' klusterlet agents build from.
	OCMVersion = "v1.2.0"
	// ClusterProxyVersion is the open-cluster-management.io/cluster-proxy
	// module whose ManagedProxyConfiguration CRD is installed on the ITS.
	ClusterProxyVersion = "v0.10.0"
	// NetworkProxyVersion is the sigs.k8s.io/apiserver-network-proxy module
	// the cluster-proxy add-on's proxy server and agents build from. It is
	// part of those binaries' file names rather than of the version set, so
	// that adding or changing it does not rebuild the control planes.
	NetworkProxyVersion = "v0.33.0"
)

// versionSet names the cache directory of one set of pinned binaries, so a
// change of any version builds into a fresh directory.
func versionSet() string {
	return "k8s-" + KubernetesVersion + "_etcd-" + EtcdVersion + "_kwok-" + KwokVersion + "_ocm-" + OCMVersion + "_ocm-api-" + OCMAPIVersion
}
