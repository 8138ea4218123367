package workshop

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
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
	ls := fixtureLessons(t)[:2] // web and build
	tests := []struct {
		name  string
		vars  func(*lessons.Lesson) map[string]string
		ports []string
	}{
		{"the variables' defaults", nil, []string{"19501/tcp :32", "19502/tcp :33", "19503/tcp :43"}},
		{"the learner's values", func(l *lessons.Lesson) map[string]string {
			return map[string]string{"web": "8001", "visit": "8002", "other": "8001"}
		}, []string{"8001/tcp :32", "8002/tcp :33"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nd := CollectNeeds(checks.Default(), ls, tt.vars)
			var images []string
			for _, in := range nd.Images {
				images = append(images, fmt.Sprintf("%s %v", in.Ref, in.Lessons))
			}
			if want := []string{"busybox [web build]"}; !reflect.DeepEqual(images, want) {
				t.Errorf("got images %q, want %q", images, want)
			}
			var ports []string
			for _, p := range nd.Ports {
				ports = append(ports, fmt.Sprintf("%d/%s %s", p.Port, p.Proto, strings.TrimPrefix(p.Where, filepath.Join("testdata", "lessons", "01-web.md"))))
			}
			if !reflect.DeepEqual(ports, tt.ports) {
				t.Errorf("got ports %q, want %q", ports, tt.ports)
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
	tests := []struct {
		name   string
		info   system.Info
		isUnix bool
		free   int64
		want   Status
	}{
		{"Docker Desktop's virtual machine", system.Info{Name: "docker-desktop", DockerRootDir: "/var/lib/docker"}, true, 80e9, StatusSkip},
		{"an engine over tcp", system.Info{Name: "ana-laptop", DockerRootDir: "/var/lib/docker"}, false, 80e9, StatusSkip},
		{"the engine on this machine, with room", system.Info{Name: "ana-laptop", DockerRootDir: "/var/lib/docker"}, true, 80e9, StatusOK},
		{"the engine on this machine, full", system.Info{Name: "ana-laptop", DockerRootDir: "/var/lib/docker"}, true, 1e6, StatusFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			measured := ""
			dr := &Doctor{
				Hostname:  func() (string, error) { return "ana-laptop", nil },
				FreeBytes: func(dir string) (int64, error) { measured = dir; return tt.free, nil },
			}
			it := dr.diskItem(tt.info, tt.isUnix, 0)
			if it.Status != tt.want {
				t.Errorf("got %s (%s), want %s", it.Status, it.Detail, tt.want)
			}
			if tt.want != StatusSkip && measured != tt.info.DockerRootDir {
				t.Errorf("measured %q, want the engine's root %q", measured, tt.info.DockerRootDir)
			}
		})
	}
}

// The doctor names a place in the course built into dockstep by lesson and
// step, since its file is no file of the learner's; a lesson read from the
// learner's own files (--lessons) keeps its file and line.
func TestDoctorNamesTheCoursesStepsNotItsEmbeddedFiles(t *testing.T) {
	opts := lessons.Options{Validator: checks.Default()}
	course, probs := lessons.From("", opts).Load()
	if len(probs) > 0 {
		t.Fatalf("loading the course: %v", probs)
	}
	_, out := runDoctor(t, newFake(), nil, CollectNeeds(checks.Default(), course, nil))
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "fail port 8080:") {
			line = l
		}
	}
	m := regexp.MustCompile(`\(([a-z0-9-]+), step ([0-9]+)\)$`).FindStringSubmatch(line)
	if m == nil || strings.Contains(line, ".md") {
		t.Fatalf("the held port 8080 is not named by lesson and step: %q in\n%s", line, out)
	}
	// The step named is one whose checks publish on 8080.
	var step *lessons.Step
	for _, l := range course {
		if n, _ := strconv.Atoi(m[2]); l.ID == m[1] && n >= 1 && n <= len(l.Steps) {
			step = l.Steps[n-1]
			if !publishes(t, step, l.SampleVars(), 8080) {
				t.Errorf("%s, step %d does not publish port 8080", l.ID, n)
			}
		}
	}
	if step == nil {
		t.Errorf("%q names no step of the course", line)
	}

	// The same lessons read from files: the place is the file and line.
	dir := filepath.Join("..", "..", "lessons", "course")
	files, probs := lessons.LoadPath(dir, opts)
	if len(probs) > 0 {
		t.Fatalf("loading %s: %v", dir, probs)
	}
	for _, p := range CollectNeeds(checks.Default(), files, nil).Ports {
		file, n, ok := strings.Cut(p.Where, ".md:")
		no, err := strconv.Atoi(n)
		if !ok || err != nil || !strings.HasPrefix(file, dir) {
			t.Errorf("port %d read from files is at %q, want %s/…md:LINE", p.Port, p.Where, dir)
			continue
		}
		src, err := os.ReadFile(file + ".md")
		if err != nil || no < 1 || no > len(strings.Split(string(src), "\n")) {
			t.Errorf("port %d: %q is not a line of a file (%v)", p.Port, p.Where, err)
		}
	}
}

// publishes reports whether a check of step needs host port port.
func publishes(t *testing.T, step *lessons.Step, vars map[string]string, port int) bool {
	t.Helper()
	for _, c := range step.Checks {
		nd, err := checks.Default().Needs(c, vars)
		if err != nil {
			continue
		}
		for _, p := range nd.Ports {
			if p.Port == port {
				return true
			}
		}
	}
	return false
}
