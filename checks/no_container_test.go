package checks

import "testing"

// A container left behind is removed as the step says (docker rm -f -v
// registry keeps no anonymous volume behind), when the step's command
// removes it by name with -f; otherwise with docker rm -f NAME.
func TestNoContainerRemovalQuotesTheStep(t *testing.T) {
	tests := []struct {
		name     string
		commands []string
		left     []string
		want     string
	}{
		{"the step's -f -v", []string{"docker rm -f -v registry\ndocker rmi localhost:5000/hello-share:v1"}, []string{"registry"}, "docker rm -f -v registry"},
		{"docker container rm", []string{"docker container rm --force web"}, []string{"web"}, "docker container rm --force web"},
		{"no command", nil, []string{"web"}, "docker rm -f web"},
		{"a command without -f would fail on a running one", []string{"docker rm greeter"}, []string{"greeter"}, "docker rm -f greeter"},
		{"another container's command", []string{"docker rm -f -v registry2"}, []string{"registry"}, "docker rm -f registry"},
		{"docker rmi is not docker rm", []string{"docker rmi -f registry"}, []string{"registry"}, "docker rm -f registry"},
		{"several left", []string{"docker rm -f -v a"}, []string{"a", "b"}, "docker rm -f a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &noContainerCheck{name: "x"}
			c.advise(tt.commands)
			if got := c.removal(tt.left); got != tt.want {
				t.Errorf("removal(%v) = %q, want %q", tt.left, got, tt.want)
			}
		})
	}
}
