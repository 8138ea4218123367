package engine

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/system"

	"github.com/dockstep/dockstep/internal/dockertest"
)

func TestSSHArgs(t *testing.T) {
	tests := []struct {
		host    string
		want    []string
		wantErr string
	}{
		{host: "ssh://box", want: []string{"-o", "ConnectTimeout=30", "-T", "--", "box", "docker", "system", "dial-stdio"}},
		{host: "ssh://me@box:2222", want: []string{"-l", "me", "-p", "2222", "-o", "ConnectTimeout=30", "-T", "--", "box", "docker", "system", "dial-stdio"}},
		{host: "ssh://me:secret@box", wantErr: "password"},
		{host: "ssh://box/var/run/docker.sock", wantErr: "has a path"},
		{host: "ssh://", wantErr: "names no host"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got, err := sshArgs(tt.host)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got %v, %v; want an error about %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestSSHEngine talks to the real engine through a stand-in ssh that runs
// "docker system dial-stdio" here, as ssh would on the remote machine.
func TestSSHEngine(t *testing.T) {
	dockertest.Client(t)
	fake, err := filepath.Abs(filepath.Join("testdata", "fakessh", "ssh"))
	if err != nil {
		t.Fatal(err)
	}
	old := sshCommand
	sshCommand = fake
	t.Cleanup(func() { sshCommand = old })
	logFile := filepath.Join(t.TempDir(), "ssh.log")
	t.Setenv("DOCKSTEP_FAKE_SSH_LOG", logFile)

	c, err := NewClient(Endpoint{Host: "ssh://learner@build-box:2222", Source: "--host"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	v, err := c.ServerVersion(ctx)
	if err != nil {
		t.Fatalf("ServerVersion over ssh: %v", err)
	}
	if v.APIVersion == "" {
		t.Errorf("got an empty API version over ssh")
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("the stand-in ssh was not run: %v", err)
	}
	want := "-l learner -p 2222 -o ConnectTimeout=30 -T -- build-box docker system dial-stdio"
	if first := strings.SplitN(string(b), "\n", 2)[0]; first != want {
		t.Errorf("got ssh arguments %q, want %q", first, want)
	}
}

// TestSSHEngineFails checks that what ssh says on failure reaches the error.
func TestSSHEngineFails(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "ssh")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho 'ssh: Could not resolve hostname build-box' >&2\nexit 255\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := sshCommand
	sshCommand = fake
	t.Cleanup(func() { sshCommand = old })
	c, err := NewClient(Endpoint{Host: "ssh://build-box"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.Ping(ctx)
	if err == nil || !strings.Contains(err.Error(), "Could not resolve hostname build-box") {
		t.Errorf("got %v, want the error ssh printed", err)
	}
}

// TestTLSEndpoint connects to a stand-in engine over TLS with the context's
// CA certificate, and fails without it.
func TestTLSEndpoint(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		w.Write([]byte("OK"))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	host := "tcp://" + srv.Listener.Addr().String()
	tests := []struct {
		name string
		tls  *TLS
		ok   bool
	}{
		{"the context's CA", &TLS{CAFile: ca}, true},
		{"SkipTLSVerify", &TLS{SkipVerify: true}, true},
		{"the system's roots only", &TLS{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(Endpoint{Host: host, TLS: tt.tls})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			p, err := c.Ping(context.Background())
			if tt.ok && (err != nil || p.APIVersion != "1.41") {
				t.Errorf("got %+v, %v; want API 1.41", p, err)
			}
			if !tt.ok && err == nil {
				t.Errorf("got no error, want the certificate refused")
			}
		})
	}
}

func TestFollowPlain(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "pull.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	tr, err := Follow(f, &out, "python:3.12-slim", false)
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "pull.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(golden) {
		t.Errorf("got\n%s\nwant\n%s", out.String(), golden)
	}
	want := Transfer{Layers: 3, Reused: 1, Bytes: 5000000, Status: "Status: Downloaded newer image for python:3.12-slim"}
	if tr != want {
		t.Errorf("got %+v, want %+v", tr, want)
	}
}

func TestFollowTerminal(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "pull.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	if _, err := Follow(f, &out, "python:3.12-slim", true); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.HasPrefix(s, "\r") || !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") != 1 {
		t.Errorf("got %q, want one line redrawn with \\r and ended once", s)
	}
	draws := strings.Split(strings.TrimSuffix(s, "\n"), "\r")
	last := draws[len(draws)-1]
	want := "python:3.12-slim             [==============================]       5MB / 5MB       3/3 layers\x1b[K"
	if last != want {
		t.Errorf("got final bar %q, want %q", last, want)
	}
}

func TestFollowError(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "pull-error.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = Follow(f, &bytes.Buffer{}, "python:3.12-slim", false)
	if err == nil || !strings.Contains(err.Error(), "connection reset by peer") {
		t.Errorf("got %v, want the engine's error", err)
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 999: "999B", 1000: "1kB", 129024: "129kB", 1_980_000: "1.98MB", 84_500_000_000: "84.5GB"} {
		if got := HumanSize(n); got != want {
			t.Errorf("HumanSize(%d): got %q, want %q", n, got, want)
		}
	}
}

// TestFollowContainerdStore reads a pull as the engine with the containerd
// image store reports it (recorded from moby v2.0.0-beta.24 pulling through
// a local mirror): the layer arrives between two progress reports, so no
// size is ever given. It counts as a layer moved without a size, and the
// finished bar says so instead of drawing 0B of 0B.
func TestFollowContainerdStore(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "pull-containerd.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	tr, err := Follow(f, &out, "busybox", true)
	if err != nil {
		t.Fatal(err)
	}
	want := Transfer{Layers: 1, Unsized: 1, Status: "Status: Downloaded newer image for busybox:latest"}
	if tr != want {
		t.Errorf("got %+v, want %+v", tr, want)
	}
	draws := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\r")
	last := draws[len(draws)-1]
	if wantBar := "busybox                      [==============================]        0B + 1 unsized 1/1 layers\x1b[K"; last != wantBar {
		t.Errorf("got final bar %q, want %q", last, wantBar)
	}
}

func TestImageStore(t *testing.T) {
	for _, tt := range []struct {
		info       system.Info
		want       string
		containerd bool
	}{
		{system.Info{Driver: "overlayfs", DriverStatus: [][2]string{{"driver-type", "io.containerd.snapshotter.v1"}}}, "containerd (snapshotter overlayfs)", true},
		{system.Info{Driver: "overlay2", DriverStatus: [][2]string{{"Backing Filesystem", "extfs"}, {"Supports d_type", "true"}}}, "classic (overlay2)", false},
	} {
		got, containerd := ImageStore(tt.info)
		if got != tt.want || containerd != tt.containerd {
			t.Errorf("ImageStore(%v): got %q, %v; want %q, %v", tt.info.DriverStatus, got, containerd, tt.want, tt.containerd)
		}
	}
}
