package runner

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/lessons"
)

// Wrapping never breaks a word, a path, or a command given in the text,
// whatever the width.
func TestWrapKeepsWordsCommandsAndPaths(t *testing.T) {
	cases := []struct {
		name, text string
		// whole must each appear on one line.
		whole []string
	}{
		{"command after text", "want no container static-site, but static-site (exited) still exists: remove with docker rm -f static-site",
			[]string{"docker rm -f static-site"}},
		{"command before a comma", "host port 8888 is held by container web (from nginx): stop it with docker stop web, then start yours again",
			[]string{"docker stop web,"}},
		{"command in brackets", "no running container publishes port 8888 of this machine (docker run -p 8888:PORT)",
			[]string{"(docker run -p 8888:PORT)"}},
		{"flag and its value", "container web publishes 8888→80/tcp, but the app listens on 5000: use -p 8888:5000 instead",
			[]string{"-p 8888:5000"}},
		{"backticks", "Your files are in `/tmp/learnwork/dockstep-first-image`; in your other terminal: `cd /tmp/learnwork/dockstep-first-image`",
			[]string{"/tmp/learnwork/dockstep-first-image;", "cd /tmp/learnwork/dockstep-first-image"}},
		{"command before an aside", "container static-site was started in the foreground (docker run without -d): the terminal that started it is busy. From another terminal, remove it with docker rm -f static-site (that gives the busy one its prompt back), then start it in the background",
			[]string{"docker rm -f static-site"}},
		{"build context", "no image learnr/catnip: build it with docker build -t learnr/catnip . in the folder of the Dockerfile",
			[]string{"docker build -t learnr/catnip ."}},
	}
	for _, tc := range cases {
		for width := 40; width <= 110; width++ {
			got := wrap(tc.text, RenderOptions{Width: width}, "  ", "  ")
			lines := strings.Split(got, "\n")
			for _, l := range lines {
				if n := len([]rune(l)); n > width {
					t.Errorf("%s, width %d: line %q is %d wide", tc.name, width, l, n)
				}
			}
			flat := strings.ReplaceAll(tc.text, "`", "")
			if words := strings.Fields(got); strings.Join(words, " ") != strings.Join(strings.Fields(flat), " ") {
				t.Errorf("%s, width %d: the words changed:\n%s", tc.name, width, got)
			}
			for _, w := range tc.whole {
				if !strings.Contains(got, w) {
					t.Errorf("%s, width %d: %q is broken across lines:\n%s", tc.name, width, w, got)
				}
			}
		}
	}
}

// A command wider than the screen is broken at its spaces rather than
// overflowing, and text without commands wraps as prose.
func TestWrapLongCommandAndColour(t *testing.T) {
	long := "run docker run -d --name a-very-long-container-name -p 8888:5000 -v data:/var/lib/data learnr/catnip now"
	got := wrap(long, RenderOptions{Width: 40}, "", "")
	for _, l := range strings.Split(got, "\n") {
		if len([]rune(l)) > 40 {
			t.Errorf("line %q is wider than 40", l)
		}
	}
	colour := wrap("remove with docker rm -f web", RenderOptions{Width: 80, Color: true}, "", "")
	if !strings.Contains(colour, "\x1b[36mdocker rm -f web\x1b[0m") {
		t.Errorf("the command is not shown as code in colour: %q", colour)
	}
	if plain := ansiRe.ReplaceAllString(colour, ""); plain != "remove with docker rm -f web" {
		t.Errorf("colour output without escapes = %q", plain)
	}
}

// What "run it for me" ran is drawn under the verdict: its lines wider
// than the screen are broken at a space, keeping their indentation, so
// that the terminal does not break them mid-word at its first column.
func TestRunLogIsFoldedToTheScreen(t *testing.T) {
	log := "$ docker run -p 8888:5000 walkrq/catnip &\n" +
		"(it keeps running in the background until you leave the lesson; a later step may stop it)\n" +
		"    \"Mountpoint\": \"/var/lib/docker/volumes/visits_redis-data/_data/and/a/path/without/spaces/at/all\","
	for width := 40; width <= 100; width++ {
		s := &stepRun{lessonRun: &lessonRun{r: &Runner{Render: RenderOptions{Width: width}}}}
		got := s.fold(log, 2)
		// A command broken across lines goes on after a backslash.
		got = strings.ReplaceAll(got, " \\\n", "\n")
		for _, l := range strings.Split(got, "\n") {
			if visibleWidth(l) > width-2 {
				t.Errorf("width %d: line %q is %d wide, want at most %d", width, l, visibleWidth(l), width-2)
			}
		}
		if strings.ReplaceAll(strings.Join(strings.Fields(got), " "), " ", "") != strings.ReplaceAll(strings.Join(strings.Fields(log), " "), " ", "") {
			t.Errorf("width %d: folding lost or added text:\n%s", width, got)
		}
		if width == 60 && !strings.Contains(got, "\n    ") {
			t.Errorf("width 60: the folded JSON line lost its indentation:\n%s", got)
		}
	}
}

// A diagnosis that gives a command wider than the line puts it on lines
// of its own, broken between shell words as a command block is, so that
// it can be copied as shown: never inside a redirection or a word.
func TestWrapPutsLongCommandOnItsOwnLines(t *testing.T) {
	cmd := `docker run -d --name greeter -e NAME=ana alpine sh -c 'test -n "$NAME" || { echo "greeter: NAME is not set" >&2; exit 3; }; echo "Hello, $NAME!" > /greeting.txt; echo "greeter: ready"; exec sleep 3600'`
	for _, width := range []int{80, 100} {
		got := wrap("container greeter exited (code 3): run it again with "+cmd+", then look at its logs", RenderOptions{Width: width}, "  ", "  ")
		for _, l := range strings.Split(got, "\n") {
			if n := len([]rune(l)); n > width {
				t.Errorf("at %d columns, line %q is %d wide", width, l, n)
			}
		}
		for _, whole := range []string{`echo "Hello, $NAME!" > /greeting.txt;`, "run it again with", "then look at its logs"} {
			if !strings.Contains(got, whole) {
				t.Errorf("at %d columns, %q is broken across lines:\n%s", width, whole, got)
			}
		}
		start, end := strings.Index(got, "docker run"), strings.LastIndex(got, ",")
		if start < 0 || end < start {
			t.Fatalf("at %d columns the command is not there:\n%s", width, got)
		}
		if !strings.HasSuffix(got[:start], "\n  ") {
			t.Errorf("at %d columns the command does not start a line of its own:\n%s", width, got)
		}
		if g, w := shellArgs(t, got[start:end]), shellArgs(t, cmd); g != w {
			t.Errorf("at %d columns the command as shown\n%s\nreads as %s, want %s", width, got[start:end], g, w)
		}
	}
}

// What "run it for me" ran is echoed under the verdict: a command wider
// than the screen is broken between its shell words, as a command block
// is, never between a redirection and its file, and it can still be
// copied as shown.
func TestRunLogBreaksCommandsAsShellReadsThem(t *testing.T) {
	cmd := `docker run -d --name greeter -e NAME=ana alpine sh -c 'test -n "$NAME" || { echo "greeter: NAME is not set" >&2; exit 3; }; echo "Hello, $NAME!" > /greeting.txt; echo "greeter: ready"; exec sleep 3600'`
	long := "docker run -d --name a-container-with-a-long-name --restart unless-stopped -p 8888:5000 -v data:/var/lib/data learnr/catnip"
	for _, width := range []int{80, 100} {
		s := &stepRun{lessonRun: &lessonRun{r: &Runner{Render: RenderOptions{Width: width}}}}
		for _, c := range []string{cmd, long} {
			got := s.fold("$ "+c+"\n3f2a9c1d\n", 2)
			for _, l := range strings.Split(got, "\n") {
				if n := visibleWidth(l); n > width-2 {
					t.Errorf("at %d columns, line %q is %d wide", width, l, n)
				}
			}
			if strings.Contains(c, "greeting") && !strings.Contains(got, `> /greeting.txt`) {
				t.Errorf("at %d columns the redirection is broken:\n%s", width, got)
			}
			shown := strings.TrimSuffix(strings.TrimPrefix(got, "$ "), "\n3f2a9c1d\n")
			if g, w := shellArgs(t, shown), shellArgs(t, c); g != w {
				t.Errorf("at %d columns the command as shown\n%s\nreads as %s, want %s", width, got, g, w)
			}
		}
	}
}

// A command whose quoted argument is wider than the line (the debugging
// lesson's sh -c '...' at 80 columns) is broken inside the script after one
// of its commands, so that the terminal never cuts it mid-word ("e" +
// "cho"), and the shell still reads the same arguments, but for line breaks
// where the script had spaces.
func TestSplitCommandsBreaksLongQuotedArguments(t *testing.T) {
	for _, cmd := range []string{
		`docker run -d --name greeter alpine sh -c 'test -n "$NAME" || { echo "greeter: NAME is not set" >&2; exit 3; }; echo "Hello, $NAME!" > /greeting.txt; echo "greeter: ready"; exec sleep 3600'`,
		`docker run -d alpine sh -c 'while true; do date >> /data/log.txt && echo "one more line written"; sleep 1; done'`,
	} {
		for _, width := range []int{60, 76} {
			lines := splitCommands([]string{cmd}, width)
			for _, l := range lines {
				if len([]rune(l)) > width {
					t.Errorf("at %d columns, line %q is wider than the line", width, l)
				}
			}
			// A line break in the script means what the space meant.
			want := shellArgs(t, cmd)
			if got := shellArgs(t, strings.Join(lines, "\n")); got != want {
				t.Errorf("at %d columns the lines\n%s\nread as the words %q, want %q", width, strings.Join(lines, "\n"), got, want)
			}
		}
	}
}

// shellArgs is how sh splits a command into words, each with its runs of
// blank space (a line break and an indent) made one space.
func shellArgs(t *testing.T, cmd string) string {
	t.Helper()
	out, err := exec.Command("sh", "-c", "set -- "+cmd+"\nprintf '%s\\0' \"$@\"").Output()
	if err != nil {
		t.Fatalf("sh cannot read %q: %v", cmd, err)
	}
	args := strings.Split(string(out), "\x00")
	for i, a := range args {
		args[i] = strings.Join(strings.Fields(a), " ")
	}
	return fmt.Sprintf("%q", args)
}

// A hint is drawn two columns in: its lines, indent included, fit the
// screen, so the terminal never breaks a word at its last column (seen at
// 100 columns: "its FROM lin" + "e").
func TestHintsFitTheScreen(t *testing.T) {
	src := "---\nformat: 1\ntitle: T\n---\n\n## Two stages\n\nBuild it.\n\n```hint\n" +
		"`invalid from flag value build: pull access denied for build` (or\n" +
		"`failed to solve: build: pull access denied`) means the first stage is not\n" +
		"named `build`: its `FROM` line needs `AS build`, then build again in /tmp/learnwork/dockstep-multi-stage.\n```\n"
	l, probs := lessons.ParseBytes(nil, "x.md", "x.md", []byte(src), lessons.Options{})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	for width := 64; width <= 110; width++ {
		s := &stepRun{lessonRun: &lessonRun{r: &Runner{Render: RenderOptions{Width: width}}, l: l}, step: l.Steps[0]}
		s.shown.hints = 1
		got := s.drawStep()
		if !strings.Contains(got, "Hint 1 of 1:") {
			t.Fatalf("width %d: no hint drawn:\n%s", width, got)
		}
		for _, line := range strings.Split(got, "\n") {
			if n := visibleWidth(line); n > width {
				t.Errorf("width %d: line %q is %d wide", width, line, n)
			}
		}
	}
}

// A lesson without a workspace whose step checks a file says which folder
// the file is looked for in; a step that checks none does not.
func TestFolderOfFileChecksIsShown(t *testing.T) {
	src := "---\nformat: 1\ntitle: T\n---\n\n## Copy it out\n\n```sh\ndocker cp greeter:/greeting.txt .\n```\n\n```check\nfile: greeting.txt\n```\n\n" +
		"## Clean up\n\n```sh\ndocker rm -f greeter\n```\n\n```check\nno-container: {name: greeter}\n```\n"
	l, probs := lessons.ParseBytes(nil, "x.md", "x.md", []byte(src), lessons.Options{})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	tests := []struct {
		step int
		want bool
	}{{0, true}, {1, false}}
	for _, tt := range tests {
		lr := &lessonRun{r: &Runner{Render: RenderOptions{Width: 100}, Registry: checks.Default()}, l: l, dir: "/tmp/learner"}
		s := &stepRun{lessonRun: lr, step: l.Steps[tt.step], watch: lr.watchFor(l.Steps[tt.step], time.Now())}
		got := s.drawStep()
		if has := strings.Contains(got, "This step's files are looked for in /tmp/learner; in your other terminal: cd /tmp/learner"); has != tt.want {
			t.Errorf("step %d: folder shown = %v, want %v:\n%s", tt.step+1, has, tt.want, got)
		}
	}
}

// What dockstep will run, on the confirm screen, and the solution when
// shown, break a command wider than the screen between its shell words,
// as the commands that ran are: the terminal never cuts it mid-word, and
// it can still be copied as shown.
func TestSolutionCommandsAreBrokenAsShellReadsThem(t *testing.T) {
	cmd := `docker run -d --name greeter -e NAME=ana alpine sh -c 'test -n "$NAME" || { echo "greeter: NAME is not set" >&2; exit 3; }; echo "Hello, $NAME!" > /greeting.txt; echo "greeter: ready"; exec sleep 3600'`
	for _, width := range []int{80, 100} {
		s := &stepRun{lessonRun: &lessonRun{r: &Runner{Render: RenderOptions{Width: width}}}}
		for _, a := range []lessons.Action{
			{Kind: lessons.Run, Text: cmd},
			{Kind: lessons.Background, Text: cmd},
			{Kind: lessons.Run, Text: "docker rm -f greeter\n" + cmd},
		} {
			got := s.describe(a, "  • ", "    ")
			for _, l := range strings.Split(got, "\n") {
				if n := visibleWidth(l); n > width {
					t.Errorf("at %d columns, line %q is %d wide", width, l, n)
				}
			}
			if !strings.Contains(got, `echo "Hello, $NAME!" > /greeting.txt;`) {
				t.Errorf("at %d columns the redirection is broken:\n%s", width, got)
			}
			i := strings.Index(got, "docker run")
			if i < 0 {
				t.Fatalf("at %d columns the command is not shown:\n%s", width, got)
			}
			if g, w := shellArgs(t, got[i:]), shellArgs(t, cmd); g != w {
				t.Errorf("at %d columns the command as shown\n%s\nreads as %s, want %s", width, got, g, w)
			}
		}
	}
}

// The end of a lesson is "finished" only when no step was skipped.
func TestFinishedBannerCountsSkippedSteps(t *testing.T) {
	l := &lessons.Lesson{ID: "images", Title: "Docker images", Steps: []*lessons.Step{{Title: "A"}, {Title: "B"}, {Title: "C"}}}
	tests := []struct {
		skipped []string
		want    string
	}{
		{nil, `🎉 You have finished the lesson "Docker images".`},
		{[]string{"C"}, `You reached the end of the lesson "Docker images", with 1 step skipped.`},
		{[]string{"A", "C"}, `You reached the end of the lesson "Docker images", with 2 steps skipped.`},
	}
	for _, tt := range tests {
		p := &progress.Progress{}
		lp := p.Lesson(l.ID)
		for _, st := range l.Steps {
			if slices.Contains(tt.skipped, st.Title) {
				lp.MarkSkipped(st.Title)
			} else {
				lp.MarkDone(st.Title, time.Now())
			}
		}
		if got := finishedBanner(l, lp); got != tt.want {
			t.Errorf("skipped %v: got %q, want %q", tt.skipped, got, tt.want)
		}
	}
}
