package checks

import (
	"testing"

	"github.com/dockstep/dockstep/lessons"
)

func TestNoticesNameEachCommandCheck(t *testing.T) {
	l := &lessons.Lesson{Steps: []*lessons.Step{
		{Checks: []lessons.CheckSpec{{Kind: "file", Pos: lessons.Pos{File: "l.md", Line: 7}}, {Kind: "command", Pos: lessons.Pos{File: "l.md", Line: 9}}}},
		{Checks: []lessons.CheckSpec{{Kind: "command", Pos: lessons.Pos{File: "l.md", Line: 20}}}},
	}}
	got := Notices([]*lessons.Lesson{l})
	want := "l.md:9: notice: a command check runs a shell command on the learner's machine; review it\n" +
		"l.md:20: notice: a command check runs a shell command on the learner's machine; review it"
	if got.Error() != want {
		t.Errorf("got %q, want %q", got.Error(), want)
	}
}
