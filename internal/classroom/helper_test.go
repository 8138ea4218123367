package classroom

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary serve a room in a process of its own, for
// the tests that kill the server or measure it:
// DOCKSTEP_CLASSROOM_HELPER=serve DOCKSTEP_CLASSROOM_DB=FILE.
func TestMain(m *testing.M) {
	if os.Getenv("DOCKSTEP_CLASSROOM_HELPER") == "serve" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
		err := Serve(ctx, ServeOptions{
			Addr: "127.0.0.1:0", DB: os.Getenv("DOCKSTEP_CLASSROOM_DB"), Title: "helper", Out: os.Stdout,
			Ready: func(s *Server, _ net.Addr) {
				// The load test joins hundreds of learners from one address.
				s.JoinBurst = 1e6
				fmt.Println("ready")
			},
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serverProcess is a room server in a process of its own.
type serverProcess struct {
	cmd        *exec.Cmd
	base, code string
	token      string // the instructor's
	done       chan struct{}
}

func startServerProcess(t testing.TB, db string) *serverProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DOCKSTEP_CLASSROOM_HELPER=serve", "DOCKSTEP_CLASSROOM_DB="+db)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serverProcess{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if u, ok := strings.CutPrefix(line, "learners: dockstep join "); ok {
			var err error
			if p.base, p.code, err = ParseJoinURL(u); err != nil {
				t.Fatal(err)
			}
		}
		if _, tok, ok := strings.Cut(line, "?token="); ok {
			p.token = tok
		}
		if line == "ready" {
			break
		}
	}
	if p.base == "" || p.token == "" {
		t.Fatalf("the server process printed no join line and dashboard line")
	}
	go io.Copy(io.Discard, out)
	return p
}

func (p *serverProcess) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// testRoom is a server on a real database, served by httptest.
type testRoom struct {
	t     testing.TB
	srv   *Server
	store *Store
	http  *httptest.Server
	db    string
}

func newTestRoom(t testing.TB) *testRoom {
	t.Helper()
	return openTestRoom(t, filepath.Join(t.TempDir(), "room.db"))
}

func openTestRoom(t testing.TB, db string) *testRoom {
	t.Helper()
	store, err := OpenStore(db)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(context.Background(), store, "Test room")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	r := &testRoom{t: t, srv: srv, store: store, http: hs, db: db}
	t.Cleanup(r.close)
	return r
}

func (r *testRoom) close() {
	r.http.CloseClientConnections()
	r.http.Close()
	r.store.Close()
}

func (r *testRoom) joinURL() string { return r.http.URL + "/join/" + r.srv.Info().Code }

// do sends a request with a JSON body (a string is sent as is) and returns
// the status and the decoded JSON answer.
func do(t testing.TB, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case string:
		data = []byte(b)
	case []byte:
		data = b
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, url, err, raw)
		}
	}
	return res.StatusCode, out
}

// join joins the room as name and returns the learner's token.
func join(t testing.TB, base, code, name string) string {
	t.Helper()
	status, out := do(t, "POST", base+"/api/join", "", JoinRequest{Code: code, Name: name})
	if status != 200 {
		t.Fatalf("joining as %q: got %d %v, want 200", name, status, out)
	}
	return out["token"].(string)
}

// ev is an event of lesson "l1" on step n.
func ev(id string, kind Kind, n int, failed ...Failure) Event {
	return Event{ID: id, Kind: kind, At: time.Now(), Lesson: "l1", LessonTitle: "Lesson one", Step: n, StepTitle: fmt.Sprintf("Step %d", n), Failed: failed}
}

func lessonStarted(id string, steps int) Event {
	e := Event{ID: id, Kind: LessonStarted, At: time.Now(), Lesson: "l1", LessonTitle: "Lesson one"}
	for i := 1; i <= steps; i++ {
		e.Steps = append(e.Steps, fmt.Sprintf("Step %d", i))
	}
	return e
}

// postBatch posts a batch and decodes the answer; 0 when no answer came.
func postBatch(c *http.Client, base, token string, b Batch, rep *EventsReply) int {
	data, _ := json.Marshal(b)
	req, _ := http.NewRequest("POST", base+"/api/events", bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(rep); err != nil {
		return 0
	}
	return res.StatusCode
}
