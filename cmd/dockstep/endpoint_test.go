package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api"
	"github.com/docker/docker/api/types/versions"

	"github.com/dockstep/dockstep/internal/dockertest"
	"github.com/dockstep/dockstep/internal/engine"
)

// fakeEnv makes lookupEnv read from m for the rest of the test.
func fakeEnv(t *testing.T, m map[string]string) {
	t.Helper()
	old := lookupEnv
	lookupEnv = func(k string) string { return m[k] }
	t.Cleanup(func() { lookupEnv = old })
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
		wantTLS    *engine.TLS
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
			wantTLS: &engine.TLS{
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
			wantTLS: &engine.TLS{
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
			fakeEnv(t, tt.env)
			g := &globals{host: tt.host}
			ep, err := g.resolveEndpoint()
			if err != nil {
				t.Fatalf("resolveEndpoint: %v", err)
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
			if _, err := engine.NewClient(ep); err != nil {
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
			fakeEnv(t, tt.env)
			_, err := (&globals{}).resolveEndpoint()
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
	fakeEnv(t, map[string]string{"DOCKER_API_VERSION": "1.99", "DOCKER_CONFIG": contextsDir(t, "none")})
	c, ep, err := (&globals{}).dockerClient(context.Background())
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

// TestUnreachableEngine runs commands against endpoints nobody answers at:
// they fail, naming the endpoint, where it came from, and what to do.
func TestUnreachableEngine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{
			name: "--host socket that does not exist",
			args: []string{"doctor", "--host", "unix:///nonexistent/dockstep-test/docker.sock"},
			env:  map[string]string{"DOCKER_CONFIG": contextsDir(t, "none")},
			want: []string{"unix:///nonexistent/dockstep-test/docker.sock (from --host)", "start Docker"},
		},
		{
			name: "current context whose socket does not exist",
			args: []string{"doctor"},
			env:  map[string]string{"DOCKER_CONFIG": contextsDir(t, "colima")},
			want: []string{"unix:///nonexistent/dockstep-test/colima/docker.sock (from context colima", "colima start", "docker context use default"},
		},
		{
			name: "prefetch with DOCKER_HOST where nothing listens",
			args: []string{"prefetch"},
			env:  map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:19999"},
			want: []string{"tcp://127.0.0.1:19999 (from DOCKER_HOST)", "not running"},
		},
		{
			name: "a missing current context",
			args: []string{"prefetch"},
			env:  map[string]string{"DOCKER_CONFIG": contextsDir(t, "ghost")},
			want: []string{`docker context "ghost"`, "docker context use default"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeEnv(t, tt.env)
			var out, errOut bytes.Buffer
			args := append(tt.args, "--lessons", filepath.Join("testdata", "doctor-lessons"))
			code := run(args, &streams{in: strings.NewReader(""), out: &out, errOut: &errOut})
			if code == 0 {
				t.Fatalf("got exit 0, want a failure\nstdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
			}
			all := out.String() + errOut.String()
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output does not mention %q:\n%s", w, all)
				}
			}
		})
	}
}
