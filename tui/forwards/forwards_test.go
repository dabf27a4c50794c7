package forwards

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/status"
)

// running adds a forward as Start does, without a cluster behind it.
func running(m *Model, cluster, target string, asked ...string) (id int, stopped *bool) {
	stopped = new(bool)
	m.next++
	m.forwards = append(m.forwards, &Forward{id: m.next, Cluster: cluster, Namespace: "shop", Target: target, Asked: asked,
		Since: time.Now(), stop: func() { *stopped = true }})
	m.Refresh()
	return m.next, stopped
}

// screen is the view without its styles.
func screen(m Model) string { return ansi.Strip(m.View()) }

// row is the line of the list that names target.
func row(t *testing.T, m Model, target string) string {
	t.Helper()
	for _, line := range strings.Split(screen(m), "\n") {
		if strings.Contains(line, target) {
			return line
		}
	}
	t.Fatalf("no row for %s in:\n%s", target, screen(m))
	return ""
}

// noteOf runs cmd and returns the status line it sets.
func noteOf(t *testing.T, cmd tea.Cmd) status.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no status message")
	}
	msg, ok := cmd().(status.Msg)
	if !ok {
		t.Fatalf("want a status message, got %T", cmd())
	}
	return msg
}

// TestForwardsShowEachStateAndStopOne: a forward is starting until its
// ports listen, then lists them; one that fails says why; ctrl+d stops the
// selected one (its connection is cancelled) and takes it off the list.
func TestForwardsShowEachStateAndStopOne(t *testing.T) {
	m := New(theme.For(true))
	m.SetSize(140, 10)
	if !strings.Contains(screen(m), "No port-forwards") {
		t.Fatalf("an empty list should say so:\n%s", screen(m))
	}
	if why := disabledReasons(m.keys().Describe(&m)); !strings.Contains(strings.Join(why, "\n"), "no port-forward runs") {
		t.Errorf("ctrl+d on an empty list should say why it does nothing: %q", why)
	}
	web, webStopped := running(&m, "cluster1", "svc/web", "8080:80")
	db, _ := running(&m, "cluster2", "pod/db-0", "5432")
	if got := row(t, m, "svc/web"); !strings.Contains(got, "8080:80") || !strings.Contains(got, "starting") {
		t.Errorf("a forward whose ports do not listen yet: %q", got)
	}
	note := noteOf(t, m.Update(listeningMsg{id: web, ports: []kube.ForwardedPort{{Local: 8080, Remote: 80}}}))
	if !strings.Contains(note.Text, "forwarding localhost:8080→80 to cluster1/shop/svc/web") {
		t.Errorf("listening note: %q", note.Text)
	}
	if got := row(t, m, "svc/web"); !strings.Contains(got, "localhost:8080→80") || !strings.Contains(got, "listening") {
		t.Errorf("a listening forward: %q", got)
	}
	problem := noteOf(t, m.Update(endedMsg{id: db, err: errors.New("pod shop/db-0 on cluster2 is not running")}))
	if problem.Kind != status.KindProblem || !strings.Contains(problem.Text, "port-forward to cluster2/shop/pod/db-0: pod shop/db-0 on cluster2 is not running") {
		t.Errorf("a forward that failed: %+v", problem)
	}
	if got := row(t, m, "pod/db-0"); !strings.Contains(got, "is not running") {
		t.Errorf("a failed forward should keep its reason on the list: %q", got)
	}
	if m.Active() != 1 || !strings.Contains(m.Title(), "1 active") {
		t.Errorf("one forward runs: Active()=%d, title %q", m.Active(), ansi.Strip(m.Title()))
	}
	stopped := noteOf(t, m.Update(tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}))
	if !*webStopped || !strings.Contains(stopped.Text, "stopped the port-forward to cluster1/shop/svc/web") {
		t.Errorf("ctrl+d on the first row: cancelled=%v, note %q", *webStopped, stopped.Text)
	}
	if strings.Contains(screen(m), "svc/web") || !strings.Contains(screen(m), "pod/db-0") {
		t.Errorf("the stopped forward should be gone, the other kept:\n%s", screen(m))
	}
	if m.Update(endedMsg{id: web}) != nil {
		t.Error("the end of a forward already stopped should say nothing")
	}
}

// disabledReasons are the reasons the group's keys give for doing nothing.
func disabledReasons(g keymap.Group) []string {
	var out []string
	for _, e := range g.Entries {
		if e.Disabled != "" {
			out = append(out, e.Disabled)
		}
	}
	return out
}
