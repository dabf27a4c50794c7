package shell

import (
	"io"
	"sync"

	"github.com/muesli/cancelreader"
)

// input is a shell's keyboard: reads of the terminal that end when the
// shell does. The exec's stdin copier is still waiting in a read when the
// shell ends; closing the reader under that read would take the cancel
// away from it, and it would then read (and drop) the next key meant for
// the UI. So the reader is closed by whichever comes last: the end, or
// the return of the last read under way.
type input struct {
	reader cancelreader.CancelReader

	mu      sync.Mutex
	reading int
	ended   bool
}

func newInput(terminal io.Reader) (*input, error) {
	r, err := cancelreader.NewReader(terminal)
	if err != nil {
		return nil, err
	}
	return &input{reader: r}, nil
}

func (in *input) Read(p []byte) (int, error) {
	in.mu.Lock()
	if in.ended {
		in.mu.Unlock()
		return 0, cancelreader.ErrCanceled
	}
	in.reading++
	in.mu.Unlock()

	n, err := in.reader.Read(p)

	in.mu.Lock()
	in.reading--
	last := in.ended && in.reading == 0
	in.mu.Unlock()
	if last {
		_ = in.reader.Close()
	}
	return n, err
}

// end cancels the reads under way and closes the reader once none is left.
func (in *input) end() {
	in.mu.Lock()
	if in.ended {
		in.mu.Unlock()
		return
	}
	in.ended = true
	idle := in.reading == 0
	in.mu.Unlock()
	in.reader.Cancel()
	if idle {
		_ = in.reader.Close()
	}
}
