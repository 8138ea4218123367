package lessons

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fakeValidator knows the kinds image and container. It rejects any field
// called "bogus" at that field's line, as a real check kind would.
type fakeValidator struct{}

func (fakeValidator) ValidateCheck(spec CheckSpec, vars map[string]string) error {
	if spec.Kind != "image" && spec.Kind != "container" {
		return AtLine(spec.Pos.Line, fmt.Errorf("unknown check kind %q", spec.Kind))
	}
	return bogusFields(spec.Expand(vars))
}

func (fakeValidator) ValidateAnswer(spec CheckSpec, vars map[string]string) error {
	if spec.Kind != "image-id" {
		return fmt.Errorf("unknown answer kind %q", spec.Kind)
	}
	return nil
}

func bogusFields(n *yaml.Node) error {
	var errs []error
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "bogus" {
				errs = append(errs, AtLine(n.Content[i].Line, errors.New("unknown field bogus")))
			}
		}
	}
	return errors.Join(errs...)
}

// TestParseGolden parses each testdata/parse/*.md and compares a dump of the
// lesson and its problems with the .golden file beside it. Run with -update
// to rewrite the golden files after a deliberate change.
func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test lessons in testdata/parse (%v)", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".md")
		t.Run(name, func(t *testing.T) {
			l, probs := Parse(os.DirFS("testdata/parse"), filepath.Base(f), f, Options{Validator: fakeValidator{}})
			got := dump(l, probs)
			golden := strings.TrimSuffix(f, ".md") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./lessons -run TestParseGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("parse of %s differs from %s:\n%s", f, golden, diffLines(string(want), got))
			}
		})
	}
}

// dump writes out a lesson and its problems as stable, readable text.
func dump(l *Lesson, probs Problems) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	if l != nil {
		w("lesson %s %q format=%d", l.ID, l.Title, l.Format)
		if l.Summary != "" {
			w("summary %q", l.Summary)
		}
		for _, v := range l.Vars {
			w("var %s prompt=%q default=%q type=%q pattern=%q message=%q line=%d", v.Name, v.Prompt, v.Default, v.Type, v.Pattern, v.Message, v.Pos.Line)
		}
		if len(l.Images) > 0 {
			w("images %s", strings.Join(l.Images, " "))
		}
		if l.Workspace != "" {
			w("workspace %s", l.Workspace)
		}
		dumpBlocks(w, "intro", l.Intro)
		for _, s := range l.Steps {
			w("step %d %q line=%d holds-before=%v", s.Index, s.Title, s.Pos.Line, s.HoldsBefore)
			dumpBlocks(w, "  body", s.Body)
			for _, a := range s.Solution {
				w("  action %s line=%d path=%q manual=%v interactive=%v input=%q text=%q", a.Kind, a.Pos.Line, a.Path, a.Manual, a.Interactive, a.Input, a.Text)
			}
			for _, c := range s.Checks {
				out, _ := yaml.Marshal(c.Value)
				w("  check %s line=%d value=%q", c.Kind, c.Pos.Line, strings.TrimSpace(string(out)))
			}
			for _, h := range s.Hints {
				w("  hint line=%d %q", h.Pos.Line, h.Text)
			}
			if s.Notes != "" {
				w("  notes %q", s.Notes)
			}
			if q := s.Quiz; q != nil {
				w("  quiz line=%d question=%q choices=%q answer=%q explain=%q", q.Pos.Line, q.Question, q.Choices, q.Answer, q.Explain)
				if q.AnswerFrom != nil {
					out, _ := yaml.Marshal(q.AnswerFrom.Value)
					w("  quiz answer from %s line=%d value=%q", q.AnswerFrom.Kind, q.AnswerFrom.Pos.Line, strings.TrimSpace(string(out)))
				}
			}
		}
	}
	for _, p := range probs {
		w("problem %s", p.Error())
	}
	return b.String()
}

func dumpBlocks(w func(string, ...any), prefix string, blocks []Block) {
	kinds := map[BlockKind]string{Paragraph: "para", Heading: "heading", Code: "code", Quote: "quote", ListItem: "item", Rule: "rule", HTML: "html"}
	for _, bl := range blocks {
		var spans []string
		for _, s := range bl.Spans {
			spans = append(spans, fmt.Sprintf("%d:%q", s.Style, s.Text)+map[bool]string{true: "->" + s.URL}[s.URL != ""])
		}
		var attrs []string
		for k, v := range bl.Attrs {
			attrs = append(attrs, k+"="+v)
		}
		sort.Strings(attrs)
		w("%s %s line=%d level=%d number=%d lang=%q attrs=%v command=%v text=%q spans=[%s]", prefix, kinds[bl.Kind], bl.Pos.Line, bl.Level, bl.Number, bl.Lang, attrs, bl.Command, bl.Text, strings.Join(spans, " "))
	}
}

// diffLines shows the lines of got that differ from want.
func diffLines(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var x, y string
		if i < len(wl) {
			x = wl[i]
		}
		if i < len(gl) {
			y = gl[i]
		}
		if x != y {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, x, y)
		}
	}
	return b.String()
}

func TestLessonID(t *testing.T) {
	tests := []struct{ file, want string }{
		{"04-first-image.md", "first-image"},
		{"1_hello.md", "hello"},
		{"static-site.md", "static-site"},
		{"2024-plan.md", "plan"},
		{"12-.md", "12-"},
		{"007.md", "007"},
	}
	for _, tt := range tests {
		if got := LessonID(tt.file); got != tt.want {
			t.Errorf("LessonID(%q) = %q, want %q", tt.file, got, tt.want)
		}
	}
}

func TestParseInfo(t *testing.T) {
	tests := []struct {
		info    string
		lang    string
		attrs   map[string]string
		wantErr string
	}{
		{info: "sh", lang: "sh"},
		{info: "sh {background}", lang: "sh", attrs: map[string]string{"background": ""}},
		{info: "dockerfile {file=Dockerfile append}", lang: "dockerfile", attrs: map[string]string{"file": "Dockerfile", "append": ""}},
		{info: `sh {interactive input="echo \"hi\"; exit"}`, lang: "sh", attrs: map[string]string{"interactive": "", "input": `echo "hi"; exit`}},
		{info: "sh{manual}", lang: "sh", attrs: map[string]string{"manual": ""}},
		{info: "sh background", lang: "sh", wantErr: "must be in braces"},
		{info: "sh {a a}", lang: "sh", wantErr: "given twice"},
		{info: "sh {=x}", lang: "sh", wantErr: "cannot read the attributes"},
	}
	for _, tt := range tests {
		t.Run(tt.info, func(t *testing.T) {
			lang, attrs, err := parseInfo(tt.info)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseInfo(%q) error = %v, want one containing %q", tt.info, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if lang != tt.lang || fmt.Sprint(attrs) != fmt.Sprint(tt.attrs) {
				t.Errorf("parseInfo(%q) = %q %v, want %q %v", tt.info, lang, attrs, tt.lang, tt.attrs)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	vars := map[string]string{"user": "ada", "port": "8888"}
	tests := []struct{ in, want string }{
		{"docker build -t {{user}}/catnip .", "docker build -t ada/catnip ."},
		{"{{ user }}:{{port}}", "ada:8888"},
		{"{{unknown}} stays", "{{unknown}} stays"},
		{"no vars", "no vars"},
		{"{{user", "{{user"},
	}
	for _, tt := range tests {
		if got := Expand(tt.in, vars); got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLoadOrdersByFileNameAndRejectsDuplicateIDs(t *testing.T) {
	lesson := func(title string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("---\nformat: 1\ntitle: " + title + "\n---\n\n## Only step\n\nText.\n")}
	}
	fsys := fstest.MapFS{
		"10-later.md":   lesson("Later"),
		"02-first.md":   lesson("First"),
		"03-first.md":   lesson("Duplicate"),
		"README.md":     &fstest.MapFile{Data: []byte("# not a lesson")},
		"notes.txt":     &fstest.MapFile{Data: []byte("ignored")},
		"ws/app.py":     &fstest.MapFile{Data: []byte("print(1)")},
		"ws/README.md":  &fstest.MapFile{Data: []byte("not read either")},
		"11-nested.txt": &fstest.MapFile{},
	}
	ls, probs := Load(fsys, ".", "course", Options{})
	var ids []string
	for _, l := range ls {
		ids = append(ids, l.ID)
	}
	if got, want := strings.Join(ids, " "), "first later"; got != want {
		t.Errorf("lesson ids = %q, want %q", got, want)
	}
	if len(probs) != 1 || !strings.Contains(probs[0].Error(), `course/03-first.md:1: lesson id "first" is also the id of course/02-first.md`) {
		t.Errorf("problems = %v, want one about the duplicate id", probs)
	}
}

func TestParseNeverPanics(t *testing.T) {
	// Inputs that once tripped parsers of this kind; each must give problems,
	// not a panic.
	inputs := []string{
		"", "---", "---\n", "---\n---\n", "---\n: :\n---\n", "---\nformat: 1\ntitle: x\n---\n```check\n",
		"---\nformat: 1\ntitle: x\n---\n## s\n```quiz\nanswer: {}\n```\n",
		"---\nformat: [1]\ntitle: {a: b}\nvars: [x]\nimages: x\n---\n## s\n",
		"\xff\xfe---\n",
	}
	for _, in := range inputs {
		_, probs := ParseBytes(nil, "x.md", "x.md", []byte(in), Options{Validator: fakeValidator{}})
		if len(probs) == 0 {
			t.Errorf("ParseBytes(%q) found no problem, want at least one", in)
		}
		for _, p := range probs {
			if strings.Contains(p.Msg, "internal error") {
				t.Errorf("ParseBytes(%q): %s", in, p.Msg)
			}
		}
	}
}

func TestFragment(t *testing.T) {
	blocks := Fragment("Use `docker ps -a`:\n\n```sh\ndocker ps -a\n```\n\n- one\n- two\n")
	var kinds []string
	for _, b := range blocks {
		kinds = append(kinds, fmt.Sprintf("%d/%q/%v", b.Kind, b.PlainText()+b.Text, b.Command))
	}
	got := strings.Join(kinds, " ")
	want := `0/"Use docker ps -a:"/false 2/"docker ps -a\n"/true 4/"one"/false 4/"two"/false`
	if got != want {
		t.Errorf("Fragment blocks = %s, want %s", got, want)
	}
}

func TestVarCheckSaysItInWords(t *testing.T) {
	user := Var{Name: "user", Prompt: "Your user name", Type: VarName, Pattern: "[a-z0-9]{4,30}", Message: "4 to 30 lower-case letters and digits"}
	tests := []struct {
		v     Var
		value string
		want  string // in the error; "" for none
	}{
		{Var{Type: VarPort}, "8080", ""},
		{Var{Type: VarPort}, "1024", ""},
		{Var{Type: VarPort}, "65535", ""},
		{Var{Type: VarPort}, "80", `"80" is not a port between 1024 and 65535`},
		{Var{Type: VarPort}, "65536", "a port between 1024 and 65535"},
		{Var{Type: VarPort}, "http", "a port between 1024 and 65535"},
		{Var{Type: VarPort}, "", "please give a value"},
		{Var{Type: VarName}, "my-app.v2", ""},
		{Var{Type: VarName}, "My App", "lower-case letters and digits"},
		{Var{Type: VarName}, "-app", "lower-case letters and digits"},
		{Var{Type: VarPath}, "~/catnip-work", ""},
		{user, "hanabira", ""},
		{user, "abc", `"abc" does not fit: 4 to 30 lower-case letters and digits`},
		{Var{Prompt: "Pick a colour", Pattern: "red|blue"}, "green", `does not fit what is asked: Pick a colour`},
		{Var{}, "anything at all", ""},
	}
	for _, tt := range tests {
		err := tt.v.Check(tt.value)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v.Check(%q) = %v, want nil", tt.v, tt.value, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v.Check(%q) = %v, want an error with %q", tt.v, tt.value, err, tt.want)
		case err != nil && (strings.Contains(err.Error(), "[") || strings.Contains(err.Error(), "{")):
			t.Errorf("%+v.Check(%q) = %v: the learner is shown a regular expression", tt.v, tt.value, err)
		}
	}
}

func TestExpandHome(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"~/catnip-work", "/home/ada/catnip-work"},
		{"~", "/home/ada"},
		{"~bob/x", "~bob/x"},
		{"/tmp/~/x", "/tmp/~/x"},
		{"work", "work"},
	} {
		if got := ExpandHome(tt.in, "/home/ada"); got != tt.want {
			t.Errorf("ExpandHome(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
