package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dockstep/dockstep/lessons"
)

func TestMarkerScannerTakesMarkersOutEvenWhenSplit(t *testing.T) {
	stream := "$ ls\r\nfile\r\n" + markerStart + "ps1;2" + markerEnd + "> " + markerStart + "ps2" + markerEnd + "done"
	// Every way of cutting the stream in two gives the same text and marks.
	for cut := 0; cut <= len(stream); cut++ {
		var sc markerScanner
		text1, marks1 := sc.scan([]byte(stream[:cut]))
		text2, marks2 := sc.scan([]byte(stream[cut:]))
		text := string(text1) + string(text2)
		marks := append(marks1, marks2...)
		if text != "$ ls\r\nfile\r\n> done" {
			t.Fatalf("cut at %d: text %q, want the stream without markers", cut, text)
		}
		want := []prompt{{Status: 2}, {More: true}}
		if !reflect.DeepEqual(marks, want) {
			t.Fatalf("cut at %d: marks %+v, want %+v", cut, marks, want)
		}
	}
}

func TestCastWriterWritesAsciicastV2(t *testing.T) {
	var b bytes.Buffer
	clock := time.Unix(1700000000, 0)
	now := func() time.Time { clock = clock.Add(250 * time.Millisecond); return clock }
	cw, err := newCastWriter(&b, 80, 24, "A title", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	check := []byte("✓ done\r\n")
	// A write that cuts ✓ in two must not produce invalid text.
	cw.Write([]byte("$ docker ps\r\n"))
	cw.Write(check[:1])
	cw.Write(check[1:])

	sc := bufio.NewScanner(&b)
	sc.Scan()
	var h castHeader
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
		t.Fatalf("header %q: %v", sc.Text(), err)
	}
	if h.Version != 2 || h.Width != 80 || h.Height != 24 || h.Timestamp != 1700000000 {
		t.Errorf("header %+v, want version 2, 80x24, timestamp 1700000000", h)
	}
	var got []string
	var last float64
	for sc.Scan() {
		var ev []any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || len(ev) != 3 {
			t.Fatalf("event %q is not [time, \"o\", data]: %v", sc.Text(), err)
		}
		ts, ok1 := ev[0].(float64)
		kind, ok2 := ev[1].(string)
		data, ok3 := ev[2].(string)
		if !ok1 || !ok2 || !ok3 || kind != "o" || ts < last {
			t.Fatalf("event %q: want a growing time, \"o\" and text", sc.Text())
		}
		last = ts
		got = append(got, data)
	}
	want := []string{"$ docker ps\r\n", "✓ done\r\n"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestMovesOf(t *testing.T) {
	step := &lessons.Step{Solution: []lessons.Action{
		{Kind: lessons.Run, Text: "docker stop {{name}} other\ndocker rm {{name}} other"},
		{Kind: lessons.Run, Text: "docker build \\\n  -t x ."},
		{Kind: lessons.Run, Text: "docker ps", Manual: true},
		{Kind: lessons.Run, Text: "\n", Manual: true},
		{Kind: lessons.Background, Text: "docker run -p 8888:5000 x"},
		{Kind: lessons.Run, Text: "docker run -it busybox sh", Interactive: true, Input: "uptime\nexit"},
		{Kind: lessons.WriteFile, Path: "Dockerfile", Text: "FROM {{base}}\nEOF\n"},
		{Kind: lessons.AppendFile, Path: "my file", Text: "\nCMD x\n"},
	}}
	got := movesOf(step, map[string]string{"name": "site", "base": "python:3"})
	want := []move{
		{lines: []string{"docker stop site other"}},
		{lines: []string{"docker rm site other"}},
		{lines: []string{"docker build \\", "  -t x ."}},
		{lines: []string{"# docker ps"}},
		{lines: []string{"docker run -p 8888:5000 x &"}},
		{lines: []string{"docker run -it busybox sh"}, interactive: true, input: []string{"uptime", "exit"}},
		{lines: []string{"cat > Dockerfile <<'EOF_'", "FROM python:3", "EOF", "EOF_"}},
		{lines: []string{"cat >> 'my file' <<'EOF'", "", "CMD x", "EOF"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("moves:\n got %+v\nwant %+v", got, want)
	}
}

func TestDecodeKey(t *testing.T) {
	for in, want := range map[string]key{
		"\r": keyNext, " ": keyNext, "\x1b[C": keyRight, "\x1bOD": keyLeft,
		"r": keyAgain, "p": keyPause, "q": keyQuit, "\x03": keyQuit, "x": keyOther,
	} {
		if got := decodeKey([]byte(in)); got != want {
			t.Errorf("decodeKey(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("one two three four five six seven", 10, 2)
	want := []string{"one two", "three …"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	if got := wrap("short", 10, 2); !reflect.DeepEqual(got, []string{"short"}) {
		t.Errorf("wrap of a short text = %q", got)
	}
	for _, l := range wrap(strings.Repeat("word ", 40), 12, 3) {
		if n := len([]rune(l)); n > 12 {
			t.Errorf("line %q is %d wide, want at most 12", l, n)
		}
	}
}

// TestRunAutoTypesAndRecords presents a lesson that needs no engine with
// --auto: the commands are typed into bash and run, a file block is
// written by a here-document, a background command is stopped at the end
// by a kill shown on screen, and the recording holds all of it.
func TestRunAutoTypesAndRecords(t *testing.T) {
	src := "---\nformat: 1\ntitle: No engine\nvars:\n  who: {prompt: \"Who\", default: world}\n---\n\n" +
		"## Greet\n\nSay hello.\n\n```sh\necho \"hello, {{who}}\" > greeting\necho done-$((6*7))\n```\n\n" +
		"## Write\n\n```text {file=conf/app.txt}\nname: {{who}}\n$HOME stays as written\n```\n\n" +
		"## Serve\n\n```sh {background}\nsleep 300\n```\n"
	l, probs := lessons.ParseBytes(nil, "01-no-engine.md", "01-no-engine.md", []byte(src), lessons.Options{})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	dir := t.TempDir()
	var screen, cast bytes.Buffer
	out, err := Run(context.Background(), Options{
		Lesson: l, Vars: l.SampleVars(), Dir: dir, Out: &screen, Plain: true, Record: &cast,
		Auto: true, Width: 80, Height: 24,
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Failed != nil || out.Quit {
		t.Fatalf("outcome %+v, want the lesson run to its end", out)
	}
	for _, want := range []string{"echo \"hello, world\" > greeting", "done-42", "cat > conf/app.txt <<'EOF'", "sleep 300 &", "kill -INT $(jobs -p)", "== Step 3 of 3 · Serve =="} {
		if !strings.Contains(screen.String(), want) {
			t.Errorf("the screen does not show %q:\n%s", want, screen.String())
		}
	}
	if strings.Contains(screen.String(), markerStart) {
		t.Errorf("the prompt markers reached the screen")
	}
	for file, want := range map[string]string{"greeting": "hello, world\n", "conf/app.txt": "name: world\n$HOME stays as written\n"} {
		got, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil || string(got) != want {
			t.Errorf("%s holds %q (%v), want %q", file, got, err, want)
		}
	}
	// The recording replays the same screen.
	var replay strings.Builder
	sc := bufio.NewScanner(&cast)
	sc.Scan()
	for sc.Scan() {
		var ev []any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("recording line %q: %v", sc.Text(), err)
		}
		replay.WriteString(ev[2].(string))
	}
	if replay.String() != screen.String() {
		t.Errorf("the recording differs from the screen")
	}
}

// fakeTracker says the demo created a container, and notes removals.
type fakeTracker struct {
	mu      sync.Mutex
	removed bool
}

func (f *fakeTracker) Update(context.Context) error { return nil }
func (f *fakeTracker) Created(context.Context) (string, error) {
	return "containers web", nil
}
func (f *fakeTracker) Remove(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = true
	return "containers web", nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunKeysQuitAndKeep drives Run with keys: type, run, quit, and keep
// what the demo created when offered to remove it.
func TestRunKeysQuitAndKeep(t *testing.T) {
	for _, answer := range []string{"n", "y"} {
		t.Run(answer, func(t *testing.T) {
			src := "---\nformat: 1\ntitle: Keys\n---\n\n## One\n\n```sh\necho one-$((40+2))\n```\n\n## Two\n\n```sh\necho two\n```\n"
			l, probs := lessons.ParseBytes(nil, "01-keys.md", "01-keys.md", []byte(src), lessons.Options{})
			if len(probs) > 0 {
				t.Fatal(probs)
			}
			keys, typed := io.Pipe()
			defer typed.Close()
			var screen syncBuffer
			tr := &fakeTracker{}
			done := make(chan Outcome, 1)
			go func() {
				out, err := Run(context.Background(), Options{Lesson: l, Dir: t.TempDir(), In: keys, Out: &screen, Tracker: tr, Width: 80, Height: 24})
				if err != nil {
					t.Error(err)
				}
				done <- out
			}()
			waitFor := func(text string) {
				t.Helper()
				deadline := time.Now().Add(10 * time.Second)
				for !strings.Contains(screen.String(), text) {
					if time.Now().After(deadline) {
						t.Fatalf("the screen never showed %q; it has %q", text, screen.String())
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
			waitFor("Enter type")
			typed.Write([]byte("\x1b[C"))
			waitFor("Enter run it")
			typed.Write([]byte("\r"))
			waitFor("one-42")
			waitFor("Enter next step")
			typed.Write([]byte("q"))
			waitFor("The demo created containers web.")
			typed.Write([]byte(answer))
			select {
			case out := <-done:
				if !out.Quit {
					t.Errorf("outcome %+v, want quit", out)
				}
				if tr.removed != (answer == "y") || (out.Removed != "") != (answer == "y") {
					t.Errorf("answered %q: removed=%v, outcome %+v", answer, tr.removed, out)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("Run did not return after the answer; the screen has %q", screen.String())
			}
		})
	}
}

// A check's line under ✓ wraps between words to the screen's width, with
// a hanging indent, instead of being cut mid-word by the terminal.
func TestCheckLinesWrapBetweenWords(t *testing.T) {
	d := &demo{scr: &screen{cols: 40, plain: true}}
	text := "✓ container: container static-site from prakhar1989/static-site is running and publishes 80/tcp on 8888"
	got := d.checkLines(text, func(s string) string { return s })
	lines := strings.Split(strings.TrimPrefix(got, "\r\n"), "\r\n")
	if len(lines) < 3 {
		t.Fatalf("got %q, want the text wrapped over several lines", lines)
	}
	var words []string
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > 40 {
			t.Errorf("line %d is %d columns, wider than the screen: %q", i, n, l)
		}
		indent := "    "
		if i == 0 {
			indent = "  "
		}
		if !strings.HasPrefix(l, indent) || strings.HasPrefix(l, indent+" ") {
			t.Errorf("line %d %q does not start with the indent %q", i, l, indent)
		}
		words = append(words, strings.Fields(l)...)
	}
	if strings.Join(words, " ") != text {
		t.Errorf("the words changed: got %q, want %q", strings.Join(words, " "), text)
	}
}
