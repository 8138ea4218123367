package lessons_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

// FuzzParse feeds the parser arbitrary lesson files, starting from the
// shipped course and the parser's test lessons (the corpus is kept in
// testdata/fuzz/FuzzParse). The parser must never panic, and every problem
// it reports must point at a line of the file.
//
//	go test ./lessons -run '^$' -fuzz FuzzParse -fuzztime 5m
func FuzzParse(f *testing.F) {
	fs.WalkDir(lessons.Course(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".md") {
			b, _ := fs.ReadFile(lessons.Course(), p)
			f.Add(b)
		}
		return nil
	})
	seeds, _ := filepath.Glob("testdata/parse/*.md")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	reg := checks.Default()
	f.Fuzz(func(t *testing.T, src []byte) {
		l, probs := lessons.ParseBytes(nil, "f.md", "f.md", src, lessons.Options{Validator: reg})
		if l == nil {
			t.Fatal("ParseBytes returned no lesson for bytes it was given")
		}
		lines := strings.Count(string(src), "\n") + 1
		for _, p := range probs {
			if strings.Contains(p.Msg, "internal error") {
				t.Fatalf("parser panicked: %s", p.Msg)
			}
			if p.Pos.File != "f.md" || p.Pos.Line < 0 || p.Pos.Line > lines {
				t.Fatalf("problem %q points outside the file (%d lines)", p.Error(), lines)
			}
		}
		for _, s := range l.Steps {
			if s.Pos.Line < 1 || s.Pos.Line > lines {
				t.Fatalf("step %q at line %d, outside the file (%d lines)", s.Title, s.Pos.Line, lines)
			}
		}
	})
}
