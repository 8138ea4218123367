package lessons_test

import (
	"os"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

// TestFormatDocExampleIsValid keeps the complete example of
// docs/lesson-format.md a lesson that dockstep lint accepts.
func TestFormatDocExampleIsValid(t *testing.T) {
	doc, err := os.ReadFile("../docs/lesson-format.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "\n````markdown\n")
	if !ok {
		t.Fatal("docs/lesson-format.md has no ````markdown example")
	}
	example, _, ok := strings.Cut(rest, "\n````\n")
	if !ok {
		t.Fatal("the ````markdown example of docs/lesson-format.md is not closed")
	}
	l, probs := lessons.ParseBytes(nil, "example.md", "docs/lesson-format.md example", []byte(example+"\n"), lessons.Options{Validator: checks.Default()})
	for _, p := range probs {
		t.Errorf("%s", p.Error())
	}
	if l == nil || len(l.Steps) < 2 {
		t.Fatalf("the example should have at least two steps")
	}
	for _, s := range l.Steps {
		if len(s.Checks) == 0 || len(s.Solution) == 0 || len(s.Hints) == 0 {
			t.Errorf("example step %q should show a command, a check and a hint", s.Title)
		}
	}
}
