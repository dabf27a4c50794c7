package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

// signalMoment is when a trial signals the UI.
type signalMoment string

const (
	// duringStart: a random moment of the first 1.5 s, before or while the
	// UI takes the terminal.
	duringStart signalMoment = "start"
	// duringSync: once the UI draws, while it lists the fleet.
	duringSync signalMoment = "sync"
	// paneOpen: a pod's Summary is open.
	paneOpen signalMoment = "pane"
	// logFollowed: a pod's log is being followed.
	logFollowed signalMoment = "log"
)

// signalTrial is one run of the UI ended by a signal.
type signalTrial struct {
	moment signalMoment
	signal syscall.Signal
	// delay is how long after the moment is reached the signal is sent.
	delay time.Duration
}

// signalOutcome is how one trial ended, for the summary.
type signalOutcome struct {
	trial signalTrial
	// exitedIn is the time from the signal to the process's end; hung is
	// set when it had not ended after hangAfter (it was then killed).
	exitedIn time.Duration
	hung     bool
}

const (
	// exitWithin is how soon the UI should end after a signal (logged).
	exitWithin = time.Second
	// hangAfter is when a UI that has not ended is called hung and killed.
	hangAfter = 5 * time.Second
	// signalTrials and signalWorkers: 50 trials, this many UIs at a time.
	signalTrials  = 50
	signalWorkers = 4
)

// TestTUIEndsOnSignalsAndRestoresTheTerminal runs the real binary in tmux
// against the sandbox and sends it SIGTERM, SIGINT or SIGHUP at random
// moments: while it starts, while it syncs, with a pane open, with a log
// followed. Every time it must end, never still running after hangAfter,
// with the exit status of that signal, leaving the terminal as it was:
// main screen, cursor shown, the tty's modes (echo, canonical input)
// exactly as before. How many ended within exitWithin is logged: a time
// on a shared machine is a figure, not a verdict.
func TestTUIEndsOnSignalsAndRestoresTheTerminal(t *testing.T) {
	s := sandboxtest.Shared(t)
	bin := buildWecs(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	moments := []signalMoment{duringStart, duringSync, paneOpen, logFollowed}
	signals := []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP}
	trials := make([]signalTrial, signalTrials)
	for i := range trials {
		// Every moment meets every signal; the delays are random.
		trial := signalTrial{moment: moments[i%len(moments)], signal: signals[(i/len(moments))%len(signals)]}
		maxDelay := time.Second
		if trial.moment == duringStart {
			maxDelay = 1500 * time.Millisecond
		}
		trial.delay = time.Duration(rng.Int64N(int64(maxDelay)))
		trials[i] = trial
	}
	rng.Shuffle(len(trials), func(i, j int) { trials[i], trials[j] = trials[j], trials[i] })

	var mu sync.Mutex
	var outcomes []signalOutcome
	next := make(chan int)
	var workers sync.WaitGroup
	for range signalWorkers {
		workers.Go(func() {
			for i := range next {
				trial := trials[i]
				t.Run(fmt.Sprintf("%02d-%s-%s", i, trial.moment, signalName(trial.signal)), func(t *testing.T) {
					runSignalTrial(t, bin, s.Kubeconfig, trial, func(outcome signalOutcome) {
						mu.Lock()
						outcomes = append(outcomes, outcome)
						mu.Unlock()
					})
				})
			}
		})
	}
	for i := range trials {
		next <- i
	}
	close(next)
	workers.Wait()

	var late, hung int
	var slowest time.Duration
	for _, o := range outcomes {
		switch {
		case o.hung:
			hung++
		case o.exitedIn > exitWithin:
			late++
		}
		if !o.hung {
			slowest = max(slowest, o.exitedIn)
		}
	}
	t.Logf("%d signals: %d ended within %s, %d later, %d hung (still running after %s); slowest that ended: %s",
		len(outcomes), len(outcomes)-late-hung, exitWithin, late, hung, hangAfter, slowest.Round(time.Millisecond))
}

// runSignalTrial starts the UI, brings it to the trial's moment, signals
// it and checks how it ended; record gets how soon.
func runSignalTrial(t *testing.T, bin, kubeconfig string, trial signalTrial, record func(signalOutcome)) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	// The UI runs in a shell that notes the tty's modes before it and
	// compares them after; exec keeps the pid the inner shell wrote.
	term := tmuxtest.Start(t, 160, 40, `before=$(stty -g); sh -c 'echo $$ >`+pidFile+`; exec `+bin+` tui --kubeconfig `+kubeconfig+`'; code=$?; `+
		`if [ "$(stty -g)" = "$before" ]; then tty=same; else tty=changed; fi; echo "[wecs exited $code, tty $tty]"`)
	pid := readPID(t, pidFile)

	switch trial.moment {
	case duringSync:
		term.WaitFor(30*time.Second, "ITS its1")
	case paneOpen, logFollowed:
		term.WaitFor(60*time.Second, "cluster1 Active ● Connected")
		term.Keys("/", "c", "r", "a", "s", "h", "y", "Enter")
		term.WaitFor(10*time.Second, "cluster1 › batch › Pod crashy")
		if trial.moment == paneOpen {
			term.Keys("d")
			term.WaitFor(10*time.Second, "[Summary]", "Pod batch/crashy on cluster1")
		} else {
			term.Keys("l")
			term.WaitFor(10*time.Second, "[Logs]", "· following")
		}
	}
	time.Sleep(trial.delay)

	outcome := signalOutcome{trial: trial}
	sent := time.Now()
	if err := syscall.Kill(pid, trial.signal); err != nil && !processGone(pid) {
		t.Fatalf("send %s: %v", signalName(trial.signal), err)
	}
	for !processGone(pid) && time.Since(sent) < hangAfter {
		time.Sleep(5 * time.Millisecond)
	}
	outcome.exitedIn = time.Since(sent)
	if !processGone(pid) {
		outcome.hung = true
		t.Errorf("%s %s after the moment %q: still running after %s; killed\n%s",
			signalName(trial.signal), trial.delay.Round(time.Millisecond), trial.moment, hangAfter, term.Screen())
		_ = syscall.Kill(pid, syscall.SIGKILL)
	} else if outcome.exitedIn > exitWithin {
		// How soon is a figure of a shared, noisy machine, reported in the
		// summary; a hang is a failure.
		t.Logf("%s %s after the moment %q: ended after %s, later than %s",
			signalName(trial.signal), trial.delay.Round(time.Millisecond), trial.moment, outcome.exitedIn.Round(time.Millisecond), exitWithin)
	}

	record(outcome)
	if outcome.hung {
		return
	}
	screen := term.WaitFor(10*time.Second, "[wecs exited ")
	end := regexp.MustCompile(`\[wecs exited (\d+), tty (\w+)\]`).FindStringSubmatch(screen)
	if end == nil {
		t.Fatalf("no exit line on the screen:\n%s", screen)
	}
	if code, _ := strconv.Atoi(end[1]); code != 128+int(trial.signal) {
		t.Errorf("%s: exit status %d, want %d\n%s", signalName(trial.signal), code, 128+int(trial.signal), screen)
	}
	if end[2] != "same" {
		t.Errorf("%s at %q: the tty's modes were not restored (raw mode left on?)\n%s", signalName(trial.signal), trial.moment, screen)
	}
	if got := term.Format("alternate screen #{alternate_on}, cursor shown #{cursor_flag}"); got != "alternate screen 0, cursor shown 1" {
		t.Errorf("%s at %q: after the exit, %s\n%s", signalName(trial.signal), trial.moment, got, screen)
	}
	if strings.Contains(screen, "goroutine ") {
		t.Errorf("a stack trace on the screen:\n%s", screen)
	}
}

// readPID waits for the pid the UI's shell writes before it execs wecs.
func readPID(t testing.TB, path string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(path)
		if pid, perr := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && perr == nil {
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("the UI's shell wrote no pid to %s within 10s: %v %q", path, err, data)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// processGone reports whether pid has ended (a zombie not yet reaped by
// its shell has ended too).
func processGone(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// The state follows the command name, which is in parentheses.
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X'
}

func signalName(sig syscall.Signal) string {
	return map[syscall.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT", syscall.SIGHUP: "SIGHUP"}[sig]
}
