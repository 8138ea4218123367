package main

import (
	"os"
	"testing"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

// check-measure.sh runs dockstep check on testdata/check-measure.md, which
// no other test reads: keep it a valid lesson as the lesson format grows,
// so that the measurement runs when someone needs it.
func TestMeasureLessonIsValid(t *testing.T) {
	fsys := os.DirFS("testdata")
	l, probs := lessons.Parse(fsys, "check-measure.md", "testdata/check-measure.md", lessons.Options{Validator: checks.Default()})
	if len(probs) > 0 {
		t.Fatalf("testdata/check-measure.md has problems:\n%v", probs)
	}
	if len(l.Steps) != 1 || len(l.Steps[0].Checks) != 3 {
		t.Fatalf("check-measure.md should be one step with three checks (image, container, http), as check-measure.sh's by-hand script mirrors")
	}
}
