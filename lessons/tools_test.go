package lessons

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestFrontMatterTools(t *testing.T) {
	tests := []struct {
		tools   string
		want    []string
		problem string
	}{
		{"[compose]", []string{"compose"}, ""},
		{"[kubectl]", nil, `"kubectl" is not a tool dockstep knows; tools can be: compose`},
		{"compose", nil, "tools must be a list, such as [compose]"},
	}
	for _, tt := range tests {
		src := "---\nformat: 1\ntitle: T\ntools: " + tt.tools + "\n---\n\n# T\n\n## Step\n\nText.\n"
		l, probs := ParseBytes(fstest.MapFS{}, "01-t.md", "01-t.md", []byte(src), Options{})
		if !slices.Equal(l.Tools, tt.want) {
			t.Errorf("tools: %s: got %v, want %v", tt.tools, l.Tools, tt.want)
		}
		got := ""
		for _, p := range probs {
			got += p.Error() + "\n"
		}
		if tt.problem == "" && got != "" || !strings.Contains(got, tt.problem) {
			t.Errorf("tools: %s: got problems %q, want %q", tt.tools, got, tt.problem)
		}
		if tt.problem != "" && !strings.Contains(got, "01-t.md:4:") {
			t.Errorf("tools: %s: problem %q is not at line 4", tt.tools, got)
		}
	}
}
