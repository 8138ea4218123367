package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/internal/iostreams"
)

// TestREADMEStaysTrue keeps README.md in step with the code: it names the
// commands a new user runs, CI runs the test command it describes, and every
// dockstep command appears in its table.
func TestREADMEStaysTrue(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"go run ./cmd/dockstep\n", "bash .ci/run\n"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README.md does not give the command %q", strings.TrimSpace(want))
		}
	}
	// The go test command README says CI runs must be the one .ci/run runs.
	goTest := regexp.MustCompile("`(DOCKSTEP_REQUIRE_DOCKER=1 go test[^`]*)`").FindStringSubmatch(string(readme))
	if goTest == nil {
		t.Fatal("README.md does not show the go test command that .ci/run runs")
	}
	if !strings.Contains(string(ci), goTest[1]) {
		t.Errorf(".ci/run does not run %q, which README.md says it does", goTest[1])
	}
	root := newRootCmd(&iostreams.Streams{})
	for _, c := range root.Commands() {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if !strings.Contains(string(readme), "`dockstep "+c.Name()) {
			t.Errorf("README.md's command table does not list dockstep %s", c.Name())
		}
	}
}
