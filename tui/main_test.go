package tui

import (
	"testing"

	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

// TestMain lets the test binary serve as a sandbox's helper processes when
// a benchmark starts one.
func TestMain(m *testing.M) { sandboxtest.Main(m) }
