package kube

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// ForwardOptions say what PortForward forwards.
type ForwardOptions struct {
	// Service, when true, makes Name a Service: the forward goes to one of
	// its ready pods, each service port mapped to its target port.
	Service bool
	Name    string
	// Ports are [LOCAL:]REMOTE as kubectl takes them: "8080:80", "80"
	// (the same port locally), ":80" (a free local port). REMOTE may be a
	// port's name.
	Ports []string
	// Out gets "Forwarding from 127.0.0.1:8080 -> 80" lines and one line
	// per connection; ErrOut the errors of single connections.
	Out, ErrOut io.Writer
	// Listening, when set, is called once the local ports listen, with
	// each local port and the pod's port it forwards to.
	Listening func(ports []ForwardedPort)
}

// ForwardedPort is a local port forwarded to a port of a pod.
type ForwardedPort struct{ Local, Remote uint16 }

// LocalPortInUseError is a local port that something else listens on.
type LocalPortInUseError struct {
	Port string
	Err  error
}

func (e *LocalPortInUseError) Error() string {
	return fmt.Sprintf("local port %s is in use (%v): choose another, or write :REMOTE for a free one", e.Port, e.Err)
}

// PortForward forwards local ports to a pod, or to a ready pod of a
// service, through the API server (SPDY tunnelled over a websocket, or SPDY
// for servers without it) until ctx ends. Before anything is sent it refuses
// in read-only mode, checks that the pod runs and the local ports are free,
// and asks the server whether the user may create pods/portforward there.
func (c *PodClient) PortForward(ctx context.Context, namespace string, opts ForwardOptions) error {
	if c.readOnly {
		return fmt.Errorf("%w: port-forward opens connections into pods", ErrReadOnly)
	}
	pod, ports, err := c.forwardTarget(ctx, namespace, opts)
	if err != nil {
		return err
	}
	if pod.Status.Phase != corev1.PodRunning {
		return fmt.Errorf("pod %s/%s on %s is not running (phase %s): port-forward needs a running pod", namespace, pod.Name, c.Cluster, pod.Status.Phase)
	}
	for _, p := range ports {
		if err := checkLocalPort(p); err != nil {
			return err
		}
	}
	action := "forward ports to pod " + namespace + "/" + pod.Name
	if err := c.mayCreate(ctx, namespace, "portforward", action); err != nil {
		return err
	}
	url := c.client.CoreV1().RESTClient().Post().Resource("pods").Namespace(namespace).Name(pod.Name).SubResource("portforward").URL()
	cfg, proxy, err := streamingConfig(c.config)
	if err != nil {
		return err
	}
	defer proxy.Close()
	transport, upgrader, err := spdy.RoundTripperFor(cfg)
	if err != nil {
		return err
	}
	websocket, err := portforward.NewSPDYOverWebsocketDialerForStreaming(url, cfg)
	if err != nil {
		return err
	}
	dialer := portforward.NewFallbackDialerForStreaming(websocket,
		spdy.NewDialerForStreaming(upgrader, &http.Client{Transport: transport}, http.MethodPost, url), upgradeFailed)
	stop, ready := make(chan struct{}), make(chan struct{})
	forwarder, err := portforward.NewOnAddressesForStreaming(dialer, []string{"localhost"}, ports, stop, ready, opts.Out, opts.ErrOut)
	if err != nil {
		return fmt.Errorf("ports %s: %w", strings.Join(opts.Ports, " "), err)
	}
	done := make(chan error, 1)
	go func() { done <- forwarder.ForwardPorts() }()
	if opts.Listening != nil {
		ended := make(chan struct{})
		defer close(ended)
		go func() {
			select {
			case <-ready:
			case <-ended:
				return
			}
			bound, _ := forwarder.GetPorts()
			listening := make([]ForwardedPort, len(bound))
			for i, p := range bound {
				listening[i] = ForwardedPort{Local: p.Local, Remote: p.Remote}
			}
			opts.Listening(listening)
		}()
	}
	select {
	case err = <-done:
	case <-ctx.Done():
		close(stop)
		err = <-done
	}
	if err != nil {
		return c.streamError(proxy.explain(err), action)
	}
	return nil
}

// forwardTarget is the pod to forward to and the ports as LOCAL:REMOTE
// with REMOTE a number on that pod.
func (c *PodClient) forwardTarget(ctx context.Context, namespace string, opts ForwardOptions) (*corev1.Pod, []string, error) {
	if !opts.Service {
		pod, err := c.getPod(ctx, namespace, opts.Name)
		if err != nil {
			return nil, nil, err
		}
		ports, err := podPorts(c.Cluster, pod, opts.Ports)
		return pod, ports, err
	}
	svc, err := c.client.CoreV1().Services(namespace).Get(ctx, opts.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil, c.noSuch(ctx, namespace, "service", opts.Name)
	}
	if err != nil {
		return nil, nil, c.readError(err, "service "+namespace+"/"+opts.Name)
	}
	pod, err := c.servicePod(ctx, svc)
	if err != nil {
		return nil, nil, err
	}
	ports, err := servicePorts(c.Cluster, svc, pod, opts.Ports)
	return pod, ports, err
}

// servicePod picks the pod of a service to forward to: a ready one, else a
// running one, the first by name, as kubectl picks among active pods.
func (c *PodClient) servicePod(ctx context.Context, svc *corev1.Service) (*corev1.Pod, error) {
	where := fmt.Sprintf("service %s/%s on %s", svc.Namespace, svc.Name, c.Cluster)
	if len(svc.Spec.Selector) == 0 {
		return nil, fmt.Errorf("%s selects no pods (it has no selector): forward to one of its endpoints' pods instead", where)
	}
	list, err := c.client.CoreV1().Pods(svc.Namespace).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(svc.Spec.Selector).String()})
	if err != nil {
		return nil, c.readError(err, "the pods of "+where)
	}
	rank := func(p *corev1.Pod) int {
		switch {
		case p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning:
			return 2
		case !podReady(p):
			return 1
		}
		return 0
	}
	pods := list.Items
	slices.SortFunc(pods, func(a, b corev1.Pod) int {
		return cmp.Or(cmp.Compare(rank(&a), rank(&b)), strings.Compare(a.Name, b.Name))
	})
	if len(pods) == 0 || rank(&pods[0]) == 2 {
		return nil, fmt.Errorf("%s has no running pod (%d selected)", where, len(pods))
	}
	return &pods[0], nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// splitPort splits [LOCAL:]REMOTE; LOCAL is REMOTE when left out, "" for
// ":REMOTE". LOCAL must be a number, REMOTE a number or a name.
func splitPort(spec string) (local, remote string, err error) {
	local, remote = spec, spec
	badLocal := false
	if l, r, ok := strings.Cut(spec, ":"); ok {
		local, remote = l, r
		_, err := strconv.ParseUint(cmp.Or(local, "0"), 10, 16)
		badLocal = err != nil
	}
	if badLocal || remote == "" {
		return "", "", fmt.Errorf("port %q: write [LOCAL:]REMOTE, e.g. 8080:80, 80 or :80 (LOCAL a number, REMOTE a number or a port's name)", spec)
	}
	return local, remote, nil
}

// podPorts turns each [LOCAL:]REMOTE into LOCAL:REMOTE with REMOTE a
// number, a named REMOTE read from the pod's container ports.
func podPorts(cluster string, pod *corev1.Pod, specs []string) ([]string, error) {
	var out []string
	for _, spec := range specs {
		local, remote, err := splitPort(spec)
		if err != nil {
			return nil, err
		}
		number, err := strconv.Atoi(remote)
		if err != nil {
			n, err := containerPort(cluster, pod, remote)
			if err != nil {
				return nil, err
			}
			number = int(n)
			if local == remote {
				local = strconv.Itoa(number)
			}
		}
		out = append(out, local+":"+strconv.Itoa(number))
	}
	return out, nil
}

// servicePorts turns each [LOCAL:]REMOTE, REMOTE a service port (number or
// name), into LOCAL:TARGET with TARGET the number of its target port on
// pod; LOCAL stays the service port when left out, as kubectl does.
func servicePorts(cluster string, svc *corev1.Service, pod *corev1.Pod, specs []string) ([]string, error) {
	var out []string
	for _, spec := range specs {
		local, remote, err := splitPort(spec)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool {
			return p.Name == remote || strconv.Itoa(int(p.Port)) == remote
		})
		if i < 0 {
			var declared []string
			for _, p := range svc.Spec.Ports {
				port := strconv.Itoa(int(p.Port))
				if p.Name != "" {
					port = p.Name + "=" + port
				}
				declared = append(declared, port)
			}
			return nil, fmt.Errorf("service %s/%s on %s has no port %s; its ports: %s", svc.Namespace, svc.Name, cluster, remote, strings.Join(declared, ", "))
		}
		sp := svc.Spec.Ports[i]
		if local == remote {
			local = strconv.Itoa(int(sp.Port))
		}
		target := sp.Port
		switch {
		case sp.TargetPort.Type == intstr.String:
			n, err := containerPort(cluster, pod, sp.TargetPort.StrVal)
			if err != nil {
				return nil, err
			}
			target = n
		case sp.TargetPort.IntVal != 0:
			target = sp.TargetPort.IntVal
		}
		out = append(out, local+":"+strconv.Itoa(int(target)))
	}
	return out, nil
}

// containerPort is the number of the pod's container port called name.
func containerPort(cluster string, pod *corev1.Pod, name string) (int32, error) {
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			if p.Name == name {
				return p.ContainerPort, nil
			}
		}
	}
	return 0, fmt.Errorf("pod %s/%s on %s has no port named %q", pod.Namespace, pod.Name, cluster, name)
}

// checkLocalPort says whether the local port of LOCAL:REMOTE (a checked
// spec) is free; "" or 0 asks for a free one.
func checkLocalPort(spec string) error {
	local, _, _ := strings.Cut(spec, ":")
	if local == "" || local == "0" {
		return nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", local))
	if err != nil {
		return &LocalPortInUseError{Port: local, Err: err}
	}
	return l.Close()
}

// DeclaredPort is a port a pod's container or a service declares.
type DeclaredPort struct {
	Number int32
	Name   string
}

func (p DeclaredPort) String() string {
	if p.Name == "" {
		return strconv.Itoa(int(p.Number))
	}
	return fmt.Sprintf("%d (%s)", p.Number, p.Name)
}

// DeclaredPorts are the ports of a pod's containers, or of a service, as
// PortForward takes them for REMOTE.
func (c *PodClient) DeclaredPorts(ctx context.Context, namespace string, service bool, name string) ([]DeclaredPort, error) {
	var out []DeclaredPort
	if service {
		svc, err := c.client.CoreV1().Services(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, c.readError(err, "service "+namespace+"/"+name)
		}
		for _, p := range svc.Spec.Ports {
			if p.Protocol == "" || p.Protocol == corev1.ProtocolTCP {
				out = append(out, DeclaredPort{Number: p.Port, Name: p.Name})
			}
		}
		return out, nil
	}
	pod, err := c.getPod(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	for _, ctr := range pod.Spec.Containers {
		for _, p := range ctr.Ports {
			if p.Protocol == "" || p.Protocol == corev1.ProtocolTCP {
				out = append(out, DeclaredPort{Number: p.ContainerPort, Name: p.Name})
			}
		}
	}
	return out, nil
}
