package workshop

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

func TestDoctorTools(t *testing.T) {
	ls := []*lessons.Lesson{
		{ID: "volumes"},
		{ID: "compose", Tools: []string{"compose"}},
		{ID: "more-compose", Tools: []string{"compose"}},
	}
	nd := CollectNeeds(checks.Default(), ls, nil)
	if len(nd.Tools) != 1 || nd.Tools[0].Name != "compose" || strings.Join(nd.Tools[0].Lessons, " ") != "compose more-compose" {
		t.Fatalf("got tools %+v, want compose for lessons compose and more-compose", nd.Tools)
	}
	tests := []struct {
		name   string
		out    string
		err    error
		status Status
		detail string
	}{
		{"installed", "Docker Compose version v5.6.0\n", nil, StatusOK, "Docker Compose version v5.6.0"},
		{"missing", "docker: 'compose' is not a docker command.\nSee 'docker --help'\n", errors.New("exit status 1"), StatusFail, "docker compose version failed: docker: 'compose' is not a docker command."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ran []string
			dr := &Doctor{RunTool: func(_ context.Context, args ...string) ([]byte, error) {
				ran = args
				return []byte(tt.out), tt.err
			}}
			rep := &Report{}
			dr.tools(context.Background(), rep, nd.Tools)
			if strings.Join(ran, " ") != "docker compose version" {
				t.Errorf("ran %q, want docker compose version", ran)
			}
			if len(rep.Checks) != 1 {
				t.Fatalf("got %d lines, want 1: %+v", len(rep.Checks), rep.Checks)
			}
			it := rep.Checks[0]
			if it.Status != tt.status || it.Detail != tt.detail || strings.Join(it.Lessons, " ") != "compose more-compose" {
				t.Errorf("got %+v, want status %s, detail %q, lessons compose more-compose", it, tt.status, tt.detail)
			}
			if tt.status == StatusFail && !strings.Contains(it.Fix, "docker-compose-plugin") {
				t.Errorf("fix %q does not say how to install it", it.Fix)
			}
		})
	}
}
