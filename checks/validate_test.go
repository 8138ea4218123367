package checks

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/lessons"
)

// problemLines flattens a compile error into "line: message" strings.
func problemLines(err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		line := 0
		var le *lessons.LineError
		if errors.As(err, &le) {
			line = le.Line
		}
		out = append(out, fmt.Sprintf("%d: %s", line, err))
	}
	if err != nil {
		walk(err)
	}
	return out
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "line: part of the message", one per problem
	}{
		{"valid image", "image: busybox", nil},
		{"valid image fields", "image:\n  ref: python:3\n  exposes: [5000, 53/udp]\n  cmd: [python, app.py]\n  env: {A: b}\n  labels: [a=b]", nil},
		{"bad image reference", "image: Busy Box", []string{`1: image check: image: "Busy Box" is not an image reference`}},
		{"unknown field", "image:\n  ref: busybox\n  expose: 5000", []string{`3: image check: unknown field "expose"; the fields are ref, base, exposes`}},
		{"image without ref", "image:\n  exposes: 5000", []string{"2: image check: ref is missing"}},
		{"bad port", "image:\n  ref: busybox\n  exposes:\n    - 5000\n    - 70000", []string{`5: image check: exposes: "70000" is not a port`}},
		{"bad protocol", "image: {ref: busybox, exposes: 80/http}", []string{`1: image check: exposes: "80/http": the protocol must be tcp, udp or sctp`}},
		{"relative workdir", "image:\n  ref: busybox\n  workdir: app", []string{`3: image check: workdir "app" must be an absolute path`}},
		{"no-image needs a reference", "no-image: {ref: busybox}", []string{"1: no-image check: no-image takes an image reference"}},
		{"several problems", "container:\n  image: busybox\n  state: sleeping\n  publish: \"web\"\n  count: many\n  colour: red",
			[]string{`3: container check: state "sleeping" is not one of running, exited`, `4: container check: publish: "web": write a published port as HOST:CONTAINER, such as 8888:5000, or CONTAINER alone`, `5: container check: count must be a whole number, not "many"`, `6: container check: unknown field "colour"`}},
		{"publish host port", `container: {publish: "99999:80"}`, []string{`1: container check: publish: "99999:80": the host port "99999" is not a number`}},
		{"bad mount", "container:\n  mount: data", []string{`2: container check: mount: "data": write a mount as VOLUME:/path`}},
		{"exit code of a running container", "container:\n  state: running\n  exit-code: 0", []string{"3: container check: exit-code needs state: exited"}},
		{"restart policies", "container:\n  name: web\n  restart: unless-stopped", nil},
		{"restart no, which YAML 1.1 would read as false", "container: {name: web, restart: no}", nil},
		{"restart on-failure:N", `container: {name: web, restart: "on-failure:5"}`, nil},
		{"bad restart", "container:\n  name: web\n  restart: sometimes", []string{`3: container check: restart "sometimes" is not one of no, always, unless-stopped, on-failure or on-failure:N`}},
		{"bad retries", "container:\n  name: web\n  restart: \"on-failure:x\"", []string{`3: container check: restart "on-failure:x": the number after on-failure: is how many times Docker retries, a whole number above 0`}},
		{"retries of always", "container:\n  restart: \"always:3\"", []string{`2: container check: restart "always:3": only on-failure takes a number of retries`}},
		{"health", "container: {name: web, health: healthy}", nil},
		{"bad health", "container:\n  name: web\n  health: ok", []string{`3: container check: health "ok" is not one of healthy, unhealthy, starting, none`}},
		{"health of a stopped container", "container:\n  name: web\n  state: exited\n  health: healthy", []string{"4: container check: health needs state: running"}},
		{"wrong type", "container:\n  name: [a, b]", []string{"2: container check: name must be text, not a list"}},
		{"not a mapping", "container: busybox", []string{"1: container check: want fields such as {image: busybox, state: exited}"}},
		{"no-container needs a field", "no-container: {}", []string{"1: no-container check: give image or name"}},
		{"registry-tag on Docker Hub", "registry-tag: docker.io/hanabira/catnip:v1", []string{`1: registry-tag check: ref "docker.io/hanabira/catnip:v1" is on Docker Hub, which answers only with a login token`}},
		{"http url", "http:\n  url: localhost:8888", []string{`2: http check: url "localhost:8888" must be an http:// or https:// address`}},
		{"http status and timeout", "http:\n  url: http://localhost:8888\n  status: 42\n  timeout: soon", []string{"3: http check: status 42 is not an HTTP status", `4: http check: timeout must be a positive duration such as 10s, not "soon"`}},
		{"http without url", "http: {status: 200}", []string{"1: http check: url is missing"}},
		{"file regexp", "file:\n  path: app.py\n  matches: \"(\"\n  want: a bracket", []string{"3: file check: matches is not a valid regular expression"}},
		{"file regexp without words", "file:\n  path: app.py\n  matches: \"^from\"", []string{"2: file check: matches needs want"}},
		{"dockerfile has", "dockerfile:\n  has:\n    - EXPOSE 5000\n    - EXPOZE 5000\n  order: maybe", []string{"4: dockerfile check: has: \"EXPOZE 5000\": EXPOZE is not a Dockerfile instruction", `5: dockerfile check: order must be true or false, not "maybe"`}},
		{"dockerfile from", "dockerfile: {from: \"python 3\"}", []string{`1: dockerfile check: from: "python 3" is not an image reference`}},
		{"network", "network:\n  name: net\n  containers: {a: b}", []string{"3: network check: containers must be text or a list of texts, not a mapping"}},
		{"ran", "ran:\n  exit-code: 0", []string{"2: ran check: image is missing"}},
		{"command", "command:\n  run: true\n  timeout: -1s", []string{"3: command check: timeout must be a positive duration"}},
		{"volume", "volume: {name: data, driver: local}", []string{`1: volume check: unknown field "driver"; the fields are name`}},
		{"unknown kind", "imagen: busybox", []string{`1: unknown check kind "imagen"; the kinds are command, compose, container, dockerfile`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Default().Compile(spec(t, tt.src), nil)
			wantProblems(t, err, tt.want)
		})
	}
}

func TestAnswerValidation(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"image-id", "image-id: busybox", nil},
		{"image-id bad ref", "image-id: \"Busy Box\"", []string{`1: image-id check: image-id: "Busy Box" is not an image reference`}},
		{"host-port", "host-port: {container: static-site, port: 80}", nil},
		{"host-port fields", "host-port:\n  container: web\n  port: http", []string{`3: host-port check: port: "http" is not a port`}},
		{"host-port missing port", "host-port: {container: web}", []string{"1: host-port check: host-port needs container and port"}},
		{"container-count", "container-count:\n  image: busybox\n  state: gone", []string{`3: container-count check: state "gone" is not one of`}},
		{"unknown", "image-size: busybox", []string{`1: unknown answer kind "image-size"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Default().CompileAnswer(spec(t, tt.src), nil)
			wantProblems(t, err, tt.want)
		})
	}
}

// Variables are filled in before a kind sees its fields, so a value from a
// variable is validated like a written one.
func TestValidationWithVars(t *testing.T) {
	s := spec(t, "container:\n  image: \"{{image}}\"\n  publish: \"{{port}}:5000\"")
	if _, err := Default().Compile(s, map[string]string{"image": "hanabira/catnip", "port": "8888"}); err != nil {
		t.Errorf("got %v, want no error", err)
	}
	_, err := Default().Compile(s, map[string]string{"image": "Hanabira Catnip", "port": "88888"})
	got := problemLines(err)
	if len(got) != 2 || !strings.HasPrefix(got[0], "2: ") || !strings.HasPrefix(got[1], "3: ") {
		t.Errorf("got %q, want problems at lines 2 and 3", got)
	}
}

// wantProblems compares the "line: message" problems in err with want,
// each of which must start the problem at its place.
func wantProblems(t *testing.T, err error, want []string) {
	t.Helper()
	got := problemLines(err)
	if len(got) != len(want) {
		t.Fatalf("got %d problems %q, want %d %q", len(got), got, len(want), want)
	}
	for i := range got {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d: got %q, want it to start %q", i, got[i], want[i])
		}
	}
}
