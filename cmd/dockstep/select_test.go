package main

import (
	"strings"
	"testing"
)

// TestEveryCommandNamesLessonsAlike gives every command that takes a lesson
// one that does not exist, and a lesson by number: each answers the same.
func TestEveryCommandNamesLessonsAlike(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	env := map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:19999"} // nothing listens: no engine is needed
	for _, args := range [][]string{
		{"check", "nope"},
		{"test", "nope"},
		{"doctor", "nope"},
		{"prefetch", "nope"},
		{"reset", "--yes", "nope"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := runEnv(t, env, append(args, "--lessons", doctorLessons)...)
			if code != 2 {
				t.Errorf("got exit %d, want 2\n%s%s", code, out, errOut)
			}
			for _, w := range []string{`no lesson "nope" in ` + doctorLessons, "the lessons are web, build, missing", "by number"} {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr does not say %q:\n%s", w, errOut)
				}
			}
		})
	}
	// By number, as dockstep list shows them: 2 is build.
	code, out, errOut := runEnv(t, env, "prefetch", "--list", "2", "--lessons", doctorLessons)
	if code != 0 || out != "busybox:latest\n" {
		t.Errorf("prefetch --list 2: got exit %d and %q (%s), want 0 and the image of build", code, out, errOut)
	}
	code, out, errOut = runEnv(t, env, "reset", "--yes", "2", "--lessons", doctorLessons)
	if code != 0 || !strings.Contains(out, "no progress in lesson build") {
		t.Errorf("reset 2: got exit %d and %q (%s), want 0 and the lesson build named", code, out, errOut)
	}
}

// TestUnknownVarIsRejectedByEveryCommand holds check, test and start to the
// one policy for --var names: a name no lesson has is a usage error.
func TestUnknownVarIsRejectedByEveryCommand(t *testing.T) {
	env := map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:19999"}
	for _, args := range [][]string{
		{"check", "web", "--var", "colour=red"},
		{"test", "web", "--var", "colour=red"},
	} {
		t.Run(args[0], func(t *testing.T) {
			code, out, errOut := runEnv(t, env, append(args, "--lessons", doctorLessons)...)
			if code != 2 || !strings.Contains(errOut, "--var colour: lesson web has no") {
				t.Errorf("got exit %d and\n%s%s\nwant 2 and the variable named", code, out, errOut)
			}
		})
	}
}
