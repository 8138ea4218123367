package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/docker/go-connections/nat"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"

	"github.com/dockstep/dockstep/lessons"
)

func TestEvaluateAll(t *testing.T) {
	dir := t.TempDir()
	// The first and last checks wait for each other: run one after the
	// other, the first gives up (after 5s) and fails.
	specs := []lessons.CheckSpec{
		spec(t, `command: {run: "touch a; for i in $(seq 100); do [ -f b ] && exit 0; sleep 0.05; done; exit 1"}`),
		spec(t, "command: \"exit 2\""),
		spec(t, "file: \"{{name}}.txt\""),
		spec(t, `command: {run: "touch b; for i in $(seq 100); do [ -f a ] && exit 0; sleep 0.05; done; exit 1"}`),
	}
	res := EvaluateAll(context.Background(), Default(), specs, map[string]string{"name": "notes"}, &Env{Dir: dir})
	want := []struct {
		pass bool
		msg  string
	}{{true, "succeeded"}, {false, `"exit 2" exited with status 2`}, {false, "no file notes.txt"}, {true, "succeeded"}}
	if len(res) != len(want) {
		t.Fatalf("got %d results, want %d", len(res), len(want))
	}
	for i, w := range want {
		if res[i].Kind == "" || res[i].Passed != w.pass || !strings.Contains(res[i].Message, w.msg) {
			t.Errorf("result %d: got %+v, want passed=%v with %q", i, res[i], w.pass, w.msg)
		}
	}

	bad := EvaluateAll(context.Background(), Default(), []lessons.CheckSpec{spec(t, "image: \"{{img}}\"")}, map[string]string{"img": "Not An Image"}, &Env{})
	if bad[0].Err == nil || bad[0].Passed || !strings.Contains(bad[0].Err.Error(), "test.md:1:") {
		t.Errorf("got %+v, want an error at test.md:1 for a check that does not compile", bad[0])
	}
}

func TestCommandCheck(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		check string
		pass  bool
		want  string
	}{
		{"command: test -d " + dir, true, "succeeded"},
		{`command: "pwd | grep -q '^` + dir + `$'"`, true, ""},
		{`command: "echo some output; exit 3"`, false, "exited with status 3:\n    some output"},
		{"command: {run: sleep 5, timeout: 200ms}", false, "did not finish within 200ms"},
		{`command: {run: "echo cat: no such file; exit 1", want: the list holds buy milk}`, false, "the list holds buy milk: not yet (\"echo cat: no such file; exit 1\" exited with status 1):\n    cat: no such file"},
		{`command: {run: "exit 0", want: the list holds buy milk}`, true, "succeeded"},
		{"command: {run: sleep 5, timeout: 200ms, want: the server answers}", false, "the server answers: not yet (\"sleep 5\" did not finish within 200ms)"},
	}
	for _, tt := range tests {
		r := compile(t, tt.check).Evaluate(context.Background(), &Env{Dir: dir})
		if r.Passed != tt.pass || !strings.Contains(r.Message, tt.want) {
			t.Errorf("%s: got passed=%v %q, want %v with %q", tt.check, r.Passed, r.Message, tt.pass, tt.want)
		}
	}
}

// A server that is still starting answers 503 at first: the check retries.
func TestHTTPRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("<h1>Cat Gif of the day</h1>"))
	}))
	defer srv.Close()
	r := compile(t, "http: {url: "+srv.URL+", contains: Cat Gif, timeout: 5s}").Evaluate(context.Background(), &Env{})
	if !r.Passed || calls.Load() != 3 {
		t.Errorf("got passed=%v after %d calls (%s), want passed after 3", r.Passed, calls.Load(), r.Message)
	}
	r = compile(t, "http: {url: "+srv.URL+", status: 404, timeout: 300ms}").Evaluate(context.Background(), &Env{})
	if r.Passed || !strings.Contains(r.Message, "answered 200 OK, want 404 Not Found (still so after 300ms)") {
		t.Errorf("got passed=%v %q, want a failure naming both statuses", r.Passed, r.Message)
	}
}

// Env.MaxWait cuts an http check's retries short, as the runner needs.
func TestHTTPMaxWait(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	r := compile(t, "http: {url: "+srv.URL+", timeout: 10s}").Evaluate(context.Background(), &Env{MaxWait: 300 * time.Millisecond})
	if r.Passed || !strings.Contains(r.Message, "(still so after 300ms)") {
		t.Errorf("got passed=%v %q, want a failure after 300ms, not 10s", r.Passed, r.Message)
	}
	if calls.Load() < 1 {
		t.Errorf("the server was never asked")
	}
}

// A server that takes the connection but never answers is said in words,
// not as Go's "context deadline exceeded".
func TestHTTPSilentServerInWords(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	r := compile(t, "http: {url: "+srv.URL+", timeout: 300ms}").Evaluate(context.Background(), &Env{})
	if r.Passed || !strings.Contains(r.Message, "does not answer in time") {
		t.Errorf("got passed=%v %q, want a failure saying the page does not answer in time", r.Passed, r.Message)
	}
	if strings.Contains(r.Message, "deadline") || strings.Contains(r.Message, "Client.Timeout") {
		t.Errorf("the learner is shown Go's error text: %q", r.Message)
	}
}

// A port that takes connections and hangs up at once, as Docker's proxy
// does when nothing listens in the container, is said in words, whether
// the hang-up comes before or after the request is written.
func TestHTTPHangUpInWords(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	r := compile(t, "http: {url: \"http://"+ln.Addr().String()+"/\", timeout: 300ms}").Evaluate(context.Background(), &Env{})
	if r.Passed || !strings.Contains(r.Message, "takes connections but closes them at once") {
		t.Errorf("got passed=%v %q, want a failure saying the port hangs up at once", r.Passed, r.Message)
	}
}

func TestEngineTroubleInWords(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{context.DeadlineExceeded, "did not answer in time"},
		{fmt.Errorf("Get \"http://%%2Fvar%%2Frun%%2Fdocker.sock/v1.41/events\": %w", io.ErrUnexpectedEOF), "the connection to it broke"},
		{&net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "it is not running"},
		{&net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.EACCES)}, "may not use its socket"},
		{errors.New("Error response from daemon: page not found"), "Error response from daemon: page not found"},
		// What the client says when the engine goes away between two
		// questions, as when it restarts.
		{errors.New("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"), "it is not running"},
	}
	for _, tt := range tests {
		got := EngineTrouble(tt.err)
		if !strings.Contains(got, tt.want) {
			t.Errorf("EngineTrouble(%v) = %q, want %q", tt.err, got, tt.want)
		}
		if strings.Contains(got, "deadline exceeded") || strings.Contains(got, "unexpected EOF") {
			t.Errorf("EngineTrouble(%v) = %q: Go's error text", tt.err, got)
		}
	}
}

// When nothing answers, the advice follows how the step publishes ports:
// Compose from compose.yaml, docker run with the step's own -p command.
func TestHTTPAdviceFollowsTheStep(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close() // refused from now on
	for _, tt := range []struct {
		commands []string
		want     []string
		not      string
	}{
		{[]string{"docker compose up -d"}, []string{"published (ports: in compose.yaml)?", `ports: in compose.yaml must list "` + port + `:PORT"`}, "-p"},
		{[]string{"docker build -t web .\ndocker run -d -p " + port + ":80 web"}, []string{"published (-p)?", "start it with docker run -d -p " + port + ":80 web"}, "compose"},
		{nil, []string{"published (-p)?", "(docker run -p " + port + ":PORT)"}, "compose"},
	} {
		s := spec(t, `http: {url: "http://localhost:`+port+`/", timeout: 1s}`)
		s.Commands = tt.commands
		c, err := Default().Compile(s, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := c.Evaluate(context.Background(), &Env{Docker: &fakeDocker{}, MaxWait: 200 * time.Millisecond})
		if r.Port != ln.Addr().(*net.TCPAddr).Port {
			t.Errorf("step %q: got Port %d, want %s: no container publishes it", tt.commands, r.Port, port)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.Message, w) {
				t.Errorf("step %q: got %q, want it to say %q", tt.commands, r.Message, w)
			}
		}
		if strings.Contains(r.Message, tt.not) {
			t.Errorf("step %q: got %q, want it without %q", tt.commands, r.Message, tt.not)
		}
	}
}

// A container publishes the URL's port to a container port its image does
// not expose: the hint gives the port the image exposes, in compose.yaml
// for a Compose service, with -p for a container of docker run.
func TestHTTPHintGivesTheExposedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // refused from now on
	for _, tt := range []struct {
		labels map[string]string
		want   string
	}{
		{map[string]string{composeProject: "visits"}, fmt.Sprintf(`but its image says the app listens on 5000 (EXPOSE 5000): in compose.yaml, the service's ports: must read "%d:5000"; then run docker compose up -d again`, port)},
		{nil, fmt.Sprintf("but its image says the app listens on 5000 (EXPOSE 5000): remove the container (docker rm -f web) and run it again with -p %d:5000", port)},
	} {
		web := ctr("c1", "web", "visits-web", catnipID, "running", 0, "", fmt.Sprintf("%d:80", port))
		web.summary.Labels = tt.labels
		// Publishing 80 exposes it on the container; the image says 5000.
		web.inspect.Config.ExposedPorts = nat.PortSet{"5000/tcp": {}, "80/tcp": {}}
		engine := catnipEngine(web)
		img := engine.images["docker.io/hanabira/catnip:latest"]
		img.Config = &dockerspec.DockerOCIImageConfig{}
		img.Config.ExposedPorts = map[string]struct{}{"5000/tcp": {}}
		engine.images["docker.io/hanabira/catnip:latest"] = img
		c := compile(t, fmt.Sprintf(`http: {url: "http://localhost:%d/", timeout: 1s}`, port))
		r := c.Evaluate(context.Background(), &Env{Docker: engine, MaxWait: 200 * time.Millisecond})
		if !strings.Contains(r.Message, tt.want) {
			t.Errorf("labels %v: got %q, want it to say %q", tt.labels, r.Message, tt.want)
		}
	}
}

func TestCommandUsesTheContainerItExecsIn(t *testing.T) {
	for _, tt := range []struct{ run, want string }{
		{"docker exec notebook cat /data/todo.txt | grep -q 'buy milk'", "container notebook"},
		{"docker exec -it -u root -e A=1 --workdir /srv web ls", "container web"},
		{"docker exec", ""},
		{"docker logs web", ""},
		{"test -s out.txt", ""},
	} {
		if got := (&commandCheck{run: tt.run}).uses(); got != tt.want {
			t.Errorf("%q uses %q, want %q", tt.run, got, tt.want)
		}
	}
}
