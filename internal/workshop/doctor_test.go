package workshop

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/system"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

// fixtureLessons loads the fixture lessons of testdata/lessons.
func fixtureLessons(t *testing.T) []*lessons.Lesson {
	t.Helper()
	dir := filepath.Join("testdata", "lessons")
	ls, probs := lessons.Load(os.DirFS(dir), ".", dir, lessons.Options{Validator: checks.Default()})
	if len(probs) > 0 {
		t.Fatalf("loading the fixture lessons: %v", probs)
	}
	return ls
}

func TestCollectNeeds(t *testing.T) {
	nd := CollectNeeds(fixtureLessons(t)[:2]) // web and build
	var images []string
	for _, in := range nd.Images {
		images = append(images, fmt.Sprintf("%s %v", in.Ref, in.Lessons))
	}
	if want := []string{"busybox [web build]"}; !reflect.DeepEqual(images, want) {
		t.Errorf("got images %q, want %q", images, want)
	}
	var ports []string
	for _, p := range nd.Ports {
		ports = append(ports, fmt.Sprintf("%d/%s %s", p.Port, p.Proto, p.Where))
	}
	dir := filepath.Join("testdata", "lessons", "01-web.md")
	want := []string{
		"19501/tcp " + dir + ":14", // the -p of the solution (its code block) comes before the check
		"19502/tcp " + dir + ":20",
		"19503/tcp " + dir + ":25",
	}
	if !reflect.DeepEqual(ports, want) {
		t.Errorf("got ports\n%q\nwant\n%q", ports, want)
	}
}

func TestPublishedPorts(t *testing.T) {
	tests := []struct {
		spec string
		want []hostPort
	}{
		{"8888:5000", []hostPort{{8888, "tcp"}}},
		{"127.0.0.1:8888:5000", []hostPort{{8888, "tcp"}}},
		{"[::1]:8888:5000", []hostPort{{8888, "tcp"}}},
		{"5353:53/udp", []hostPort{{5353, "udp"}}},
		{`"8000-8002:8000-8002"`, []hostPort{{8000, "tcp"}, {8001, "tcp"}, {8002, "tcp"}}},
		{"5000", nil},            // the engine picks the host port
		{"127.0.0.1::5000", nil}, // likewise
		{"{{port}}:80", nil},
		{"99999:80", nil},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			if got := publishedPorts(tt.spec); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCommandPublishes(t *testing.T) {
	tests := []struct {
		cmd  string
		want []string
	}{
		{"docker run -d -p 8888:5000 app", []string{"8888:5000"}},
		{"docker run -dp 127.0.0.1:3000:3000 app", []string{"127.0.0.1:3000:3000"}},
		{"docker run --publish=8080:80 -p8081:81 --publish 8082:82 app", []string{"8080:80", "8081:81", "8082:82"}},
		{"docker run -d \\\n  -p 8888:5000 \\\n  app", []string{"8888:5000"}},
		{"docker run -it app sh -c 'nc -lp 80'", nil}, // -lp belongs to nc, inside the quoted command, not to docker
		{"echo -p 1:2", nil},
		{"docker ps -a && curl -p 1:2", nil},
		{"docker run -P app", nil},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			if got := commandPublishes(tt.cmd); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLocalURLPort(t *testing.T) {
	tests := []struct {
		url  string
		want int
		ok   bool
	}{
		{"http://localhost:8888/", 8888, true},
		{"http://127.0.0.1/", 80, true},
		{"https://localhost/x", 443, true},
		{"http://example.com:8888/", 0, false},
		{"not a url", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, ok := localURLPort(tt.url)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestDiskVerdict(t *testing.T) {
	tests := []struct {
		free    int64
		missing int
		want    Status
		detail  string
	}{
		{80e9, 0, StatusOK, "80GB free in /var/lib/docker (the lessons want at least 1GB)"},
		{5e9, 2, StatusOK, "5GB free in /var/lib/docker (the lessons want at least 1GB, plus the 2 images still to pull)"},
		{300e6, 1, StatusFail, "only 300MB free in /var/lib/docker; the lessons want at least 1GB, plus the 1 image still to pull"},
	}
	for _, tt := range tests {
		t.Run(tt.detail, func(t *testing.T) {
			it := diskVerdict("/var/lib/docker", tt.free, tt.missing)
			if it.Status != tt.want || it.Detail != tt.detail {
				t.Errorf("got %s %q, want %s %q", it.Status, it.Detail, tt.want, tt.detail)
			}
			if (it.Status == StatusFail) != (it.Fix != "") {
				t.Errorf("got fix %q with status %s; a failure, and only a failure, says how to fix it", it.Fix, it.Status)
			}
		})
	}
}

func TestListeningInodes(t *testing.T) {
	got := listeningInodes(filepath.Join("testdata", "proc", "net", "tcp"), 8888, "tcp")
	want := map[string]string{"31337": "1000"} // the listener, not the connection on the same port
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestPrintDoctorMarkers(t *testing.T) {
	rep := &Report{Checks: []Item{
		{Check: "engine", Status: StatusOK, Detail: "answers"},
		{Check: "port 8888", Status: StatusFail, Detail: "taken", Fix: "stop it", Lessons: []string{"web"}},
	}}
	var plain, color bytes.Buffer
	rep.Print(&plain, false)
	rep.Print(&color, true)
	wantPlain := "[ok]   engine: answers\n[FAIL] port 8888: taken\n       needed by: web\n       fix: stop it\n"
	if plain.String() != wantPlain {
		t.Errorf("without colour got\n%s\nwant\n%s", plain.String(), wantPlain)
	}
	if !strings.Contains(color.String(), "✓") || !strings.Contains(color.String(), "✗") || strings.Contains(color.String(), "[FAIL]") {
		t.Errorf("with colour got %q, want ✓ and ✗ marks", color.String())
	}
}

func TestDiskItemSkipsEnginesElsewhere(t *testing.T) {
	dr := &Doctor{Hostname: func() (string, error) { return "ana-laptop", nil }}
	tests := []struct {
		name   string
		info   system.Info
		isUnix bool
		want   Status
	}{
		{"Docker Desktop's virtual machine", system.Info{Name: "docker-desktop", DockerRootDir: "/var/lib/docker"}, true, StatusSkip},
		{"an engine over tcp", system.Info{Name: "ana-laptop", DockerRootDir: "/var/lib/docker"}, false, StatusSkip},
		{"the engine on this machine (the test's disk has 1GB free)", system.Info{Name: "ana-laptop", DockerRootDir: t.TempDir()}, true, StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := dr.diskItem(tt.info, tt.isUnix, 0)
			if it.Status != tt.want {
				t.Errorf("got %s (%s), want %s", it.Status, it.Detail, tt.want)
			}
		})
	}
}
