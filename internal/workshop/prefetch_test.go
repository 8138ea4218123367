package workshop

import "testing"

func TestPushTarget(t *testing.T) {
	tests := []struct {
		ref, want string
		hub       bool
		err       bool
	}{
		{ref: "busybox", want: "room:5000/library/busybox:latest", hub: true},
		{ref: "python:3.12-slim", want: "room:5000/library/python:3.12-slim", hub: true},
		{ref: "jupyter/base-notebook:2024", want: "room:5000/jupyter/base-notebook:2024", hub: true},
		{ref: "ghcr.io/acme/app:1", want: "room:5000/acme/app:1"},
		{ref: "busybox@sha256:6dc6241507511a12eed6442764d12a2bbf3a78c1941e1792f053eb300fc29545", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, hub, err := pushTarget("room:5000", tt.ref)
			if (err != nil) != tt.err || got != tt.want || hub != tt.hub {
				t.Errorf("got %q, hub %v, err %v; want %q, hub %v, error %v", got, hub, err, tt.want, tt.hub, tt.err)
			}
		})
	}
}
