package workspace

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dockstep/dockstep/lessons"
)

// workspaceLesson parses a lesson with a workspace folder "files" beside it,
// as Load would.
func workspaceLesson(t *testing.T, files fstest.MapFS) *lessons.Lesson {
	t.Helper()
	fsys := fstest.MapFS{
		"course/03-build.md": {Data: []byte("---\nformat: 1\ntitle: Build\nworkspace: files\n---\n\n## Build it\n\nGo.\n")},
	}
	for name, f := range files {
		fsys["course/files/"+name] = f
	}
	l, probs := lessons.Parse(fsys, "course/03-build.md", "03-build.md", lessons.Options{})
	if len(probs) > 0 {
		t.Fatalf("the test lesson has problems: %v", probs)
	}
	if l.Workspace != "course/files" {
		t.Fatalf("Workspace = %q, want course/files", l.Workspace)
	}
	return l
}

var sampleFiles = fstest.MapFS{
	"Dockerfile":           {Data: []byte("FROM busybox\n"), Mode: 0o444},
	"app/run.sh":           {Data: []byte("#!/bin/sh\necho hi\n"), Mode: 0o755},
	"app/static/index.txt": {Data: []byte("hello\n"), Mode: 0o644},
	"empty/.keep":          {Data: nil},
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		got[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCopyWorkspaceFresh(t *testing.T) {
	l := workspaceLesson(t, sampleFiles)
	dest := filepath.Join(t.TempDir(), "not", "yet", "there")
	written, kept, err := Copy(l, dest, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantWritten := []string{"Dockerfile", "app/run.sh", "app/static/index.txt", "empty/.keep"}
	if !slices.Equal(written, wantWritten) || len(kept) != 0 {
		t.Errorf("written %v, kept %v; want written %v, kept none", written, kept, wantWritten)
	}
	got := readTree(t, dest)
	for name, f := range sampleFiles {
		if got[name] != string(f.Data) {
			t.Errorf("%s = %q, want %q", name, got[name], f.Data)
		}
	}
	if len(got) != len(sampleFiles) {
		t.Errorf("dest holds %v, want exactly the %d workspace files", got, len(sampleFiles))
	}
	modes := map[string]fs.FileMode{
		"Dockerfile":  0o644, // read-only in the lesson, writable for the learner
		"app/run.sh":  0o755, // executable stays executable
		"app":         0o755 | fs.ModeDir,
		"app/static":  0o755 | fs.ModeDir,
		"empty/.keep": 0o644,
	}
	for name, want := range modes {
		st, err := os.Stat(filepath.Join(dest, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode() & (fs.ModePerm | fs.ModeDir); got != want {
			t.Errorf("mode of %s = %v, want %v", name, got, want)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dest, "*", ".*dockstep-*"))
	top, _ := filepath.Glob(filepath.Join(dest, ".*dockstep-*"))
	if len(leftovers)+len(top) > 0 {
		t.Errorf("temporary files left behind: %v %v", top, leftovers)
	}
}

func TestCopyWorkspaceAgain(t *testing.T) {
	const edited = "FROM busybox\nRUN echo my edit\n"
	tests := []struct {
		name        string
		answer      *bool // nil: no overwrite function
		wantWritten []string
		wantKept    []string
		wantContent string
	}{
		{"nil overwrite keeps edits", nil, nil, []string{"Dockerfile"}, edited},
		{"learner keeps edits", boolPtr(false), nil, []string{"Dockerfile"}, edited},
		{"learner replaces edits", boolPtr(true), []string{"Dockerfile"}, nil, "FROM busybox\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := workspaceLesson(t, sampleFiles)
			dest := t.TempDir()
			if _, _, err := Copy(l, dest, nil); err != nil {
				t.Fatal(err)
			}
			// The learner edits one file; the others stay as copied.
			docker := filepath.Join(dest, "Dockerfile")
			if err := os.WriteFile(docker, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			untouched := filepath.Join(dest, "app", "static", "index.txt")
			past := time.Now().Add(-time.Hour).Truncate(time.Second)
			if err := os.Chtimes(untouched, past, past); err != nil {
				t.Fatal(err)
			}

			var asked []string
			var overwrite func(string) bool
			if tt.answer != nil {
				overwrite = func(rel string) bool {
					asked = append(asked, rel)
					return *tt.answer
				}
			}
			written, kept, err := Copy(l, dest, overwrite)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(written, tt.wantWritten) || !slices.Equal(kept, tt.wantKept) {
				t.Errorf("written %v, kept %v; want %v, %v", written, kept, tt.wantWritten, tt.wantKept)
			}
			if tt.answer != nil && !slices.Equal(asked, []string{"Dockerfile"}) {
				t.Errorf("overwrite asked about %v, want only Dockerfile", asked)
			}
			if b, err := os.ReadFile(docker); err != nil || string(b) != tt.wantContent {
				t.Errorf("Dockerfile = %q, %v; want %q", b, err, tt.wantContent)
			}
			st, err := os.Stat(untouched)
			if err != nil {
				t.Fatal(err)
			}
			if !st.ModTime().Equal(past) {
				t.Errorf("an identical file was rewritten: mtime %v, want %v", st.ModTime(), past)
			}
		})
	}
}

func boolPtr(v bool) *bool { return &v }

func TestCopyWorkspaceNone(t *testing.T) {
	fsys := fstest.MapFS{"01-x.md": {Data: []byte("---\nformat: 1\ntitle: X\n---\n\n## S\n\nGo.\n")}}
	l, probs := lessons.Parse(fsys, "01-x.md", "01-x.md", lessons.Options{})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	dest := filepath.Join(t.TempDir(), "dockstep-x")
	written, kept, err := Copy(l, dest, func(string) bool { t.Error("overwrite called"); return true })
	if err != nil || written != nil || kept != nil {
		t.Errorf("Copy = %v, %v, %v; want nothing done", written, kept, err)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("dest was created for a lesson without a workspace (stat: %v)", err)
	}
}

func TestCopyWorkspaceRefusesLinks(t *testing.T) {
	t.Run("link in the lesson", func(t *testing.T) {
		files := fstest.MapFS{
			"Dockerfile": {Data: []byte("FROM busybox\n")},
			"passwd":     {Data: []byte("/etc/passwd"), Mode: fs.ModeSymlink},
		}
		l := workspaceLesson(t, files)
		dest := t.TempDir()
		written, _, err := Copy(l, dest, nil)
		if err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("error = %v, want one about a symbolic link", err)
		}
		if entries, _ := os.ReadDir(dest); len(entries) > 0 || len(written) > 0 {
			t.Errorf("files written before the link was refused: %v, %v", written, entries)
		}
	})
	t.Run("link in dest", func(t *testing.T) {
		l := workspaceLesson(t, sampleFiles)
		dest := t.TempDir()
		outside := filepath.Join(t.TempDir(), "outside")
		if err := os.WriteFile(outside, []byte("mine\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(outside, filepath.Join(dest, "Dockerfile")); err != nil {
			t.Fatal(err)
		}
		_, _, err := Copy(l, dest, func(string) bool { return true })
		if err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("error = %v, want one about a symbolic link", err)
		}
		if b, _ := os.ReadFile(outside); string(b) != "mine\n" {
			t.Errorf("the file behind the link was changed to %q", b)
		}
	})
	t.Run("linked folder in dest", func(t *testing.T) {
		l := workspaceLesson(t, sampleFiles)
		dest := t.TempDir()
		outside := t.TempDir()
		if err := os.Symlink(outside, filepath.Join(dest, "app")); err != nil {
			t.Fatal(err)
		}
		_, _, err := Copy(l, dest, nil)
		if err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("error = %v, want one about a symbolic link", err)
		}
		if entries, _ := os.ReadDir(outside); len(entries) > 0 {
			t.Errorf("files written through the link: %v", entries)
		}
	})
}

func TestCopyWorkspaceFileInTheWay(t *testing.T) {
	l := workspaceLesson(t, sampleFiles)
	dest := t.TempDir()
	if err := os.WriteFile(filepath.Join(dest, "app"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := Copy(l, dest, nil)
	if err == nil || !strings.Contains(err.Error(), "is a file where the lesson has a folder") {
		t.Errorf("error = %v, want one about a file in the way", err)
	}
}

func TestDefaultWorkspaceDir(t *testing.T) {
	l := &lessons.Lesson{ID: "first-image"}
	if got, want := DefaultDir("/home/ada", l), "/home/ada/dockstep-first-image"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
