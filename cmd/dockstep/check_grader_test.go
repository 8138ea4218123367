package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/internal/grade"
	"github.com/dockstep/dockstep/internal/progress"
)

// writeLesson writes a one-lesson folder and returns it.
func writeLesson(t *testing.T, name, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const noteLesson = "---\nformat: 1\ntitle: A note\nvars:\n  word: {prompt: A word to write}\n---\n\n## Write the note\n\n```check\nfile: {path: note.txt, contains: \"{{word}}\"}\n```\n"

// TestCheckUsesTheLearnersAnswers: without --var and --dir, check takes the
// variables the learner gave dockstep start, and the folder of their files.
func TestCheckUsesTheLearnersAnswers(t *testing.T) {
	lessons := writeLesson(t, "01-note.md", noteLesson)
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "note.txt"), []byte("bonjour\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCapture(t, "--lessons", lessons, "check", "note", "--json")
	if code != 2 || !strings.Contains(out, `"error": "lesson note needs a value for the variable word`) {
		t.Errorf("with nothing saved: got exit %d and\n%s%s\nwant 2 and a JSON error asking for --var word", code, out, errOut)
	}

	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir, err := progress.StateDir()
	if err != nil {
		t.Fatal(err)
	}
	st := progress.NewStore(dir)
	p, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	lp := p.Lesson("note")
	lp.Vars["word"] = "bonjour"
	lp.Workspace = work
	if err := st.Save(p); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCapture(t, "--lessons", lessons, "check", "note", "--json")
	var rep grade.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || !rep.Passed {
		t.Errorf("with saved answers: got exit %d and\n%s%s\nwant 0 and a passing report", code, out, errOut)
	}
	// --var still wins.
	code, out, _ = runCapture(t, "--lessons", lessons, "check", "note", "--var", "word=hola")
	if code != 1 || !strings.Contains(out, "FAIL  step 1") {
		t.Errorf("with --var: got exit %d and\n%s\nwant 1: the note does not say hola", code, out)
	}
}

// TestCheckJSONErrors: with --json, a usage error is JSON too, with the
// same exit status.
func TestCheckJSONErrors(t *testing.T) {
	lessons := writeLesson(t, "01-note.md", noteLesson)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"check", "nope", "--json"}, 2, `no lesson \"nope\"`},
		{[]string{"check", "note", "--json", "--var", "colour=red"}, 2, "--var colour: lesson note has no such variable"},
		{[]string{"check", "note", "--json", "--var", "word=x", "--step", "7"}, 2, "there is no step 7"},
		{[]string{"check", "--json"}, 2, "accepts 1 arg(s), received 0"},
		{[]string{"check", "note", "--timeout", "soon", "--json"}, 2, `invalid argument \"soon\" for \"--timeout\" flag`},
		{[]string{"check", "note", "--json", "--colour"}, 2, "unknown flag: --colour"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, _ := runCapture(t, append([]string{"--lessons", lessons}, tt.args...)...)
			var got map[string]string
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, out)
			}
			if code != tt.code || !strings.Contains(out, tt.want) || got["error"] == "" {
				t.Errorf("got exit %d and %s, want %d and an error holding %q", code, out, tt.code, tt.want)
			}
		})
	}
}

// TestCheckTimeout: a web page that never answers holds dockstep check no
// longer than --timeout, and standard error says what it waits for.
func TestCheckTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accepted, never answered
		}
	}()
	url := "http://" + l.Addr().String() + "/"
	lessons := writeLesson(t, "01-web.md", "---\nformat: 1\ntitle: A page\n---\n\n## Serve it\n\n```check\nhttp: {url: \""+url+"\", timeout: 60s}\n```\n")
	code, out, errOut := runCapture(t, "--lessons", lessons, "check", "web", "--timeout", "2s")
	if code != 1 {
		t.Errorf("got exit %d, want 1\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "waiting for the http check of step 1") {
		t.Errorf("stderr does not say what dockstep waits for:\n%s", errOut)
	}
}
