// Package ttyexec gives a command run in a container the local terminal,
// as kubectl exec -it does: raw while the command runs, and resized with
// the window.
package ttyexec

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
	"k8s.io/client-go/tools/remotecommand"

	"github.com/wecs-tui/wecs/kube"
)

// Use makes opts run on the terminal in (input) and out (output): a TTY,
// sized as out is now and at each SIGWINCH until ctx ends, with in raw
// while the command runs. It reports false, changing nothing, when in is
// no terminal.
func Use(ctx context.Context, in, out *os.File, opts *kube.ExecOptions) bool {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		return false
	}
	opts.TTY = true
	opts.Sizes = watchSize(ctx, int(out.Fd()))
	opts.Attach = func() (func(), error) {
		state, err := term.MakeRaw(fd)
		if err != nil {
			return nil, fmt.Errorf("cannot make the terminal raw: %w", err)
		}
		return func() { _ = term.Restore(fd, state) }, nil
	}
	return true
}

// sizes hands the terminal's size to the command.
type sizes chan remotecommand.TerminalSize

func (s sizes) Next() *remotecommand.TerminalSize {
	size, ok := <-s
	if !ok {
		return nil
	}
	return &size
}

// watchSize sends the size of the terminal fd: first as it is, then at
// each SIGWINCH, until ctx ends.
func watchSize(ctx context.Context, fd int) sizes {
	out := make(sizes, 1)
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	go func() {
		defer close(out)
		defer signal.Stop(winch)
		for {
			if w, h, err := term.GetSize(fd); err == nil {
				select {
				case out <- remotecommand.TerminalSize{Width: uint16(w), Height: uint16(h)}:
				case <-ctx.Done():
					return
				}
			}
			select {
			case <-winch:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
