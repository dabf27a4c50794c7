package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Component is one process of the sandbox, as recorded in its state file.
type Component struct {
	// Name is unique in the sandbox, e.g. "etcd" or "cluster2/kube-apiserver".
	Name   string   `json:"name"`
	Binary string   `json:"binary"`
	Args   []string `json:"args"`
	Env    []string `json:"env,omitempty"`
	PID    int      `json:"pid"`
	Log    string   `json:"log"`
	Port   int      `json:"port,omitempty"`
	// Hosts, when set, is a file the component sees as /etc/hosts, in a
	// mount namespace of its own: a pod's host aliases.
	Hosts   string `json:"hosts,omitempty"`
	started *exec.Cmd
	exited  chan struct{}
}

// start launches the component in its own session, output to its log file.
// dieWithParent ties its life to the calling process (used by tests).
func (c *Component) start(dieWithParent bool) error {
	logFile, err := os.OpenFile(c.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open log of %s: %w", c.Name, err)
	}
	defer logFile.Close()
	cmd := exec.Command(c.Binary, c.Args...)
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if c.Hosts != "" {
		// The sandbox's own executable, as the hosts helper, mounts the file
		// in the new namespace and then becomes the component.
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("start %s: find own executable: %w", c.Name, err)
		}
		cmd.Path = self
		cmd.Args = append([]string{self, c.Binary}, c.Args...)
		cmd.Env = append(cmd.Env, hostsEnv+"="+c.Hosts)
		cmd.SysProcAttr.Unshareflags = syscall.CLONE_NEWNS
	}
	if dieWithParent {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", c.Name, err)
	}
	c.PID = cmd.Process.Pid
	c.started = cmd
	c.exited = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(c.exited)
	}()
	return nil
}

// hostsEnv, when set in the environment, makes a process the hosts helper:
// it bind-mounts the named file on /etc/hosts and executes its arguments.
const hostsEnv = "WECS_SANDBOX_HOSTS"

// execWithHosts is the hosts helper. It runs in a mount namespace of its own
// (made private by the go runtime when it unshared it), so the mount is seen
// by this process only.
func execWithHosts(hosts string, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s: no command to run", hostsEnv)
	}
	if err := syscall.Mount(hosts, "/etc/hosts", "", syscall.MS_BIND, ""); err != nil {
		return fmt.Errorf("mount %s on /etc/hosts: %w", hosts, err)
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, hostsEnv+"=") })
	return syscall.Exec(args[0], args, env)
}

// Alive reports whether the recorded process still runs this component's
// binary: a recycled pid running something else does not count.
func (c *Component) Alive() bool {
	if c.exited != nil {
		select {
		case <-c.exited:
			return false
		default:
			return true
		}
	}
	if c.PID <= 0 {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(c.PID) + "/stat")
	if err != nil {
		return false
	}
	// The state letter follows the parenthesised command name.
	if i := strings.LastIndexByte(string(stat), ')'); i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' {
		return false
	}
	exe, err := os.Readlink("/proc/" + strconv.Itoa(c.PID) + "/exe")
	if err != nil {
		return false
	}
	return strings.TrimSuffix(exe, " (deleted)") == c.Binary
}

// stop sends SIGTERM, waits up to grace for the process to go, then SIGKILLs it.
func (c *Component) stop(grace time.Duration) {
	if !c.Alive() {
		return
	}
	_ = syscall.Kill(c.PID, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !c.Alive() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(c.PID, syscall.SIGKILL)
	for i := 0; i < 100 && c.Alive(); i++ {
		time.Sleep(20 * time.Millisecond)
	}
}

// logTail is the end of the component's log, for error messages.
func (c *Component) logTail(n int) string {
	data, err := os.ReadFile(c.Log)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	return lastLines(string(data), n)
}

// diedError describes a component that exited when it should run.
func (c *Component) diedError() error {
	return fmt.Errorf("%s exited; the end of its log (%s):\n%s", c.Name, c.Log, indent(c.logTail(12)))
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// readyWithin is how long a live component is given to become ready. A
// healthy one takes seconds; on a loaded machine (tests start several
// sandboxes at once on two cores) a kube-apiserver can take more than a
// minute, and one that died is noticed at once anyway.
const readyWithin = 3 * time.Minute

// waitFor polls check until it succeeds, the component dies or timeout passes.
func (c *Component) waitFor(ctx context.Context, timeout time.Duration, what string, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		if !c.Alive() {
			return c.diedError()
		}
		if last = check(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not %s after %s (last error: %v); see its log %s", c.Name, what, timeout, last, c.Log)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
