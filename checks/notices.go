package checks

import "github.com/dockstep/dockstep/lessons"

// Notices are what dockstep lint points out in lessons that is not wrong
// but deserves a reviewer's eye: each command check, which runs a shell
// command on the learner's machine.
func Notices(ls []*lessons.Lesson) lessons.Problems {
	var out lessons.Problems
	for _, l := range ls {
		for _, s := range l.Steps {
			for _, c := range s.Checks {
				if c.Kind == "command" {
					out = append(out, lessons.Problem{Pos: c.Pos, Msg: "notice: a command check runs a shell command on the learner's machine; review it"})
				}
			}
		}
	}
	return out
}
