package sandbox

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/utils/ptr"
)

// Names of seeded objects that tests and demos look for.
const (
	// agentNodeLabel marks the nodes the monitoring DaemonSet runs on.
	agentNodeLabel = "sandbox.wecs.dev/agent"
	// failStageLabel makes kwok fail a pod's containers (its chaos stage).
	failStageLabel = "pod-container-running-failed.stage.kwok.x-k8s.io"
	// UnhealthyOnCluster2 is the Deployment that is healthy on every WEC but
	// cluster2, where its pods cannot be scheduled.
	UnhealthyOnCluster2 = "web"
	// NeverReady is the Deployment whose pods never fit on a node.
	NeverReady = "fraud-model"
	// FailingJob is the Job whose pods fail until its backoff limit.
	FailingJob = "report-failing"
	// FailingPod is the bare pod kwok fails.
	FailingPod = "crashy"
	// LoggingPod is a bare pod with an init container, a sidecar and a main container.
	LoggingPod = "debug-shell"
	// WidgetGroup is the API group of the seeded custom resource.
	WidgetGroup = "sandbox.wecs.dev"
)

// The troubleshooting workloads: one per broken state, all in
// TroubleshootNamespace, put in their state by kwok's troubleshoot stages.
const (
	// TroubleshootNamespace holds the troubleshooting workloads.
	TroubleshootNamespace = "troubleshoot"
	// TroubleLabel on a pod names the state the troubleshoot stages give it.
	TroubleLabel = "sandbox.wecs.dev/trouble"
	// CrashLoopDeployment's pod crash-loops: CrashLoopBackOff, restarts rising.
	CrashLoopDeployment = "crash-loop"
	// ImagePullDeployment's pod cannot pull its image: ImagePullBackOff.
	ImagePullDeployment = "image-pull"
	// OOMKilledPod is killed for memory again and again: OOMKilled.
	OOMKilledPod = "oom-killed"
	// TerminatingPod is deleted and held by a finalizer: Terminating.
	TerminatingPod = "stuck-terminating"
	// EvictedPod is evicted by its node for memory pressure: Evicted.
	EvictedPod = "evicted"
	// InitCrashLoopPod's init container crash-loops: Init:CrashLoopBackOff.
	InitCrashLoopPod = "init-crash-loop"
)

// Seeded namespaces.
const (
	nsShop       = "shop"
	nsPayments   = "payments"
	nsBatch      = "batch"
	nsMonitoring = "monitoring"
	nsLoad       = "load"
)

func (u *upper) seedWEC(ctx context.Context, p *controlPlane) error {
	name := p.cluster.Name
	cs := p.client
	must := func(what string, err error) error {
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("%s: seed %s: %w", name, what, err)
		}
		return nil
	}
	for _, ns := range []string{nsShop, nsPayments, nsBatch, nsMonitoring} {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{"team": ns}}}, metav1.CreateOptions{})
		if err := must("namespace "+ns, err); err != nil {
			return err
		}
	}
	// Pods need the namespace's default ServiceAccount, which the
	// controller-manager creates shortly after the namespace.
	for _, ns := range []string{nsShop, nsBatch} {
		if err := waitServiceAccount(ctx, p, ns); err != nil {
			return err
		}
	}

	// Cluster-scoped storage, and a claim bound to it.
	_, err := cs.StorageV1().StorageClasses().Create(ctx, &storagev1.StorageClass{
		ObjectMeta: metav1.ObjectMeta{Name: "manual"}, Provisioner: "kubernetes.io/no-provisioner",
		VolumeBindingMode: ptr.To(storagev1.VolumeBindingImmediate)}, metav1.CreateOptions{})
	if err := must("storageclass", err); err != nil {
		return err
	}
	_, err = cs.CoreV1().PersistentVolumes().Create(ctx, &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "db-data-" + name},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")},
			AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName:       "manual",
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/lib/sandbox/db"}},
			ClaimRef:               &corev1.ObjectReference{Namespace: nsShop, Name: "db-data"},
		}}, metav1.CreateOptions{})
	if err := must("persistentvolume", err); err != nil {
		return err
	}
	_, err = cs.CoreV1().PersistentVolumeClaims(nsShop).Create(ctx, &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "db-data"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, StorageClassName: ptr.To("manual"),
			VolumeName: "db-data-" + name,
			Resources:  corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}},
		}}, metav1.CreateOptions{})
	if err := must("persistentvolumeclaim", err); err != nil {
		return err
	}

	// shop: the web front end (its Deployment, Service and ConfigMap come
	// through shop-policy's ManifestWork), its database and a few more.
	_, err = cs.CoreV1().Secrets(nsShop).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "web-credentials"},
		Type: corev1.SecretTypeOpaque, StringData: map[string]string{"username": "shop", "password": "s3cr3t-" + name}}, metav1.CreateOptions{})
	if err := must("secret", err); err != nil {
		return err
	}
	_, err = cs.CoreV1().Services(nsShop).Create(ctx, service("db", 5432, true), metav1.CreateOptions{})
	if err := must("service db", err); err != nil {
		return err
	}
	_, err = cs.NetworkingV1().Ingresses(nsShop).Create(ctx, &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: "shop." + name + ".example.com",
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path: "/", PathType: ptr.To(networkingv1.PathTypePrefix),
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}},
			}}}}}}},
	}, metav1.CreateOptions{})
	if err := must("ingress", err); err != nil {
		return err
	}
	db := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Labels: map[string]string{"app": "db"}},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](1), ServiceName: "db",
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}},
			Template: podTemplate("db", corev1.PodSpec{
				Containers: []corev1.Container{container("postgres", "postgres:16", 5432, "500m", "1Gi")},
				Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
					PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "db-data"}}}},
			})},
	}
	db.Spec.Template.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/var/lib/postgresql/data"}}
	_, err = cs.AppsV1().StatefulSets(nsShop).Create(ctx, db, metav1.CreateOptions{})
	if err := must("statefulset", err); err != nil {
		return err
	}
	_, err = cs.AppsV1().ReplicaSets(nsShop).Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: "legacy-cache", Labels: map[string]string{"app": "legacy-cache"}},
		Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](1), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "legacy-cache"}},
			Template: podTemplate("legacy-cache", corev1.PodSpec{Containers: []corev1.Container{container("app", "redis:7", 6379, "100m", "256Mi")}})},
	}, metav1.CreateOptions{})
	if err := must("replicaset", err); err != nil {
		return err
	}
	_, err = cs.CoreV1().Pods(nsShop).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: LoggingPod, Labels: map[string]string{"app": LoggingPod}},
		Spec: webPodSpec()}, metav1.CreateOptions{})
	if err := must("pod "+LoggingPod, err); err != nil {
		return err
	}

	// payments: one healthy Deployment, one that never fits on a node.
	checkout := deployment("checkout", 2, corev1.PodSpec{Containers: []corev1.Container{container("app", "ghcr.io/example/checkout:2.4.1", 8080, "250m", "256Mi")}})
	fraud := deployment(NeverReady, 2, corev1.PodSpec{Containers: []corev1.Container{container("app", "ghcr.io/example/fraud-model:0.9", 9000, "64", "16Gi")}})
	for _, d := range []*appsv1.Deployment{checkout, fraud} {
		_, err = cs.AppsV1().Deployments(nsPayments).Create(ctx, d, metav1.CreateOptions{})
		if err := must("deployment "+d.Name, err); err != nil {
			return err
		}
	}
	_, err = cs.CoreV1().Services(nsPayments).Create(ctx, service("checkout", 8080, false), metav1.CreateOptions{})
	if err := must("service checkout", err); err != nil {
		return err
	}

	// batch: a Job that completes, one that fails, a CronJob and a failing bare pod.
	failing := podTemplate(FailingJob, corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
		Containers: []corev1.Container{container("app", "ghcr.io/example/report:1.0", 0, "100m", "128Mi")}})
	failing.Labels[failStageLabel] = "true"
	jobs := []*batchv1.Job{
		job("db-migrate", podTemplate("db-migrate", corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
			Containers: []corev1.Container{container("app", "ghcr.io/example/migrate:1.0", 0, "100m", "128Mi")}})),
		job(FailingJob, failing),
	}
	jobs[1].Spec.BackoffLimit = ptr.To[int32](2)
	for _, j := range jobs {
		_, err = cs.BatchV1().Jobs(nsBatch).Create(ctx, j, metav1.CreateOptions{})
		if err := must("job "+j.Name, err); err != nil {
			return err
		}
	}
	_, err = cs.BatchV1().CronJobs(nsBatch).Create(ctx, &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly-report"},
		Spec: batchv1.CronJobSpec{Schedule: "*/2 * * * *", SuccessfulJobsHistoryLimit: ptr.To[int32](2), FailedJobsHistoryLimit: ptr.To[int32](1),
			JobTemplate: batchv1.JobTemplateSpec{Spec: job("", podTemplate("nightly-report", corev1.PodSpec{RestartPolicy: corev1.RestartPolicyOnFailure,
				Containers: []corev1.Container{container("app", "ghcr.io/example/report:1.0", 0, "100m", "128Mi")}})).Spec}},
	}, metav1.CreateOptions{})
	if err := must("cronjob", err); err != nil {
		return err
	}
	crashy := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: FailingPod, Labels: map[string]string{"app": FailingPod, failStageLabel: "true"}},
		Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{container("app", "ghcr.io/example/worker:3.1", 0, "100m", "128Mi")}}}
	_, err = cs.CoreV1().Pods(nsBatch).Create(ctx, crashy, metav1.CreateOptions{})
	if err := must("pod "+FailingPod, err); err != nil {
		return err
	}

	// monitoring: its node-exporter DaemonSet comes through monitoring-policy.

	if err := seedTroubleshoot(ctx, p); err != nil {
		return fmt.Errorf("%s: seed %s: %w", name, TroubleshootNamespace, err)
	}

	if err := seedWidgets(ctx, p); err != nil {
		return fmt.Errorf("%s: seed widgets: %w", name, err)
	}
	if err := u.seedLoad(ctx, p); err != nil {
		return err
	}
	u.say("  %s: workloads seeded", name)
	return nil
}

// seedTroubleshoot creates one workload per state of the troubleshoot
// stages, each pod labelled with its state. Pods that must never become
// ready give kwok's general stages that would start them weight 0.
func seedTroubleshoot(ctx context.Context, p *controlPlane) error {
	cs := p.client
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: TroubleshootNamespace,
		Labels: map[string]string{"team": "sre"}}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	if err := waitServiceAccount(ctx, p, TroubleshootNamespace); err != nil {
		return err
	}
	// mark labels a pod template with its state.
	mark := func(t *corev1.PodTemplateSpec, state string, neverStart ...string) {
		t.Labels[TroubleLabel] = state
		for _, stage := range neverStart {
			if t.Annotations == nil {
				t.Annotations = map[string]string{}
			}
			t.Annotations[stage+".stage.kwok.x-k8s.io/weight"] = "0"
		}
	}
	app := func(image string) corev1.PodSpec {
		return corev1.PodSpec{Containers: []corev1.Container{container("app", image, 8080, "100m", "128Mi")}}
	}
	crashLoop := deployment(CrashLoopDeployment, 1, app("ghcr.io/example/billing-api:2.0.1"))
	mark(&crashLoop.Spec.Template, "crash-loop")
	imagePull := deployment(ImagePullDeployment, 1, app("ghcr.io/example/ledger:9.9.9-missing"))
	mark(&imagePull.Spec.Template, "image-pull", "pod-ready")
	for _, d := range []*appsv1.Deployment{crashLoop, imagePull} {
		if _, err := cs.AppsV1().Deployments(TroubleshootNamespace).Create(ctx, d, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("deployment %s: %w", d.Name, err)
		}
	}
	initCrash := app("ghcr.io/example/orders:1.4.0")
	initCrash.InitContainers = []corev1.Container{container("migrate", "ghcr.io/example/orders-migrate:1.4.0", 0, "100m", "64Mi")}
	pods := []corev1.PodTemplateSpec{
		podTemplate(OOMKilledPod, app("ghcr.io/example/image-resizer:0.7.2")),
		podTemplate(TerminatingPod, app("ghcr.io/example/session-store:3.2.0")),
		podTemplate(EvictedPod, app("ghcr.io/example/report-cache:1.1.0")),
		podTemplate(InitCrashLoopPod, initCrash),
	}
	mark(&pods[0], "oom-killed")
	mark(&pods[1], "terminating")
	mark(&pods[2], "evicted")
	mark(&pods[3], "init-crash-loop", "pod-init-container-running", "pod-init-container-completed")
	for _, t := range pods {
		name := t.Labels["app"]
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: t.Labels, Annotations: t.Annotations}, Spec: t.Spec}
		if _, err := cs.CoreV1().Pods(TroubleshootNamespace).Create(ctx, pod, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("pod %s: %w", name, err)
		}
	}
	return nil
}

// waitServiceAccount waits for the default ServiceAccount of ns.
func waitServiceAccount(ctx context.Context, p *controlPlane, ns string) error {
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := p.client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("%s: the controller-manager made no default ServiceAccount in %s: %w", p.cluster.Name, ns, err)
	}
	return nil
}

// seedLoad spreads the requested extra pods over Deployments of 50 replicas.
func (u *upper) seedLoad(ctx context.Context, p *controlPlane) error {
	if u.opts.Pods == 0 {
		return nil
	}
	_, err := p.client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: nsLoad}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	if err := waitServiceAccount(ctx, p, nsLoad); err != nil {
		return err
	}
	var deps []*appsv1.Deployment
	for left, i := u.opts.Pods, 1; left > 0; i++ {
		n := min(left, 50)
		left -= n
		deps = append(deps, deployment(fmt.Sprintf("load-%03d", i), int32(n), corev1.PodSpec{
			Containers: []corev1.Container{container("app", "ghcr.io/example/load:1.0", 8080, "100m", "128Mi")}}))
	}
	return parallel(deps, func(d *appsv1.Deployment) error {
		_, err := p.client.AppsV1().Deployments(nsLoad).Create(ctx, d, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("%s: seed %s: %w", p.cluster.Name, d.Name, err)
		}
		return nil
	})
}

// waitLoadRunning waits until the load Deployments have every replica
// ready, saying how far they got. It reads the Deployments' status, not the
// pods, so that waiting does not load the apiserver.
func (u *upper) waitLoadRunning(ctx context.Context, p *controlPlane) error {
	// About 5 pods a second per WEC when three WECs share two cores.
	timeout := 2*time.Minute + time.Duration(u.opts.Pods)*200*time.Millisecond
	deadline := time.Now().Add(timeout)
	lastSaid := time.Now()
	for {
		list, err := p.client.AppsV1().Deployments(nsLoad).List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			return err
		}
		var ready int32
		for _, d := range list.Items {
			ready += d.Status.ReadyReplicas
		}
		if int(ready) >= u.opts.Pods {
			u.say("  %s: %d load pods ready", p.cluster.Name, ready)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: only %d of %d load pods ready after %s; see the logs in %s", p.cluster.Name, ready, u.opts.Pods, timeout, filepath.Join(u.Dir, "logs"))
		}
		if time.Since(lastSaid) > 10*time.Second {
			u.say("  %s: %d of %d load pods ready", p.cluster.Name, ready, u.opts.Pods)
			lastSaid = time.Now()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// seedWidgets installs a small CRD with two instances; one owns a ConfigMap,
// so ownership of custom resources can be seen.
func seedWidgets(ctx context.Context, p *controlPlane) error {
	crd := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "widgets." + WidgetGroup},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: WidgetGroup, Scope: apiextensionsv1.NamespaceScoped,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList", ShortNames: []string{"wdg"}},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
				Subresources: &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}},
				// Printer columns, as kubectl get (and wecs's tables) show them.
				AdditionalPrinterColumns: []apiextensionsv1.CustomResourceColumnDefinition{
					{Name: "Colour", Type: "string", JSONPath: ".spec.colour"},
					{Name: "Size", Type: "integer", JSONPath: ".spec.size"},
					{Name: "Age", Type: "date", JSONPath: ".metadata.creationTimestamp"},
				},
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Type: "object",
					XPreserveUnknownFields: ptr.To(true)}}}},
		},
	}
	ext, err := apiextensionsclient.NewForConfig(p.config)
	if err != nil {
		return err
	}
	if err := createCRD(ctx, ext, crd); err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(p.config)
	if err != nil {
		return err
	}
	widgets := dyn.Resource(schema.GroupVersionResource{Group: WidgetGroup, Version: "v1", Resource: "widgets"}).Namespace(nsShop)
	for i, colour := range []string{"blue", "green"} {
		w := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": WidgetGroup + "/v1", "kind": "Widget",
			"metadata": map[string]any{"name": colour},
			"spec":     map[string]any{"size": int64(i + 1), "colour": colour},
		}}
		created, err := widgets.Create(ctx, w, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			continue
		}
		if err != nil {
			return err
		}
		if i > 0 {
			continue
		}
		owned := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: colour + "-widget-settings",
			OwnerReferences: []metav1.OwnerReference{{APIVersion: WidgetGroup + "/v1", Kind: "Widget", Name: colour, UID: created.GetUID(), Controller: ptr.To(true)}}},
			Data: map[string]string{"size": strconv.Itoa(i + 1)}}
		if _, err := p.client.CoreV1().ConfigMaps(nsShop).Create(ctx, owned, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}

// webPodSpec is a pod with an init container, the app and a proxy sidecar,
// as real web front ends have.
func webPodSpec() corev1.PodSpec {
	app := container("app", "nginx:1.27", 80, "200m", "256Mi")
	app.Env = []corev1.EnvVar{
		{Name: "LOG_LEVEL", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "web-config"}, Key: "LOG_LEVEL"}}},
		{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "web-credentials"}, Key: "password"}}},
		{Name: "REGION", Value: "edge"},
	}
	app.VolumeMounts = []corev1.VolumeMount{{Name: "config", MountPath: "/etc/nginx/conf.d", ReadOnly: true}}
	proxy := container("proxy", "envoyproxy/envoy:v1.31", 9901, "100m", "128Mi")
	proxy.Ports[0].Name = "admin"
	migrate := container("migrate", "ghcr.io/example/migrate:1.0", 0, "100m", "64Mi")
	return corev1.PodSpec{
		InitContainers: []corev1.Container{migrate},
		Containers:     []corev1.Container{app, proxy},
		Volumes: []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "web-config"}}}}},
	}
}

func container(name, image string, port int32, cpu, memory string) corev1.Container {
	c := corev1.Container{Name: name, Image: image, Resources: corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory)},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(memory)},
	}}
	if port > 0 {
		c.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: port, Protocol: corev1.ProtocolTCP}}
	}
	return c
}

func podTemplate(app string, spec corev1.PodSpec) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}}, Spec: spec}
}

func deployment(name string, replicas int32, spec corev1.PodSpec) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name}},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: podTemplate(name, spec)},
	}
}

func job(name string, tmpl corev1.PodTemplateSpec) *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: batchv1.JobSpec{Template: tmpl}}
}

func service(app string, port int32, headless bool) *corev1.Service {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: app, Labels: map[string]string{"app": app}},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": app},
			Ports: []corev1.ServicePort{{Name: "http", Port: port, TargetPort: intstr.FromInt32(port)}}}}
	if headless {
		svc.Spec.ClusterIP = corev1.ClusterIPNone
	}
	return svc
}
