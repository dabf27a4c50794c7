package tui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui/input"
	"github.com/wecs-tui/wecs/tui/prompt"
	"github.com/wecs-tui/wecs/tui/shell"
	"github.com/wecs-tui/wecs/tui/status"
)

// stepMsg is a step of a flow that reads before it acts: its error, or
// what to do next.
type stepMsg struct {
	what string
	err  error
	next func(m *Model) tea.Cmd
}

// step runs do off the UI, saying what it does meanwhile, and hands its
// outcome to the root.
func step(what string, do func(ctx context.Context) (func(m *Model) tea.Cmd, error)) tea.Cmd {
	return tea.Batch(status.Busy(what+" …"), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		next, err := do(ctx)
		return stepMsg{what: what, err: err, next: next}
	})
}

// noPod disables a key unless the selection is an object of one of kinds
// that it may act on.
func noPod(what string, kinds ...string) func(*Model) string {
	return func(m *Model) string {
		o, why := m.objectFor(what, true)
		if why == "" && !slices.Contains(kinds, o.Kind) {
			why = what + ": select a " + strings.Join(kinds, " or a ") + ", not a " + o.Kind
		}
		return why
	}
}

// shell opens a shell in a container of the selected pod.
func (m *Model) shell() tea.Cmd { return m.execIn(shell.Shell, false) }

// execCommand runs a command line in the selected pod, keeping its output
// on screen until enter.
func (m *Model) execCommand(line string) (tea.Cmd, error) {
	if strings.TrimSpace(line) == "" {
		return nil, fmt.Errorf("exec: give the command, e.g. :exec ls /tmp (s opens a shell)")
	}
	if why := noPod("exec", "Pod")(m); why != "" {
		return nil, fmt.Errorf("%s", why)
	}
	return m.execIn(commandLine(line), true), nil
}

// commandLine is a typed command as its words, or, when it quotes,
// pipes or expands, as a line for sh -c.
func commandLine(line string) []string {
	if strings.ContainsAny(line, "'\"\\|&;<>$*?(){}`~") {
		return []string{"sh", "-c", line}
	}
	return strings.Fields(line)
}

// execIn runs command in the selected pod: in the one container that can
// run it, or in the one the user picks when the pod has several.
func (m *Model) execIn(command []string, hold bool) tea.Cmd {
	o, _ := m.objectFor("exec", true)
	fleet := m.fleet
	return step("exec in "+o.String(), func(ctx context.Context) (func(*Model) tea.Cmd, error) {
		containers, err := fleet.Containers(ctx, o)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, c := range containers {
			if c.Kind == "" || c.Kind == "sidecar" {
				names = append(names, c.Name)
			}
		}
		if len(names) < 2 {
			return func(m *Model) tea.Cmd { return m.startExec(o, "", command, hold) }, nil
		}
		return func(m *Model) tea.Cmd {
			m.askLine(prompt.Msg{Label: "container of " + termtext.Clean(o.Name) + ": ",
				Hint: "one of " + termtext.Clean(strings.Join(names, ", ")) + " · enter: the pod's default",
				Submit: func(text string) tea.Cmd {
					name := strings.TrimSpace(text)
					if name != "" && !slices.Contains(names, name) {
						return status.Problem("exec: " + o.Name + " has no container " + termtext.Clean(name) + "; its containers: " + strings.Join(names, ", "))
					}
					return m.startExec(o, name, command, hold)
				}})
			return nil
		}, nil
	})
}

// startExec checks that the command may run, then hands it the terminal.
func (m *Model) startExec(o kube.Object, container string, command []string, hold bool) tea.Cmd {
	fleet := m.fleet
	return step("exec in "+o.String(), func(ctx context.Context) (func(*Model) tea.Cmd, error) {
		pc, err := fleet.PodClient(o.Cluster)
		if err != nil {
			return nil, err
		}
		container, err := pc.CheckExec(ctx, o.Namespace, o.Name, container, nil)
		if err != nil {
			return nil, err
		}
		s := &shell.Session{Client: pc, Namespace: o.Namespace, Pod: o.Name, Container: container, Command: command, Hold: hold}
		return func(*Model) tea.Cmd {
			return shell.Start(s, func(err error) tea.Msg {
				return actionDoneMsg{note: "back from " + o.Cluster + "/" + o.Namespace + "/" + o.Name + " (" + container + ")", err: err}
			})
		}, nil
	})
}

// askForward asks which ports to forward to the selected pod or service,
// offering the ports it declares.
func (m *Model) askForward() tea.Cmd {
	o, _ := m.objectFor("port-forward", true)
	service := o.Kind == "Service"
	fleet := m.fleet
	return step("port-forward to "+o.String(), func(ctx context.Context) (func(*Model) tea.Cmd, error) {
		pc, err := fleet.PodClient(o.Cluster)
		if err != nil {
			return nil, err
		}
		declared, err := pc.DeclaredPorts(ctx, o.Namespace, service, o.Name)
		if err != nil {
			return nil, err
		}
		return func(m *Model) tea.Cmd {
			hint := "[LOCAL:]REMOTE … (:REMOTE takes a free local port)"
			var suggested string
			if len(declared) > 0 {
				texts := make([]string, len(declared))
				for i, p := range declared {
					texts[i] = p.String()
				}
				suggested = localFor(declared[0].Number)
				hint = "ports " + termtext.Clean(strings.Join(texts, ", ")) + " · enter: " + suggested
			}
			m.askLine(prompt.Msg{Label: "forward to " + termtext.Clean(o.Name) + ": ", Hint: hint, Submit: func(text string) tea.Cmd {
				ports := strings.Fields(text)
				if len(ports) == 0 && suggested != "" {
					ports = []string{suggested}
				}
				if len(ports) == 0 {
					return status.Problem("port-forward: " + o.Name + " declares no port; type one, e.g. 8080:80")
				}
				return m.views.forwards.Start(pc, o.Namespace, kube.ForwardOptions{Service: service, Name: o.Name, Ports: ports})
			}})
			return nil
		}, nil
	})
}

// localFor is the forward of a remote port offered first: on the same
// local port when that needs no privilege, else on a free one.
func localFor(remote int32) string {
	port := strconv.Itoa(int(remote))
	if remote < 1024 {
		return ":" + port
	}
	return port
}

// askLine asks for a line of text on the footer.
func (m *Model) askLine(p prompt.Msg) {
	m.prompt, m.query = p, input.New()
	m.push(mode{kind: modePrompt})
}
