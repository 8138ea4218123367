package demo

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// On a projector of 80 columns, or narrower, the keys' line keeps every
// key: a presenter who cannot see "q quit" or "y remove" does not know it.
func TestKeyLineKeepsEveryKeyOnANarrowScreen(t *testing.T) {
	lines := map[string][]string{
		keysType:                         {"Enter", "→", "←", "r ", "p ", "q quit"},
		keysRun:                          {"Enter", "←", "r ", "p ", "q quit"},
		"Enter next step" + keysStepDone: {"Enter", "←", "r ", "p ", "q quit"},
		keysRemove:                       {"y remove", "any other key"},
	}
	for _, cols := range []int{100, 80, 60} {
		for text, keys := range lines {
			var out bytes.Buffer
			s := &screen{w: &out, cols: cols, rows: 24}
			s.keyLine(text)
			shown := out.String()
			for _, k := range keys {
				if !strings.Contains(shown, k) {
					t.Errorf("at %d columns the keys' line of %q is %q: it lacks %q", cols, text, shown, k)
				}
			}
			if plain := stripEscapes(shown); utf8.RuneCountInString(plain) > cols {
				t.Errorf("at %d columns the keys' line %q is %d columns wide", cols, plain, utf8.RuneCountInString(plain))
			}
			if cols == 100 && !strings.Contains(shown, text) {
				t.Errorf("at 100 columns the keys' line is %q, want all of %q", shown, text)
			}
		}
	}
}

// stripEscapes drops the escape sequences the screen writes.
func stripEscapes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[':
			i += 2
			for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
				i++
			}
		case s[i] == 0x1b:
			i++
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
