package grade

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

const lesson = "---\nformat: 1\ntitle: Notes\nvars:\n  word: {prompt: A word, default: hello}\n---\n\n" +
	"## Write the note\n\n```check\nfile: {path: note.txt, contains: \"{{word}}\"}\n```\n\n" +
	"## Read it\n\nNothing to check.\n\n" +
	"## Keep another\n\n```check\nfile: other.txt\n```\n"

func TestStepsWithoutAnEngine(t *testing.T) {
	reg := checks.Default()
	l, probs := lessons.ParseBytes(nil, "01-notes.md", "01-notes.md", []byte(lesson), lessons.Options{Validator: reg})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "note.txt"), []byte("hello there\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"word": "hello"}
	if NeedsEngine(reg, l.Steps, vars) {
		t.Error("NeedsEngine: got true for file checks only")
	}
	var notices bytes.Buffer
	rep, err := Steps(context.Background(), reg, l, l.Steps, vars, &checks.Env{Dir: dir}, &Notice{Out: &notices})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed || len(rep.Steps) != 3 || !rep.Steps[0].Passed || !rep.Steps[1].Passed || rep.Steps[2].Passed {
		t.Fatalf("got %+v, want steps 1 and 2 passing and 3 failing", rep)
	}
	var out bytes.Buffer
	rep.WriteText(&out, false)
	for _, w := range []string{"PASS  step 1: Write the note\n", "PASS  step 2: Read it (nothing to check)\n", "FAIL  step 3: Keep another\n      file: ", "notes: 2 of 3 steps pass\n"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("the report does not say %q:\n%s", w, out.String())
		}
	}
}

func TestCompileProblems(t *testing.T) {
	reg := checks.Default()
	src := "---\nformat: 1\ntitle: Images\nvars:\n  image: {prompt: An image, default: busybox}\n---\n\n## Pull it\n\n```check\nimage: \"{{image}}\"\n```\n"
	l, probs := lessons.ParseBytes(nil, "02-images.md", "02-images.md", []byte(src), lessons.Options{Validator: reg})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if got := CompileProblems(reg, l.Steps, map[string]string{"image": "busybox"}); len(got) != 0 {
		t.Errorf("got %v for a good image name, want none", got)
	}
	got := CompileProblems(reg, l.Steps, map[string]string{"image": "Not An Image"})
	if len(got) != 1 || !strings.HasPrefix(got[0], "02-images.md:11: ") {
		t.Errorf("got %q, want one problem at 02-images.md:11", got)
	}
}

// TestStepsJudgeTheQuiz: dockstep check has nobody to answer a quiz, so a
// quiz read from the engine holds when its answer can be read, gets a row
// of its own, and never shows the answer.
func TestStepsJudgeTheQuiz(t *testing.T) {
	reg := checks.Default()
	src := "---\nformat: 1\ntitle: Ports\n---\n\n## Find its port\n\n```sh\ndocker port web\n```\n\n" +
		"```quiz\nquestion: Which port?\nanswer: {host-port: {container: web, port: 80}}\n```\n\n```hint\nLook.\n```\n\n" +
		"## Count\n\n```sh\ndocker ps\n```\n\n```quiz\nquestion: How many?\nanswer: \"7\"\n```\n\n```hint\nCount.\n```\n"
	l, probs := lessons.ParseBytes(nil, "01-ports.md", "01-ports.md", []byte(src), lessons.Options{Validator: reg})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	rep, err := Steps(context.Background(), reg, l, l.Steps, nil, &checks.Env{Docker: noContainers{}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed || rep.Steps[0].Passed || !rep.Steps[1].Passed {
		t.Fatalf("got %+v, want step 1 failing (no container web to read the port of) and step 2 passing", rep)
	}
	var out bytes.Buffer
	rep.WriteText(&out, false)
	for _, w := range []string{"FAIL  step 1: Find its port\n      quiz: no container web", "PASS  step 2: Count (nothing to check)\n"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("the report does not say %q:\n%s", w, out.String())
		}
	}
	if strings.Contains(out.String(), "7") {
		t.Errorf("the report gives a quiz's answer away:\n%s", out.String())
	}
}

// noContainers is an engine without containers.
type noContainers struct{ checks.Docker }

func (noContainers) ContainerInspect(ctx context.Context, id string) (container.InspectResponse, error) {
	return container.InspectResponse{}, cerrdefs.ErrNotFound
}
