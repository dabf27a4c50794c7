package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	streamhttp "k8s.io/streaming/pkg/httpstream"
	utilexec "k8s.io/utils/exec"
)

// PodClient reaches the pods of one WEC for what goes to a single pod
// through the API server: exec and port-forward.
type PodClient struct {
	Cluster  string
	config   *rest.Config
	client   kubernetes.Interface
	readOnly bool
}

// PodClient is the client of the ITS's WEC named cluster, bound to a
// kubeconfig context as the fleet binds it. A cluster the ITS does not list
// is a *NoSuchClusterError.
func (k *Kubeconfig) PodClient(ctx context.Context, its, cluster string, wecContexts map[string]string) (*PodClient, error) {
	cfg, err := k.wecConfig(ctx, its, cluster, wecContexts)
	if err != nil {
		return nil, err
	}
	return newPodClient(cluster, cfg, k.ReadOnly())
}

// PodClient is the client of a connected WEC's pods, as the fleet reaches
// that WEC.
func (f *Fleet) PodClient(cluster string) (*PodClient, error) {
	cfg, err := f.config(cluster)
	if err != nil {
		return nil, err
	}
	return newPodClient(cluster, cfg, f.kc.ReadOnly())
}

func newPodClient(cluster string, cfg *rest.Config, readOnly bool) (*PodClient, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &PodClient{Cluster: cluster, config: cfg, client: cs, readOnly: readOnly}, nil
}

// NoSuchObjectError names a pod or service that is not on the WEC, with
// the closest names there (when the user may list them).
type NoSuchObjectError struct {
	Cluster, Namespace, Kind, Name string
	Closest                        []string
}

func (e *NoSuchObjectError) Error() string {
	msg := fmt.Sprintf("no %s %s/%s on %s", e.Kind, e.Namespace, e.Name, e.Cluster)
	if len(e.Closest) > 0 {
		msg += "; the closest are " + strings.Join(e.Closest, ", ")
	}
	return msg
}

// ForbiddenError says that RBAC forbids the user an action on a WEC.
type ForbiddenError struct {
	// Action is what was refused, e.g. "run commands in pod shop/web-1".
	Action string
	Permission
}

func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("cannot %s: %s; ask an admin of the cluster for that right, or use a context that has it", e.Action, e.Reason)
}

// RemoteExitError is a command in a container that ended with a non-zero
// exit code.
type RemoteExitError struct{ Code int }

func (e *RemoteExitError) Error() string {
	return fmt.Sprintf("command terminated with exit code %d", e.Code)
}

// ExecOptions say what Exec runs and with which streams.
type ExecOptions struct {
	// Container is the container to run in; "" picks the pod's default
	// container (its kubectl.kubernetes.io/default-container annotation,
	// else its first), saying so on Stderr as kubectl does.
	Container string
	Command   []string
	// Stdin, when set, is passed to the command.
	Stdin io.Reader
	// Stdout and Stderr receive the command's output; with TTY, Stdout
	// receives both.
	Stdout, Stderr io.Writer
	// TTY gives the command a terminal, sized by Sizes.
	TTY   bool
	Sizes remotecommand.TerminalSizeQueue
	// Attach, when set, is called once every check has passed, just before
	// the command starts (to make the local terminal raw); the function it
	// returns is called when the command ends.
	Attach func() (detach func(), err error)
}

// defaultContainerAnnotation names a pod's default container for kubectl.
const defaultContainerAnnotation = "kubectl.kubernetes.io/default-container"

// Exec runs a command in a container of a pod, through the API server
// (over a websocket, or SPDY for servers without it), until it ends or ctx
// does. Before anything is sent it refuses in read-only mode, checks that
// the container exists and runs, and asks the server whether the user may
// create pods/exec there. A non-zero exit code is a *RemoteExitError.
func (c *PodClient) Exec(ctx context.Context, namespace, pod string, opts ExecOptions) error {
	container, err := c.CheckExec(ctx, namespace, pod, opts.Container, opts.Stderr)
	if err != nil {
		return err
	}
	req := c.client.CoreV1().RESTClient().Post().Resource("pods").Namespace(namespace).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: container, Command: opts.Command, Stdin: opts.Stdin != nil,
			Stdout: opts.Stdout != nil, Stderr: opts.Stderr != nil && !opts.TTY, TTY: opts.TTY}, scheme.ParameterCodec)
	cfg, proxy, err := streamingConfig(c.config)
	if err != nil {
		return err
	}
	defer proxy.Close()
	spdy, err := remotecommand.NewSPDYExecutor(cfg, "POST", req.URL())
	if err != nil {
		return err
	}
	websocket, err := remotecommand.NewWebSocketExecutor(cfg, "GET", req.URL().String())
	if err != nil {
		return err
	}
	executor, err := remotecommand.NewFallbackExecutor(websocket, spdy, upgradeFailed)
	if err != nil {
		return err
	}
	streams := remotecommand.StreamOptions{Stdin: opts.Stdin, Stdout: opts.Stdout, Tty: opts.TTY, TerminalSizeQueue: opts.Sizes}
	if !opts.TTY {
		streams.Stderr = opts.Stderr
	}
	if opts.Attach != nil {
		detach, err := opts.Attach()
		if err != nil {
			return err
		}
		defer detach()
	}
	if err := remoteExit(executor.StreamWithContext(ctx, streams)); err != nil {
		return c.streamError(proxy.explain(err), "run commands in pod "+namespace+"/"+pod)
	}
	return nil
}

// CheckExec makes Exec's checks, without running anything: read-only
// mode, the pod, the container (a default one picked when "", said on
// note), and the right to create pods/exec. It returns the container.
func (c *PodClient) CheckExec(ctx context.Context, namespace, pod, container string, note io.Writer) (string, error) {
	if c.readOnly {
		return "", fmt.Errorf("%w: exec runs commands in containers", ErrReadOnly)
	}
	p, err := c.getPod(ctx, namespace, pod)
	if err != nil {
		return "", err
	}
	container, err = execContainer(c.Cluster, p, container, note)
	if err != nil {
		return "", err
	}
	if err := c.mayCreate(ctx, namespace, "exec", "run commands in pod "+namespace+"/"+pod); err != nil {
		return "", err
	}
	return container, nil
}

// remoteExit turns a stream's report of a non-zero exit code into a
// *RemoteExitError.
func remoteExit(err error) error {
	var exit utilexec.ExitError
	if errors.As(err, &exit) && exit.Exited() {
		return &RemoteExitError{Code: exit.ExitStatus()}
	}
	return err
}

// upgradeFailed says whether a websocket could not be had, so SPDY is
// tried instead (as kubectl does).
func upgradeFailed(err error) bool {
	return streamhttp.IsUpgradeFailure(err) || streamhttp.IsHTTPSProxyError(err)
}

// getPod reads a pod, with an error that says what is wrong.
func (c *PodClient) getPod(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	p, err := c.client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, c.noSuch(ctx, namespace, "pod", name)
	}
	if err != nil {
		return nil, c.readError(err, "pod "+namespace+"/"+name)
	}
	return p, nil
}

// noSuch is the error for an object that is not there, with the closest
// names of its kind in the namespace.
func (c *PodClient) noSuch(ctx context.Context, namespace, kind, name string) error {
	var names []string
	switch kind {
	case "pod":
		if list, err := c.client.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{}); err == nil {
			for _, p := range list.Items {
				names = append(names, p.Name)
			}
		}
	case "service":
		if list, err := c.client.CoreV1().Services(namespace).List(ctx, metav1.ListOptions{}); err == nil {
			for _, s := range list.Items {
				names = append(names, s.Name)
			}
		}
	}
	return &NoSuchObjectError{Cluster: c.Cluster, Namespace: namespace, Kind: kind, Name: name, Closest: closest(name, names, 3)}
}

// readError says why what could not be read, in plain words.
func (c *PodClient) readError(err error, what string) error {
	if apierrors.IsForbidden(err) {
		return fmt.Errorf("you may not read %s on %s: %s", what, c.Cluster, apierrors.ReasonForError(err))
	}
	return fmt.Errorf("%s: read %s: %s", c.Cluster, what, errorText(err))
}

// streamError says which cluster and action a failed stream was for; a
// *RemoteExitError stays as it is.
func (c *PodClient) streamError(err error, action string) error {
	var exit *RemoteExitError
	if errors.As(err, &exit) {
		return err
	}
	return fmt.Errorf("%s: cannot %s: %s", c.Cluster, action, errorText(err))
}

// mayCreate asks the WEC whether the user may create the pods subresource
// in namespace; a review that cannot be made lets the request go, and
// the server's answer then says.
func (c *PodClient) mayCreate(ctx context.Context, namespace, subresource, action string) error {
	p, answered := reviewAccess(ctx, c.config, permissionKey{cluster: c.Cluster, verb: "create", resource: "pods", subresource: subresource, namespace: namespace})
	if answered && !p.Allowed {
		return &ForbiddenError{Action: action, Permission: p}
	}
	return nil
}

// ContainerError is a container that cannot be exec'd into: not in the pod,
// or not running.
type ContainerError struct {
	Cluster, Namespace, Pod, Container string
	// State is what the container does instead of running ("" when the
	// pod has no such container).
	State string
	// Containers are the pod's containers, as kubectl lists them.
	Containers string
}

func (e *ContainerError) Error() string {
	if e.State == "" {
		return fmt.Sprintf("pod %s/%s on %s has no container %q; its containers: %s; choose one with -c", e.Namespace, e.Pod, e.Cluster, e.Container, e.Containers)
	}
	return fmt.Sprintf("container %q of pod %s/%s on %s is not running (%s); `wecs logs %s/%s/%s -c %s` may say why",
		e.Container, e.Namespace, e.Pod, e.Cluster, e.State, e.Cluster, e.Namespace, e.Pod, e.Container)
}

// execContainer picks the container to exec into and checks that it runs.
// With none named it takes the pod's default container, as kubectl does,
// and says so on note when the pod has several.
func execContainer(cluster string, p *corev1.Pod, name string, note io.Writer) (string, error) {
	if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
		return "", fmt.Errorf("cannot exec into a container of pod %s/%s on %s: the pod has completed (phase %s)", p.Namespace, p.Name, cluster, p.Status.Phase)
	}
	names := containerNames(p)
	if name == "" {
		name = defaultContainer(p, names, note)
	}
	cerr := &ContainerError{Cluster: cluster, Namespace: p.Namespace, Pod: p.Name, Container: name, Containers: names}
	statuses := slices.Concat(p.Status.InitContainerStatuses, p.Status.ContainerStatuses, p.Status.EphemeralContainerStatuses)
	i := slices.IndexFunc(statuses, func(s corev1.ContainerStatus) bool { return s.Name == name })
	switch {
	case !hasContainer(p, name):
		return "", cerr
	case i < 0:
		cerr.State = "no status yet"
		return "", cerr
	case statuses[i].State.Running != nil:
		return name, nil
	case statuses[i].State.Waiting != nil:
		cerr.State = "waiting: " + statuses[i].State.Waiting.Reason
	case statuses[i].State.Terminated != nil:
		cerr.State = "terminated: " + statuses[i].State.Terminated.Reason
	default:
		cerr.State = "no state"
	}
	return "", cerr
}

// defaultContainer is the container the annotation names if the pod has
// it, else the first, with kubectl's note when that was a choice.
func defaultContainer(p *corev1.Pod, names string, note io.Writer) string {
	if name := p.Annotations[defaultContainerAnnotation]; name != "" && hasContainer(p, name) {
		return name
	}
	if len(p.Spec.Containers) == 0 {
		return ""
	}
	first := p.Spec.Containers[0].Name
	if note != nil && len(p.Spec.Containers)+len(p.Spec.InitContainers)+len(p.Spec.EphemeralContainers) > 1 {
		fmt.Fprintf(note, "Defaulted container %q out of: %s\n", first, names)
	}
	return first
}

func hasContainer(p *corev1.Pod, name string) bool {
	match := func(c corev1.Container) bool { return c.Name == name }
	return slices.ContainsFunc(p.Spec.Containers, match) || slices.ContainsFunc(p.Spec.InitContainers, match) ||
		slices.ContainsFunc(p.Spec.EphemeralContainers, func(c corev1.EphemeralContainer) bool { return c.Name == name })
}

// containerNames lists a pod's containers as kubectl does: "app, proxy,
// migrate (init), debugger (ephem)".
func containerNames(p *corev1.Pod) string {
	var names []string
	for _, c := range p.Spec.Containers {
		names = append(names, c.Name)
	}
	for _, c := range p.Spec.InitContainers {
		names = append(names, c.Name+" (init)")
	}
	for _, c := range p.Spec.EphemeralContainers {
		names = append(names, c.Name+" (ephem)")
	}
	return strings.Join(names, ", ")
}
