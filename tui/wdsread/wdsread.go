// Package wdsread reads a WDS when a view comes on screen, and again at
// each change while it stays there (every few seconds when the WDS tells
// no changes).
package wdsread

import (
	"context"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// WDS reads a WDS's BindingPolicies and the objects they may select.
type WDS interface {
	Read(ctx context.Context) (bindingpolicy.WDS, error)
	// Changed is closed when what Read returns has changed; nil when the
	// WDS tells no changes.
	Changed() <-chan struct{}
}

// interval is how often the WDS is read again while the view shows, when
// it tells no changes.
const interval = 5 * time.Second

// settle is how long after a change the WDS is read: the changes that come
// together (a policy and the objects it names) make one read.
const settle = 100 * time.Millisecond

// timeout bounds one read.
const timeout = 20 * time.Second

// lastID numbers the loops, so that each takes only its own messages.
var lastID atomic.Int64

// Loop is the reads of one view.
type Loop struct {
	wds     WDS
	id      int64
	gen     int
	visible bool
	// showing ends with Stop, and with it the reads under way and the wait
	// for the WDS's next change.
	showing context.Context
	stop    context.CancelFunc
}

// New returns the loop of one view over wds (nil: no WDS, nothing is read).
func New(wds WDS) Loop { return Loop{wds: wds, id: lastID.Add(1)} }

// Read is one read's result.
type Read struct {
	id, gen int64
	WDS     bindingpolicy.WDS
	Err     error
	// changed is the WDS's Changed as the read began.
	changed <-chan struct{}
}

type tickMsg struct{ id, gen int64 }

// Start reads the WDS now, and again every interval until Stop.
func (l *Loop) Start() tea.Cmd {
	l.Stop()
	l.visible = true
	l.showing, l.stop = context.WithCancel(context.Background())
	return l.Now()
}

// Now reads the WDS at once, dropping any read under way.
func (l *Loop) Now() tea.Cmd {
	l.gen++
	if l.wds == nil {
		return nil
	}
	wds, id, gen, showing := l.wds, l.id, int64(l.gen), l.showingContext()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(showing, timeout)
		defer cancel()
		// Taken first: a change during the read is not missed.
		changed := wds.Changed()
		w, err := wds.Read(ctx)
		return Read{id: id, gen: gen, WDS: w, Err: err, changed: changed}
	}
}

// showingContext ends when the view leaves the screen; a read asked for
// while the view is not on screen (Now after an edit) is not cut short.
func (l *Loop) showingContext() context.Context {
	if l.showing == nil || !l.visible {
		return context.Background()
	}
	return l.showing
}

// Stop ends the reads as the view leaves the screen.
func (l *Loop) Stop() {
	l.visible = false
	l.gen++
	if l.stop != nil {
		l.stop()
	}
}

// Update takes the loop's messages; it returns a read's result when one
// came for this loop (nil otherwise), and what to do next.
func (l *Loop) Update(msg tea.Msg) (*Read, tea.Cmd) {
	switch msg := msg.(type) {
	case Read:
		if msg.id != l.id || msg.gen != int64(l.gen) {
			return nil, nil
		}
		id, gen, changed, showing := msg.id, msg.gen, msg.changed, l.showingContext()
		if changed == nil {
			return &msg, tea.Tick(interval, func(time.Time) tea.Msg { return tickMsg{id: id, gen: gen} })
		}
		return &msg, func() tea.Msg {
			select {
			case <-changed:
			case <-showing.Done():
				return nil
			}
			time.Sleep(settle)
			return tickMsg{id: id, gen: gen}
		}
	case tickMsg:
		if msg.id != l.id || msg.gen != int64(l.gen) || !l.visible {
			return nil, nil
		}
		return nil, l.Now()
	}
	return nil, nil
}
