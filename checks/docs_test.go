package checks

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every example in the check kinds reference of docs/lesson-format.md
// compiles, and every kind has a section there.
func TestDocsExamples(t *testing.T) {
	b, err := os.ReadFile("../docs/lesson-format.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Check kinds\n")
	if !ok {
		t.Fatal("docs/lesson-format.md has no \"## Check kinds\" section")
	}
	vars := map[string]string{"user": "learner", "port": "8888"}
	examples := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(section, -1)
	seen := map[string]bool{}
	for _, m := range examples {
		s := spec(t, m[1])
		seen[s.Kind] = true
		if _, err := Default().Compile(s, vars); err != nil {
			t.Errorf("example %q: %v", m[1], err)
		}
	}
	for _, kind := range Default().Kinds() {
		if !strings.Contains(section, "\n### "+kind+"\n") || !seen[kind] {
			t.Errorf("kind %s has no section with an example in docs/lesson-format.md", kind)
		}
	}
}
