package checks

import (
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/dockstep/dockstep/lessons"
)

func TestNeeds(t *testing.T) {
	tests := []struct {
		kind, body string
		vars       map[string]string
		want       Needs
	}{
		{"container", `{name: web, publish: ["{{port}}:80", "5353:53/udp", "443"]}`, map[string]string{"port": "8080"},
			Needs{Engine: true, Ports: []PortNeed{{8080, "tcp"}, {5353, "udp"}}}},
		{"http", `http://localhost:8888/`, nil, Needs{Ports: []PortNeed{{8888, "tcp"}}}},
		{"http", `{url: "http://example.com:8888/"}`, nil, Needs{}},
		{"image", `{ref: myapp, base: "python:3"}`, nil, Needs{Engine: true, Images: []ImageNeed{{Ref: "python:3"}}}},
		{"dockerfile", `{path: web/Dockerfile, from: "python:3"}`, nil, Needs{Images: []ImageNeed{{Ref: "python:3"}}, Files: []string{"web/Dockerfile"}}},
		{"file", `notes.txt`, nil, Needs{Files: []string{"notes.txt"}}},
		{"no-container", `{name: web}`, nil, Needs{Engine: true}},
	}
	reg := Default()
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.body, func(t *testing.T) {
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(tt.body), &n); err != nil {
				t.Fatal(err)
			}
			got, err := reg.Needs(lessons.CheckSpec{Kind: tt.kind, Value: n.Content[0]}, tt.vars)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNormalizeImage(t *testing.T) {
	for ref, want := range map[string]string{
		"busybox":                          "busybox:latest",
		"docker.io/library/busybox:latest": "busybox:latest",
		"index.docker.io/ada/catnip":       "ada/catnip:latest",
		"127.0.0.1:5556/x/y:v1":            "127.0.0.1:5556/x/y:v1",
		"<none>:<none>":                    "<none>:<none>",
		"busybox@sha256:6dc6241507511a12eed6442764d12a2bbf3a78c1941e1792f053eb300fc29545": "busybox@sha256:6dc6241507511a12eed6442764d12a2bbf3a78c1941e1792f053eb300fc29545",
	} {
		if got := NormalizeImage(ref); got != want {
			t.Errorf("NormalizeImage(%q) = %q, want %q", ref, got, want)
		}
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
