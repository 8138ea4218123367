package prover

import (
	"testing"

	"github.com/dockstep/dockstep/lessons"
)

func TestLessonScope(t *testing.T) {
	l := &lessons.Lesson{
		Images: []string{"python:3"},
		Steps: []*lessons.Step{{Solution: []lessons.Action{
			{Kind: lessons.Run, Text: "docker build -t {{user}}/catnip ."},
			{Kind: lessons.Background, Text: "docker run --name=web -p 8888:5000 {{user}}/catnip"},
			{Kind: lessons.WriteFile, Path: "notes.txt", Text: "FROM secret"},
			{Kind: lessons.AppendFile, Path: "web/Dockerfile", Text: "# base\nfrom python:3.12-slim AS build\nFROM --platform=linux/amd64 alpine:3\n"},
		}}},
	}
	got := map[string]bool{}
	for _, s := range LessonScope(l, map[string]string{"user": "ada"}) {
		got[s] = true
	}
	for _, w := range []string{"python:3", "ada/catnip", "web", "python:3.12-slim", "alpine:3"} {
		if !got[w] {
			t.Errorf("scope lacks %q: %v", w, got)
		}
	}
	if got["--platform=linux/amd64"] {
		t.Errorf("scope has the FROM line's flag as an image: %v", got)
	}
	if got["secret"] {
		t.Errorf("scope has %q, from a file that is not a Dockerfile", "secret")
	}
}
