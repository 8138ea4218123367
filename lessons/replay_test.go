package lessons

import (
	"strings"
	"testing"
)

// A {replay} block gives replays a command kept to the lesson's objects in
// place of the one the learner is shown; lint reports a replayed command
// that would act on the whole engine.
func TestReplayBlocks(t *testing.T) {
	const head = "---\nformat: 1\ntitle: T\n---\n\n## Clean up\n\n"
	shown := "```sh\ndocker rm $(docker ps -a -q -f ancestor=busybox)\n```\n"
	scoped := "```sh {replay}\ndocker rm $(docker ps -a -q -f ancestor=busybox $DOCKSTEP_FILTER)\n```\n"
	tests := []struct {
		name, body string
		replay     string // the Replay of the step's only command, if any
		problem    string // "" when the lesson has none
	}{
		{"scoped", shown + "\n" + scoped, "docker rm $(docker ps -a -q -f ancestor=busybox $DOCKSTEP_FILTER)", ""},
		{"engine-wide, no replay", shown, "", "8: replaying this command would act on every matching container or image on the engine"},
		{"prune", "```sh\ndocker container prune -f\n```\n", "", "8: replaying this command would act on every matching"},
		{"manual prune", "```sh {manual}\ndocker container prune\n```\n", "", ""},
		{"replay still engine-wide", shown + "\n```sh {replay}\ndocker rm $(docker ps -a -q -f ancestor=busybox -f status=exited)\n```\n", "docker rm $(docker ps -a -q -f ancestor=busybox -f status=exited)", "12: this {replay} command still lists the whole engine; add $DOCKSTEP_FILTER"},
		{"replay with nothing before", scoped, "", "8: a {replay} block replaces the command block just before it, and there is none"},
		{"replay after a manual command", "```sh {manual}\ndocker ps\n```\n\n" + scoped, "", "12: a {replay} block replaces the command block just before it, and there is none"},
		{"replay with another attribute", shown + "\n```sh {replay background}\ndocker rm x\n```\n", "docker rm x", "12: a {replay} block takes no other attribute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, probs := ParseBytes(nil, "01-t.md", "t.md", []byte(head+tt.body), Options{})
			got := probs.Error()
			if tt.problem == "" && len(probs) > 0 || tt.problem != "" && !strings.Contains(got, "t.md:"+tt.problem) {
				t.Fatalf("got problems %q, want %q", got, tt.problem)
			}
			st := l.Steps[0]
			replay := ""
			for _, a := range st.Solution {
				replay += a.Replay
			}
			if replay != tt.replay {
				t.Errorf("got replay %q, want %q", replay, tt.replay)
			}
			for _, b := range st.Body {
				if strings.Contains(b.Text, "$DOCKSTEP_FILTER") {
					t.Errorf("the {replay} block is shown to the learner: %q", b.Text)
				}
			}
		})
	}
}
