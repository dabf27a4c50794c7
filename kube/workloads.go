package kube

import "slices"

// What each kind of workload can do, declared once for the UI, the CLI and
// the health check.
var (
	// runsPods are the kinds that are pods or own them: they have logs and
	// the health check compares them.
	runsPods = []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
	// scalable kinds have replicas.
	scalable = []string{"Deployment", "StatefulSet", "ReplicaSet"}
	// restartable kinds roll out again when their pod template changes.
	restartable = []string{"Deployment", "StatefulSet", "DaemonSet"}
)

// RunsPods reports whether an object is a pod or owns pods: it has logs.
func (o Object) RunsPods() bool { return slices.Contains(runsPods, o.Kind) }

// Scalable reports whether an object has replicas to scale.
func (o Object) Scalable() bool { return slices.Contains(scalable, o.Kind) }

// Restartable reports whether an object's rollout can be restarted.
func (o Object) Restartable() bool { return slices.Contains(restartable, o.Kind) }
