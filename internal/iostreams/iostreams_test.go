package iostreams

import (
	"bytes"
	"testing"
)

func TestColor(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name string
		s    Streams
		want bool
	}{
		{"terminal", Streams{OutTTY: true, Getenv: env(map[string]string{"TERM": "xterm"})}, true},
		{"not a terminal", Streams{Getenv: env(map[string]string{"TERM": "xterm"})}, false},
		{"NO_COLOR", Streams{OutTTY: true, Getenv: env(map[string]string{"TERM": "xterm", "NO_COLOR": "1"})}, false},
		{"dumb terminal", Streams{OutTTY: true, Getenv: env(map[string]string{"TERM": "dumb"})}, false},
	}
	for _, tt := range tests {
		if got := tt.s.Color(); got != tt.want {
			t.Errorf("%s: Color() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTerminalNeedsFiles(t *testing.T) {
	s := Streams{In: &bytes.Buffer{}, Out: &bytes.Buffer{}, InTTY: true, OutTTY: true}
	if _, _, ok := s.Terminal(); ok {
		t.Error("buffers taken for a terminal")
	}
}

func TestWriteJSON(t *testing.T) {
	var out bytes.Buffer
	s := Streams{Out: &out}
	if err := s.WriteJSON(map[string]int{"a": 1}); err != nil || out.String() != "{\n  \"a\": 1\n}\n" {
		t.Errorf("got %q, %v", out.String(), err)
	}
}
