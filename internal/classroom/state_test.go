package classroom

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Join keeps the learner's queue in dockstep's state folder.
func TestJoinKeepsTheQueueInTheStateFolder(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	seat, err := Joiner("http://127.0.0.1:1/join/abc", io.Discard)(context.Background(), "Kim")
	if err != nil {
		t.Fatal(err)
	}
	seat.Stop()
	var files []string
	filepath.WalkDir(state, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Errorf("nothing was written under the state folder %s", state)
	}
	if _, err := Join("not a join address", "Kim", io.Discard); err == nil || !strings.Contains(err.Error(), "joining the room") {
		t.Errorf("a bad address: got %v, want an error about joining the room", err)
	}
}

// Without a database file, the room is kept in dockstep's state folder.
func TestServeKeepsTheRoomInTheStateFolder(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := Serve(ctx, ServeOptions{Addr: "127.0.0.1:0", Out: io.Discard, Ready: func(*Server, net.Addr) { cancel() }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(state, "dockstep", "classroom", "room.db")); err != nil {
		t.Errorf("the room's database is not in the state folder: %v", err)
	}
}

// TestServeUntilStoppedError: a room that cannot be served ends dockstep
// classroom serve with status 2, naming the command.
func TestServeUntilStoppedError(t *testing.T) {
	err := ServeUntilStopped(context.Background(), ServeOptions{Addr: ":0", TLSCert: "cert.pem", Out: io.Discard})
	var se *ServeError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a *ServeError", err)
	}
	if code, msg := se.ExitStatus("dockstep classroom serve"); code != 2 || msg != "dockstep classroom serve: --tls-cert and --tls-key go together: give both, or neither" {
		t.Errorf("exit %d %q", code, msg)
	}
}
