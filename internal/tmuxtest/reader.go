package tmuxtest

import (
	"bufio"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// Reader reads a session's pane through one tmux control client that
// stays attached: each read is a command on its pipe rather than a new
// tmux process, so reading every few milliseconds, as a benchmark does,
// adds little load to the machine it measures.
type Reader struct {
	t    testing.TB
	pane string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
}

// Reader attaches a control client to the session; Close detaches it.
// The client takes no part in the window's size, and tmux sends it none of
// the pane's output.
func (s *Session) Reader() *Reader {
	s.t.Helper()
	cmd := exec.Command("tmux", "-L", s.name, "-C", "attach-session", "-f", "ignore-size,no-output", "-t", s.name)
	in, err := cmd.StdinPipe()
	if err != nil {
		s.t.Fatalf("tmux control client: %v", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatalf("tmux control client: %v", err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("tmux control client: %v", err)
	}
	return &Reader{t: s.t, pane: s.name, cmd: cmd, in: in, out: bufio.NewReader(out)}
}

// Screen is what the pane shows now, as plain text (as Session.Screen).
func (r *Reader) Screen() string {
	r.t.Helper()
	return r.command("capture-pane -p -t " + r.pane)
}

// Close detaches the client.
func (r *Reader) Close() {
	_ = r.in.Close()
	_ = r.cmd.Wait()
}

// command runs one tmux command and returns its output. tmux answers each
// command this client sends with a block, "%begin T N 1" … "%end T N 1"
// (or "%error T N 1"); blocks with other flags (the attach's own) and the
// notifications between blocks are skipped.
func (r *Reader) command(line string) string {
	r.t.Helper()
	if _, err := io.WriteString(r.in, line+"\n"); err != nil {
		r.t.Fatalf("tmux control client: %s: %v", line, err)
	}
	var block strings.Builder
	begin := ""
	for {
		text, err := r.out.ReadString('\n')
		if err != nil {
			r.t.Fatalf("tmux control client: %s: %v", line, err)
		}
		switch {
		case begin == "" && strings.HasPrefix(text, "%begin "):
			begin = strings.TrimPrefix(text, "%begin ")
		case begin == "":
		case text == "%end "+begin || text == "%error "+begin:
			if strings.HasSuffix(begin, " 1\n") {
				if strings.HasPrefix(text, "%error") {
					r.t.Fatalf("tmux %s: %s", line, block.String())
				}
				return block.String()
			}
			begin = ""
			block.Reset()
		default:
			block.WriteString(text)
		}
	}
}
