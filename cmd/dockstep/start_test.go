package main

import (
	"strings"
	"testing"
)

func TestInteractiveCommandsNeedATerminal(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	for _, args := range [][]string{
		{},
		{"start"},
		{"start", "e2e-run"},
		{"--lessons", "testdata/e2e-lessons", "start", "e2e-run"},
	} {
		t.Run(strings.Join(append([]string{"dockstep"}, args...), " "), func(t *testing.T) {
			code, out, errOut := runCapture(t, args...)
			if code == 0 {
				t.Fatalf("exit code 0 without a terminal; stdout %q", out)
			}
			if !strings.Contains(errOut, "needs a terminal") || !strings.Contains(errOut, "dockstep check") {
				t.Errorf("stderr = %q, want it to say a terminal is needed and point to dockstep check", errOut)
			}
		})
	}
}

func TestRootTakesNoArguments(t *testing.T) {
	code, _, errOut := runCapture(t, "e2e-run")
	if code != 2 || !strings.Contains(errOut, `unknown command "e2e-run"`) {
		t.Errorf("dockstep e2e-run: exit %d, stderr %q; want 2 and unknown command", code, errOut)
	}
}
