package kube

import (
	"errors"
	"fmt"
	"testing"

	utilexec "k8s.io/utils/exec"
)

// TestRemoteExitCarriesTheCommandsExitCode checks how a stream's report of
// a non-zero exit code becomes a *RemoteExitError, and nothing else does.
func TestRemoteExitCarriesTheCommandsExitCode(t *testing.T) {
	err := remoteExit(fmt.Errorf("stream: %w", utilexec.CodeExitError{Err: errors.New("command terminated with non-zero exit code"), Code: 3}))
	var exit *RemoteExitError
	if !errors.As(err, &exit) || exit.Code != 3 || err.Error() != "command terminated with exit code 3" {
		t.Errorf("exit 3 became %#v (%v)", err, err)
	}
	other := errors.New("connection refused")
	if err := remoteExit(other); err != other {
		t.Errorf("another error became %v", err)
	}
}
