package classroom

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckFlags(t *testing.T) {
	for _, c := range []struct {
		url, urlFlag, name string
		needName           bool
		want               string // "" when it is fine
	}{
		{"http://h:7878/join/abc", "--room", "Ivy", true, ""},
		{"http://h:7878/join/abc", "", "", false, ""},
		{"http://h:7878/join/abc", "--room", "", true, "--room needs --name"},
		{"h:7878", "--room", "x", true, "--room: \"h:7878\" is not a room's join address"},
		{"h:7878", "", "", false, "\"h:7878\" is not a room's join address"},
		{"http://h:7878/join/abc", "--room", "a\tb", true, "--name: "},
		{"", "--room", "", true, ""},
	} {
		err := CheckFlags(c.url, c.urlFlag, c.name, c.needName)
		var usage *UsageError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("CheckFlags(%q, %q, %q): %v, want nil", c.url, c.urlFlag, c.name, err)
		case c.want != "" && (!errors.As(err, &usage) || !strings.HasPrefix(err.Error(), c.want)):
			t.Errorf("CheckFlags(%q, %q, %q): %v, want a usage error starting %q", c.url, c.urlFlag, c.name, err, c.want)
		}
	}
}
