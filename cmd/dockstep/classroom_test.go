package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/internal/classroom"
)

// roomFixture is a room server in this process, on a real database.
func roomFixture(t *testing.T) (*classroom.Server, *httptest.Server) {
	t.Helper()
	store, err := classroom.OpenStore(filepath.Join(t.TempDir(), "room.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv, err := classroom.NewServer(context.Background(), store, "Fixture room")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return srv, hs
}

func TestCheckReportsToTheRoomWithoutChangingItsExitCode(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	srv, hs := roomFixture(t)
	join := hs.URL + "/join/" + srv.Info().Code
	dir := t.TempDir()
	lesson := filepath.Join("testdata", "classroom", "room.md")
	// Step 2 checks only a file: no engine needed.
	args := []string{"check", lesson, "--step", "2", "--var", "image=x", "--dir", dir, "--room", join, "--name", "Ivy"}
	if code, out, errOut := runCapture(t, args...); code != 1 {
		t.Fatalf("check without note.txt: exit %d, want 1\n%s%s", code, out, errOut)
	}
	os.WriteFile(filepath.Join(dir, "note.txt"), []byte("done"), 0o644)
	if code, out, errOut := runCapture(t, args...); code != 0 {
		t.Fatalf("check with note.txt: exit %d, want 0\n%s%s", code, out, errOut)
	}
	req, _ := http.NewRequest("GET", hs.URL+"/api/room", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Info().Instructor)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var room classroom.Summary
	json.NewDecoder(res.Body).Decode(&room)
	if len(room.Learners) != 1 {
		t.Fatalf("room = %+v, want Ivy alone", room)
	}
	ivy := room.Learners[0]
	if ivy.Name != "Ivy" || ivy.Step != 2 || ivy.Cells[1] != classroom.CellDone {
		t.Errorf("Ivy = %+v, want step 2 done", ivy)
	}
	// The diagnosis of the first check went without the folder's path.
	var exp struct{ Events []classroom.ExportedEvent }
	req, _ = http.NewRequest("GET", hs.URL+"/api/export.json", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Info().Instructor)
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res2.Body.Close()
	json.NewDecoder(res2.Body).Decode(&exp)
	raw, _ := json.Marshal(exp)
	if strings.Contains(string(raw), dir) {
		t.Errorf("the room received the learner's folder %s:\n%s", dir, raw)
	}
}

func TestCheckWithAnUnreachableRoomKeepsTheEvents(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	lesson := filepath.Join("testdata", "classroom", "room.md")
	code, _, errOut := runCapture(t, "check", lesson, "--step", "2", "--var", "image=x", "--dir", t.TempDir(),
		"--room", "http://127.0.0.1:1/join/abc", "--name", "Jo")
	if code != 1 {
		t.Errorf("exit %d, want 1 (the step fails; the room does not matter)", code)
	}
	if !strings.Contains(errOut, "offline, 3 queued") || !strings.Contains(errOut, "sent the next time") {
		t.Errorf("stderr = %q, want it to say the events stay queued", errOut)
	}
}

func TestRoomFlagsAreChecked(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	lesson := filepath.Join("testdata", "classroom", "room.md")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", lesson, "--room", "http://h:7878/join/abc"}, "--room needs --name"},
		{[]string{"check", lesson, "--room", "h:7878", "--name", "x"}, "not a room's join address"},
		{[]string{"check", lesson, "--room", "http://h:7878/join/abc", "--name", "a\tb"}, "--name"},
	} {
		code, _, errOut := runCapture(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("dockstep %s: exit %d, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
}
