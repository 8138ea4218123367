package checks

import (
	"strings"
	"testing"
)

// The log lines a diagnosis quotes are the last ones, indented, and each
// short enough to read: a registry's 400-character request lines are cut.
func TestIndentTail(t *testing.T) {
	long := `time="2026-12-05T15:23:20.68433261Z" level=info msg="response completed" go.version=go1.19.8 http.request.host="localhost:5000" ` + strings.Repeat("x", 300)
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"last lines, blank ones dropped", "one\n\ntwo\r\nthree  \n", 2, "    two\n    three"},
		{"fewer than n", "only\n", 5, "    only"},
		{"empty", "\n \n", 5, ""},
		{"a long line is cut", long + "\nshort", 5, "    " + long[:maxLogLine-2] + " …\n    short"},
		{"a line of exactly the limit is kept", strings.Repeat("é", maxLogLine), 1, "    " + strings.Repeat("é", maxLogLine)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := indentTail(tt.in, tt.n); got != tt.want {
				t.Errorf("indentTail(%q, %d) =\n%q\nwant\n%q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}
