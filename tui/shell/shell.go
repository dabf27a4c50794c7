// Package shell runs a command in a container on the UI's own terminal:
// the UI hands the terminal over, as it does to $EDITOR, and takes it back
// when the command ends.
package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/internal/ttyexec"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui/handover"
)

// Shell is what a container runs when no command is given: bash if it has
// one, else sh, as k9s does.
var Shell = []string{"sh", "-c", "command -v bash >/dev/null 2>&1 && exec bash || exec sh"}

// clearScreen clears the terminal and puts the cursor at its top.
const clearScreen = "\x1b[H\x1b[2J"

// Session is one command in one container.
type Session struct {
	Client                    *kube.PodClient
	Namespace, Pod, Container string
	Command                   []string
	// Hold keeps the command's output on screen until enter is pressed:
	// for a command whose output is the point, where a shell's is not.
	Hold bool

	in          io.Reader
	out, errOut io.Writer
}

// Start hands the terminal to the session; done gets how it ended.
func Start(s *Session, done func(error) tea.Msg) tea.Cmd { return handover.Exec(s, done) }

func (s *Session) SetStdin(r io.Reader)  { s.in = r }
func (s *Session) SetStderr(w io.Writer) { s.errOut = w }

func (s *Session) SetStdout(w io.Writer) { s.out = handover.Terminal(w) }

// Run runs the command. A shell gets the terminal (raw, sized) and its
// input through a reader that ends with it (see input); a held command
// gets no input.
func (s *Session) Run() error {
	fmt.Fprintf(s.out, "%s%s\r\n", clearScreen, termtext.Clean(s.banner()))
	opts := kube.ExecOptions{Container: s.Container, Command: s.Command, Stdout: s.out, Stderr: s.errOut}
	if s.Hold {
		return s.hold(s.Client.Exec(context.Background(), s.Namespace, s.Pod, opts))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, err := newInput(s.in)
	if err != nil {
		return fmt.Errorf("cannot read the terminal: %w", err)
	}
	defer in.end()
	opts.Stdin = in
	inFile, inOK := s.in.(*os.File)
	outFile, outOK := s.out.(*os.File)
	if inOK && outOK {
		ttyexec.Use(ctx, inFile, outFile, &opts)
	}
	return s.Client.Exec(ctx, s.Namespace, s.Pod, opts)
}

// banner says where the command runs and how to come back.
func (s *Session) banner() string {
	where := fmt.Sprintf("%s/%s/%s, container %s", s.Client.Cluster, s.Namespace, s.Pod, s.Container)
	if s.Hold {
		return "wecs: running " + strings.Join(s.Command, " ") + " in " + where
	}
	return "wecs: shell in " + where + "; exit it to return to wecs"
}

// hold says how the command ended and waits for enter on the terminal.
func (s *Session) hold(err error) error {
	outcome := "exit code 0"
	var exit *kube.RemoteExitError
	if errors.As(err, &exit) {
		outcome, err = exit.Error(), nil
	}
	if err != nil {
		outcome = "error: " + err.Error()
	}
	fmt.Fprintf(s.out, "\r\n[%s] press enter to return to wecs\r\n", termtext.Clean(outcome))
	line := make([]byte, 1)
	for {
		n, rerr := s.in.Read(line)
		if rerr != nil || (n == 1 && (line[0] == '\n' || line[0] == '\r')) {
			return err
		}
	}
}
