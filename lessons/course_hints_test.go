package lessons

import (
	"io/fs"
	"strings"
	"testing"
)

// Learners run Docker 20.10 as well as Docker 28 and 29, whose messages
// changed. A hint that quotes one version's message must quote the other's
// too, or the learner cannot find their error in it.
func TestCourseHintsQuoteOldAndCurrentDocker(t *testing.T) {
	// Each pair: a phrase of older Docker's message, and of Docker 28/29's
	// for the same mistake.
	pairs := []struct{ old, current string }{
		{`"docker build" requires exactly 1 argument`, `'docker build' requires 1 argument`},
		{`"docker rm" requires at least 1 argument`, `'docker rm' requires at least 1 argument`},
		{"Cannot connect to the Docker daemon", "failed to connect to the docker API"},
		{"to the Docker daemon socket", "to the docker API"},
		{"You cannot remove a running container", "container is running: stop the container before removing or force remove"},
		{"repository name must be lowercase", "invalid reference format: repository name ("},
		{"unable to prepare context", "failed to read dockerfile: open Dockerfile: no such file or directory"},
	}
	course := Course()
	files, err := fs.Glob(course, "0[1-4]*.md")
	if err != nil || len(files) != 4 {
		t.Fatalf("course lessons 01-04: %v, %v", files, err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		l, probs := Parse(course, f, f, Options{})
		if len(probs) > 0 {
			t.Fatalf("%s: %v", f, probs)
		}
		for _, s := range l.Steps {
			for _, h := range s.Hints {
				text := strings.Join(strings.Fields(h.Text), " ")
				for _, p := range pairs {
					hasOld := strings.Contains(text, p.old) || strings.Contains(text, strings.ReplaceAll(p.old, `"`, ""))
					hasNew := strings.Contains(text, p.current)
					if hasOld && !hasNew {
						t.Errorf("%s step %d %q: a hint quotes older Docker's %q but not Docker 28's %q", f, s.Index, s.Title, p.old, p.current)
					}
					if hasOld || hasNew {
						seen[p.current] = true
					}
				}
			}
		}
	}
	for _, p := range pairs {
		if !seen[p.current] {
			t.Errorf("no hint of the course quotes %q any more; drop it from this test or bring the hint back", p.current)
		}
	}
}
