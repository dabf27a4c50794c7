package main

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

// TestShellExecAndPortForwardFromTheTree works a pod of cluster2 from the
// TUI (see execShellAndForward).
func TestShellExecAndPortForwardFromTheTree(t *testing.T) {
	s := sandboxtest.Shared(t)
	term := tmuxtest.Start(t, 160, 45, buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig+" --its-context its1")
	term.WaitFor(90*time.Second, "cluster2 Active ● Connected")
	term.Keys(":", "cluster cluster2", "Enter")
	term.WaitFor(10*time.Second, "cluster=cluster2")
	term.Keys("/", sandbox.LoggingPod, "Enter")
	term.WaitFor(20*time.Second, "cluster2 › shop › Pod "+sandbox.LoggingPod)

	execShellAndForward(t, term, "cluster2", "4/4 WECs connected")
	term.Keys(":", "q", "Enter")
	term.WaitFor(10*time.Second, "[exited 0]")
}

// execShellAndForward works the logging pod of cluster, selected in the
// tree, as a user does: a command's output stays until enter, a shell
// takes the terminal and gives it back, the next key reaches wecs, and a
// port-forward answers through its local port until it is stopped in the
// list of forwards. connected is the header's count of connected WECs.
func execShellAndForward(t *testing.T, term *tmuxtest.Session, cluster, connected string) {
	t.Helper()
	// A command: its output stays on screen until enter.
	term.Keys(":", "exec echo ran-on-$"+sandbox.ExecClusterEnv, "Enter")
	term.WaitFor(60*time.Second, "container of "+sandbox.LoggingPod+": ", "one of app, proxy")
	term.Keys("Enter")
	term.WaitFor(30*time.Second, "ran-on-"+cluster, "press enter to return to wecs")
	term.Keys("Enter")
	term.WaitFor(10*time.Second, "back from "+cluster+"/shop/"+sandbox.LoggingPod+" (app)", connected, "Pod "+sandbox.LoggingPod+" ✓ Running")

	// A shell in the proxy container; exit gives the terminal back, and
	// the first key typed afterwards reaches wecs.
	term.Keys("s")
	term.WaitFor(60*time.Second, "container of "+sandbox.LoggingPod+": ")
	term.Keys("proxy", "Enter")
	term.WaitFor(30*time.Second, "wecs: shell in "+cluster+"/shop/"+sandbox.LoggingPod+", container proxy")
	// kwok runs the command without a pseudo-terminal, so nothing turns
	// the raw terminal's enter (CR) into a newline there as a kubelet's
	// would: the lines end with ctrl-j.
	term.Keys("echo in-shell-$"+sandbox.ExecClusterEnv, "C-j")
	term.WaitFor(20*time.Second, "in-shell-"+cluster)
	term.Keys("exit", "C-j")
	term.WaitFor(20*time.Second, "back from "+cluster+"/shop/"+sandbox.LoggingPod+" (proxy)", connected)
	// Every key typed once wecs is back reaches it, pressed once: the
	// shell's input reader has let go of the terminal.
	term.Keys("d")
	term.WaitFor(20*time.Second, "esc back", "Pod shop/"+sandbox.LoggingPod+" on "+cluster)
	term.Keys("q")
	term.WaitGone(10*time.Second, "esc back")

	// A port-forward, offered the pod's declared port.
	port := freePort(t)
	term.Keys("F")
	term.WaitFor(60*time.Second, "forward to "+sandbox.LoggingPod+": ", "ports 80 (http)")
	term.Keys(port+":80", "Enter")
	term.WaitFor(30*time.Second, "forwarding localhost:"+port+"→80 to "+cluster+"/shop/pod/"+sandbox.LoggingPod)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://127.0.0.1:" + port + "/through-the-tui")
	if err != nil {
		t.Fatalf("GET through the TUI's forward: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != sandbox.PortServerAnswer(cluster, "/through-the-tui") {
		t.Errorf("GET through the TUI's forward: %q", body)
	}
	term.Keys(":", "pf", "Enter")
	term.WaitFor(10*time.Second, "Port-forwards · 1 active", "shop/pod/"+sandbox.LoggingPod, "localhost:"+port+"→80", "listening")
	term.Keys("C-d")
	term.WaitFor(10*time.Second, "stopped the port-forward to "+cluster+"/shop/pod/"+sandbox.LoggingPod, "No port-forwards.")
	deadline := time.Now().Add(10 * time.Second)
	for {
		l, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err == nil {
			l.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("port %s still held after the forward was stopped: %v", port, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
