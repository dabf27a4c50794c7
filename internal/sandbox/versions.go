// Package sandbox runs a local fleet of real Kubernetes control planes on
// loopback: one etcd, an ITS (an Open Cluster Management hub) and several WECs,
// each WEC with kube-apiserver, kube-controller-manager, kube-scheduler and kwok
// standing in for the kubelets. It builds the control-plane binaries from Go
// modules on first use and keeps them in a cache.
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
	// manifests are installed on the ITS.
	OCMAPIVersion = "v1.2.0"
)

// versionSet names the cache directory of one set of pinned binaries, so a
// change of any version builds into a fresh directory.
func versionSet() string {
	return "k8s-" + KubernetesVersion + "_etcd-" + EtcdVersion + "_kwok-" + KwokVersion + "_ocm-" + OCMAPIVersion
}
