package grade

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/lessons"
)

func TestRequestLearner(t *testing.T) {
	l := &lessons.Lesson{ID: "l", Vars: []lessons.Var{{Name: "port", Type: lessons.VarPort, Default: "8080"}, {Name: "user"}}}
	saved := t.TempDir()
	gone := filepath.Join(t.TempDir(), "gone")
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		given    map[string]string
		dir      string
		saved    *progress.LessonProgress
		port     string
		user     string
		wantDir  string
		usageErr bool
	}{
		{name: "given first", given: map[string]string{"port": "9000", "user": "ada"}, saved: &progress.LessonProgress{Vars: map[string]string{"port": "9100"}}, port: "9000", user: "ada", wantDir: here},
		{name: "saved answers and folder", given: map[string]string{"user": "ada"}, saved: &progress.LessonProgress{Vars: map[string]string{"port": "9100"}, Workspace: saved}, port: "9100", user: "ada", wantDir: saved},
		{name: "--dir over the saved folder", given: map[string]string{"user": "ada"}, dir: here, saved: &progress.LessonProgress{Workspace: saved}, port: "8080", user: "ada", wantDir: here},
		{name: "a saved folder no longer there", given: map[string]string{"user": "ada"}, saved: &progress.LessonProgress{Workspace: gone}, port: "8080", user: "ada", wantDir: here},
		{name: "never started", given: map[string]string{"user": "ada"}, port: "8080", user: "ada", wantDir: here},
		{name: "no value", usageErr: true},
		{name: "a bad value", given: map[string]string{"port": "http", "user": "ada"}, usageErr: true},
		{name: "not a folder", given: map[string]string{"user": "ada"}, dir: gone, usageErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Request{Lesson: l}
			err := r.Learner(tc.given, tc.dir, tc.saved)
			var usage *UsageError
			if tc.usageErr {
				if !errors.As(err, &usage) {
					t.Errorf("got %v, want a *UsageError", err)
				}
				return
			}
			if err != nil || r.Vars["port"] != tc.port || r.Vars["user"] != tc.user || r.Dir != tc.wantDir {
				t.Errorf("got %v, %s, %v; want port %s, user %s, folder %s", r.Vars, r.Dir, err, tc.port, tc.user, tc.wantDir)
			}
		})
	}
}
