package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api"
	"github.com/docker/docker/api/types/versions"

	"github.com/dockstep/dockstep/internal/dockertest"
)

// mapEnv is an environment holding only m.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func contextsDir(t *testing.T, name string) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("testdata", "contexts", name))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestResolveEndpoint(t *testing.T) {
	colima := contextsDir(t, "colima")
	remoteTLS := filepath.Join(colima, "contexts", "tls", "b71199ebd070b36beab7317920c2c2f1d777df8d05e5527d8458fda57cb17a7a", "docker")
	tests := []struct {
		name       string
		host       string // --host
		env        map[string]string
		wantHost   string
		wantSource string
		wantTLS    *TLS
	}{
		{
			name:       "current context of config.json",
			env:        map[string]string{"DOCKER_CONFIG": colima},
			wantHost:   "unix:///nonexistent/dockstep-test/colima/docker.sock",
			wantSource: "context colima (currentContext in " + filepath.Join(colima, "config.json") + ")",
		},
		{
			name:       "DOCKER_CONTEXT overrides the current context, with its TLS material",
			env:        map[string]string{"DOCKER_CONFIG": colima, "DOCKER_CONTEXT": "remote"},
			wantHost:   "tcp://192.0.2.10:2376",
			wantSource: "context remote (DOCKER_CONTEXT)",
			wantTLS: &TLS{
				CAFile:     filepath.Join(remoteTLS, "ca.pem"),
				CertFile:   filepath.Join(remoteTLS, "cert.pem"),
				KeyFile:    filepath.Join(remoteTLS, "key.pem"),
				SkipVerify: true,
			},
		},
		{
			name:       "DOCKER_CONTEXT=default is the default socket",
			env:        map[string]string{"DOCKER_CONFIG": colima, "DOCKER_CONTEXT": "default"},
			wantHost:   "unix:///var/run/docker.sock",
			wantSource: "context default (DOCKER_CONTEXT)",
		},
		{
			name:       "current context default is the default socket",
			env:        map[string]string{"DOCKER_CONFIG": contextsDir(t, "default")},
			wantHost:   "unix:///var/run/docker.sock",
			wantSource: "context default (currentContext in " + filepath.Join(contextsDir(t, "default"), "config.json") + ")",
		},
		{
			name:       "DOCKER_HOST beats DOCKER_CONTEXT and the current context",
			env:        map[string]string{"DOCKER_CONFIG": colima, "DOCKER_CONTEXT": "remote", "DOCKER_HOST": "tcp://127.0.0.1:19500"},
			wantHost:   "tcp://127.0.0.1:19500",
			wantSource: "DOCKER_HOST",
		},
		{
			name:       "--host beats DOCKER_HOST",
			host:       "unix:///tmp/elsewhere.sock",
			env:        map[string]string{"DOCKER_CONFIG": colima, "DOCKER_HOST": "tcp://127.0.0.1:19500"},
			wantHost:   "unix:///tmp/elsewhere.sock",
			wantSource: "--host",
		},
		{
			name:       "a bare host:port is tcp, as for the docker CLI",
			env:        map[string]string{"DOCKER_HOST": "127.0.0.1:19500"},
			wantHost:   "tcp://127.0.0.1:19500",
			wantSource: "DOCKER_HOST",
		},
		{
			name:       "DOCKER_TLS_VERIFY takes certificates from DOCKER_CERT_PATH",
			env:        map[string]string{"DOCKER_HOST": "tcp://192.0.2.10:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": remoteTLS},
			wantHost:   "tcp://192.0.2.10:2376",
			wantSource: "DOCKER_HOST",
			wantTLS: &TLS{
				CAFile:   filepath.Join(remoteTLS, "ca.pem"),
				CertFile: filepath.Join(remoteTLS, "cert.pem"),
				KeyFile:  filepath.Join(remoteTLS, "key.pem"),
			},
		},
		{
			name:       "no config.json: the default socket",
			env:        map[string]string{"DOCKER_CONFIG": contextsDir(t, "none")},
			wantHost:   "unix:///var/run/docker.sock",
			wantSource: "the default socket",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, err := Resolve(Options{Host: tt.host, Getenv: mapEnv(tt.env)})
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if ep.Host != tt.wantHost {
				t.Errorf("got host %q, want %q", ep.Host, tt.wantHost)
			}
			if ep.Source != tt.wantSource {
				t.Errorf("got source %q, want %q", ep.Source, tt.wantSource)
			}
			switch {
			case tt.wantTLS == nil && ep.TLS != nil:
				t.Errorf("got TLS %+v, want none", *ep.TLS)
			case tt.wantTLS != nil && ep.TLS == nil:
				t.Errorf("got no TLS, want %+v", *tt.wantTLS)
			case tt.wantTLS != nil && *ep.TLS != *tt.wantTLS:
				t.Errorf("got TLS %+v, want %+v", *ep.TLS, *tt.wantTLS)
			}
			// The TLS material of the fixtures must load.
			if _, err := NewClient(ep); err != nil {
				t.Errorf("NewClient: %v", err)
			}
		})
	}
}

func TestResolveEndpointErrors(t *testing.T) {
	ghost := contextsDir(t, "ghost")
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{
			name: "currentContext names a context that does not exist",
			env:  map[string]string{"DOCKER_CONFIG": ghost},
			want: []string{`docker context "ghost"`, "currentContext in " + filepath.Join(ghost, "config.json"), "does not exist", "docker context use default"},
		},
		{
			name: "DOCKER_CONTEXT names a context that does not exist",
			env:  map[string]string{"DOCKER_CONFIG": contextsDir(t, "colima"), "DOCKER_CONTEXT": "nope"},
			want: []string{`docker context "nope"`, "DOCKER_CONTEXT", "unset it"},
		},
		{
			name: "DOCKER_HOST with an unknown scheme",
			env:  map[string]string{"DOCKER_HOST": "fd://3"},
			want: []string{"DOCKER_HOST", "fd://", "unix://"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(Options{Getenv: mapEnv(tt.env)})
			if err == nil {
				t.Fatal("got no error, want one")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestDockerClientNegotiates checks that DOCKER_API_VERSION does not pin the
// client's API version: a version newer than the engine's would make every
// call fail.
func TestDockerClientNegotiates(t *testing.T) {
	dockertest.Client(t) // skip without an engine
	t.Setenv("DOCKER_API_VERSION", "1.99")
	c, ep, err := Dial(Options{Getenv: mapEnv(map[string]string{"DOCKER_API_VERSION": "1.99", "DOCKER_CONFIG": contextsDir(t, "none")})})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ep.Source != "the default socket" {
		t.Errorf("got source %q, want the default socket", ep.Source)
	}
	v, err := c.ServerVersion(context.Background())
	if err != nil {
		t.Fatalf("ServerVersion with DOCKER_API_VERSION=1.99: %v", err)
	}
	want := v.APIVersion
	if versions.LessThan(api.DefaultVersion, want) {
		want = api.DefaultVersion
	}
	if got := c.ClientVersion(); got != want {
		t.Errorf("got client API version %s against an engine of API %s, want the negotiated %s", got, v.APIVersion, want)
	}
}
