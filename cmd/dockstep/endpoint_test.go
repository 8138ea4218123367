package main

import (
	"strings"
	"testing"
)

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
			name: "check with DOCKER_HOST where nothing listens",
			args: []string{"check", "web"},
			env:  map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:19999"},
			want: []string{"tcp://127.0.0.1:19999 (from DOCKER_HOST)", "not running"},
		},
		{
			name: "test with DOCKER_HOST where nothing listens",
			args: []string{"test", "web"},
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
			code, out, errOut := runEnv(t, tt.env, append(tt.args, "--lessons", doctorLessons)...)
			if code != 3 {
				t.Fatalf("got exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			all := out + errOut
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output does not mention %q:\n%s", w, all)
				}
			}
		})
	}
}
