package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dockstep/dockstep/internal/iostreams"
)

// TestMain lets the test binary act as the dockstep command: testscript
// puts a copy named "dockstep" first on PATH for every test of this package,
// so scripts (and any test that runs "dockstep" with os/exec) run the real
// command line.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"dockstep": func() { os.Exit(run(os.Args[1:], iostreams.System())) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script. Each is a
// txtar archive: commands to run, then the files they use.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: false,
		UpdateScripts:       os.Getenv("DOCKSTEP_UPDATE_SCRIPTS") == "1",
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("XDG_STATE_HOME", env.WorkDir+"/state")
			return nil
		},
	})
}
