package workshop

import (
	"context"
	"os/exec"
	"strings"
	"time"

	"github.com/dockstep/dockstep/lessons"
)

// ToolNeed is a tool besides the docker command that some lessons use, as
// their front matter's tools list names it (see lessons.KnownTools).
type ToolNeed struct {
	Name    string
	Lessons []string
}

// toolProbes are the commands that say whether a tool is installed, and
// how to install it when it is not.
var toolProbes = map[string]struct {
	args []string
	fix  string
}{
	"compose": {
		args: []string{"docker", "compose", "version"},
		fix:  "install Docker Compose: Docker Desktop has it; on Linux, Docker's docker-compose-plugin package or your distribution's (docker-compose-v2 on Ubuntu), see https://docs.docker.com/compose/install/linux/",
	},
}

// collectTools gathers the tools of the lessons' front matter.
func collectTools(ls []*lessons.Lesson) []*ToolNeed {
	var out []*ToolNeed
	byName := map[string]*ToolNeed{}
	for _, l := range ls {
		for _, t := range l.Tools {
			tn := byName[t]
			if tn == nil {
				tn = &ToolNeed{Name: t}
				byName[t] = tn
				out = append(out, tn)
			}
			tn.Lessons = appendOnce(tn.Lessons, l.ID)
		}
	}
	return out
}

// tools checks that each tool the lessons need answers its version command.
func (dr *Doctor) tools(ctx context.Context, rep *Report, tools []*ToolNeed) {
	run := dr.RunTool
	if run == nil {
		run = func(ctx context.Context, args ...string) ([]byte, error) {
			return exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
		}
	}
	for _, tn := range tools {
		probe, ok := toolProbes[tn.Name]
		if !ok {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		out, err := run(cctx, probe.args...)
		cancel()
		first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		it := Item{Check: tn.Name, Status: StatusOK, Detail: first, Lessons: tn.Lessons}
		if err != nil {
			it.Status = StatusFail
			it.Detail = strings.Join(probe.args, " ") + " failed"
			if first != "" {
				it.Detail += ": " + first
			}
			it.Fix = probe.fix
		}
		rep.add(it)
	}
}
