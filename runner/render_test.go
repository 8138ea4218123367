package runner

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/lessons"
)

func init() {
	// Other test files of the package may register -update as well; one
	// flag serves them all.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

var ansiRe = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// renderLesson renders a whole lesson as the runner shows it: the
// introduction, then each step's header and text.
func renderLesson(l *lessons.Lesson, vars map[string]string, opt RenderOptions) string {
	var b strings.Builder
	b.WriteString(render(l.Intro, vars, opt))
	for _, s := range l.Steps {
		b.WriteString("\n")
		b.WriteString(stepHeader(l, s, opt))
		b.WriteString("\n")
		b.WriteString(render(s.Body, vars, opt))
	}
	return b.String()
}

func TestRenderGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "render-*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("no testdata/render-*.md inputs")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".md")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			l, probs := lessons.ParseBytes(nil, "x.md", "x.md", src, lessons.Options{})
			if len(probs) > 0 {
				t.Fatalf("the fixture has problems:\n%v", probs)
			}
			vars := l.SampleVars()
			plain := renderLesson(l, vars, RenderOptions{Width: 60})
			color := renderLesson(l, vars, RenderOptions{Width: 60, Color: true})
			if strings.Contains(plain, "\x1b") {
				t.Errorf("plain output holds an escape sequence:\n%q", plain)
			}
			if strings.Contains(plain, "{{") {
				t.Errorf("plain output holds a variable not filled in:\n%s", plain)
			}
			if got := ansiRe.ReplaceAllString(color, ""); got != plain {
				t.Errorf("colour output without its escapes differs from the plain output:\n%s\nwant:\n%s", got, plain)
			}
			if !strings.Contains(color, "\x1b[") {
				t.Errorf("colour output has no escape sequence")
			}
			for _, c := range []struct{ file, got string }{
				{name + ".plain.golden", plain},
				{name + ".color.golden", color},
			} {
				golden := filepath.Join("testdata", c.file)
				if updating() {
					if err := os.WriteFile(golden, []byte(c.got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -run TestRenderGolden -update to create it)", err)
				}
				if c.got != string(want) {
					t.Errorf("%s differs (run with -update to accept):\ngot:\n%s\nwant:\n%s", golden, c.got, want)
				}
			}
		})
	}
}

func paraBlock(spans ...lessons.Span) lessons.Block {
	return lessons.Block{Kind: lessons.Paragraph, Spans: spans}
}

func plainSpan(text string) lessons.Span { return lessons.Span{Text: text} }

func TestRender(t *testing.T) {
	long := "the quick brown fox jumps over the lazy dog and keeps running"
	tests := []struct {
		name   string
		blocks []lessons.Block
		vars   map[string]string
		width  int
		want   string
	}{
		{
			name:   "wraps on word boundaries",
			blocks: []lessons.Block{paraBlock(plainSpan(long))},
			width:  20,
			want:   "the quick brown fox\njumps over the lazy\ndog and keeps\nrunning\n",
		},
		{
			name:   "width 0 is 80",
			blocks: []lessons.Block{paraBlock(plainSpan(strings.Repeat("word ", 20)))},
			want:   strings.TrimSpace(strings.Repeat("word ", 16)) + "\n" + strings.TrimSpace(strings.Repeat("word ", 4)) + "\n",
		},
		{
			name: "code span is never broken and keeps what is glued to it",
			blocks: []lessons.Block{paraBlock(plainSpan("now run "), lessons.Span{Style: lessons.CodeSpan, Text: "docker run --rm busybox"},
				plainSpan(", then stop"))},
			width: 16,
			want:  "now run\ndocker run --rm busybox,\nthen stop\n",
		},
		{
			name: "a command wider than the screen is split at spaces outside quotes, with backslashes",
			blocks: []lessons.Block{{Kind: lessons.Code, Command: true,
				Text: `docker run -d --name homepage -p 8080:80 --mount type=bind,source="$PWD/my site",target=/usr/share/nginx/html,readonly nginx:alpine`}},
			width: 60,
			want: "  $ docker run -d --name homepage -p 8080:80 \\\n" +
				"      --mount type=bind,source=\"$PWD/my site\",target=/usr/share/nginx/html,readonly \\\n" +
				"      nginx:alpine\n",
		},
		{
			name:   "link shows its url when the text differs",
			blocks: []lessons.Block{paraBlock(plainSpan("see "), lessons.Span{Style: lessons.Link, Text: "the docs", URL: "https://docs.docker.com/"}, plainSpan("."))},
			want:   "see the docs (https://docs.docker.com/).\n",
		},
		{
			name:   "autolink is shown once",
			blocks: []lessons.Block{paraBlock(lessons.Span{Style: lessons.Link, Text: "https://x.dev/", URL: "https://x.dev/"})},
			want:   "https://x.dev/\n",
		},
		{
			name:   "long url is kept whole",
			blocks: []lessons.Block{paraBlock(plainSpan("go to https://example.com/a/long/path/to/somewhere now"))},
			width:  20,
			want:   "go to\nhttps://example.com/a/long/path/to/somewhere\nnow\n",
		},
		{
			name: "vars filled in everywhere",
			blocks: []lessons.Block{
				paraBlock(plainSpan("name {{name}}, "), lessons.Span{Style: lessons.CodeSpan, Text: "echo {{ name }}"}, plainSpan(" {{unknown}}")),
				{Kind: lessons.Code, Command: true, Text: "docker rm {{name}}\n"},
				{Kind: lessons.Code, Attrs: map[string]string{"file": "{{name}}.txt"}, Text: "{{name}}\n"},
			},
			vars: map[string]string{"name": "web"},
			want: "name web, echo web {{unknown}}\n\n  $ docker rm web\n\nweb.txt:\n    web\n",
		},
		{
			name: "lists",
			blocks: []lessons.Block{
				{Kind: lessons.ListItem, Level: 1, Spans: []lessons.Span{plainSpan("one two three four")}},
				{Kind: lessons.ListItem, Level: 2, Spans: []lessons.Span{plainSpan("nested")}},
				{Kind: lessons.ListItem, Level: 1, Number: 9, Spans: []lessons.Span{plainSpan("nine ten eleven twelve")}},
				{Kind: lessons.ListItem, Level: 1, Number: -1, Spans: []lessons.Span{plainSpan("more about nine")}},
				{Kind: lessons.Code, Level: 1, Text: "ls\n"},
				{Kind: lessons.ListItem, Level: 1, Number: 10, Spans: []lessons.Span{plainSpan("ten")}},
				{Kind: lessons.ListItem, Level: 1, Spans: []lessons.Span{plainSpan("new bullets")}},
			},
			width: 20,
			want:  "  • one two three\n    four\n    • nested\n\n  9. nine ten eleven\n     twelve\n\n     more about nine\n\n         ls\n\n  10. ten\n\n  • new bullets\n",
		},
		{
			name: "quote, rule and html",
			blocks: []lessons.Block{
				{Kind: lessons.Quote, Spans: []lessons.Span{plainSpan("quoted words that wrap around")}},
				{Kind: lessons.Quote, Spans: []lessons.Span{plainSpan("again")}},
				{Kind: lessons.Rule},
				{Kind: lessons.HTML, Text: "<b>as is</b>\n"},
			},
			width: 20,
			want:  "│ quoted words that\n│ wrap around\n│\n│ again\n\n────────────────────\n\n<b>as is</b>\n",
		},
		{
			name: "code is indented and not wrapped, blank lines kept",
			blocks: []lessons.Block{
				{Kind: lessons.Code, Text: "a line much longer than the width\n\n  indented\n"},
				{Kind: lessons.Code, Command: true, Text: "docker run \\\n  busybox\n"},
				{Kind: lessons.Code, Attrs: map[string]string{"file": "Dockerfile", "append": ""}, Text: "RUN true\n"},
			},
			width: 10,
			want:  "    a line much longer than the width\n\n      indented\n\n  $ docker run \\\n      busybox\n\nDockerfile (append):\n    RUN true\n",
		},
		{
			name:   "escape sequences in lesson text are dropped",
			blocks: []lessons.Block{paraBlock(plainSpan("bad \x1b[31mred\x1b[0m text {{v}}"))},
			vars:   map[string]string{"v": "\x1b]0;title\x07x"},
			want:   "bad [31mred[0m text ]0;titlex\n",
		},
		{
			name:   "nothing to show",
			blocks: []lessons.Block{paraBlock(), {Kind: lessons.Code, Text: "\n"}},
			want:   "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(tt.blocks, tt.vars, RenderOptions{Width: tt.width})
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s\n(%q)", got, tt.want, got)
			}
			color := render(tt.blocks, tt.vars, RenderOptions{Width: tt.width, Color: true})
			if stripped := ansiRe.ReplaceAllString(color, ""); stripped != got {
				t.Errorf("colour output without escapes = %q, want the plain output %q", stripped, got)
			}
		})
	}
}

func TestRenderStyles(t *testing.T) {
	blocks := []lessons.Block{
		{Kind: lessons.Heading, Level: 2, Spans: []lessons.Span{plainSpan("Top")}},
		{Kind: lessons.Heading, Level: 3, Spans: []lessons.Span{plainSpan("Sub")}},
		paraBlock(lessons.Span{Style: lessons.CodeSpan, Text: "c"}, plainSpan(" "), lessons.Span{Style: lessons.Strong, Text: "s"},
			plainSpan(" "), lessons.Span{Style: lessons.Emphasis, Text: "e"}),
		{Kind: lessons.Code, Command: true, Text: "docker ps\n"},
	}
	got := render(blocks, nil, RenderOptions{Color: true})
	for _, want := range []string{
		"\x1b[1;4mTop\x1b[0m", // bold and underlined
		"\x1b[1mSub\x1b[0m",   // bold only
		"\x1b[36mc\x1b[0m",
		"\x1b[1ms\x1b[0m",
		"\x1b[3me\x1b[0m",
		"\x1b[32m$ \x1b[0m\x1b[1;32mdocker ps\x1b[0m",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("colour output %q does not contain %q", got, want)
		}
	}
}

func TestRenderStepHeader(t *testing.T) {
	l := lessonWithSteps("Pull", "Build the image", "Run")
	if got, want := stepHeader(l, l.Steps[1], RenderOptions{}), "Step 2 of 3: Build the image\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	color := stepHeader(l, l.Steps[1], RenderOptions{Color: true})
	if !strings.Contains(color, "\x1b[") || ansiRe.ReplaceAllString(color, "") != "Step 2 of 3: Build the image\n" {
		t.Errorf("colour header = %q", color)
	}
}

func TestVisibleWidth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"héllo •", 7},
		{"\x1b[1;32mgo\x1b[0m", 2},
		{"a\x1b[0m", 1},
	}
	for _, tt := range tests {
		if got := visibleWidth(tt.in); got != tt.want {
			t.Errorf("visibleWidth(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func lessonWithSteps(titles ...string) *lessons.Lesson {
	l := &lessons.Lesson{ID: "l"}
	for i, title := range titles {
		l.Steps = append(l.Steps, &lessons.Step{Index: i + 1, Title: title})
	}
	return l
}
