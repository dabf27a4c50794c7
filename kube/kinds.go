package kube

import (
	"maps"
	"slices"
	"strings"
)

// kindAliases maps what people type (kubectl's names and short names) to kinds.
var kindAliases = map[string]string{
	"deploy": "Deployment", "deployment": "Deployment", "deployments": "Deployment",
	"sts": "StatefulSet", "statefulset": "StatefulSet", "statefulsets": "StatefulSet",
	"ds": "DaemonSet", "daemonset": "DaemonSet", "daemonsets": "DaemonSet",
	"rs": "ReplicaSet", "replicaset": "ReplicaSet", "replicasets": "ReplicaSet",
	"job": "Job", "jobs": "Job",
	"cj": "CronJob", "cronjob": "CronJob", "cronjobs": "CronJob",
	"po": "Pod", "pod": "Pod", "pods": "Pod",
	"svc": "Service", "service": "Service", "services": "Service",
	"ep": "Endpoints", "endpoints": "Endpoints",
	"endpointslice": "EndpointSlice", "endpointslices": "EndpointSlice",
	"ing": "Ingress", "ingress": "Ingress", "ingresses": "Ingress",
	"cm": "ConfigMap", "configmap": "ConfigMap", "configmaps": "ConfigMap",
	"secret": "Secret", "secrets": "Secret",
	"pv": "PersistentVolume", "persistentvolume": "PersistentVolume", "persistentvolumes": "PersistentVolume",
	"pvc": "PersistentVolumeClaim", "persistentvolumeclaim": "PersistentVolumeClaim", "persistentvolumeclaims": "PersistentVolumeClaim",
	"sc": "StorageClass", "storageclass": "StorageClass", "storageclasses": "StorageClass",
	"no": "Node", "node": "Node", "nodes": "Node",
}

// ResolveKind turns an alias ("deploy", "po", "pvc") into its kind; anything
// else (a custom resource's kind, say) is returned as typed and matched
// case-insensitively.
func ResolveKind(name string) string {
	if k, ok := kindAliases[strings.ToLower(name)]; ok {
		return k
	}
	return name
}

// KindAliases are the names ResolveKind understands, sorted.
func KindAliases() []string {
	return slices.Sorted(maps.Keys(kindAliases))
}
