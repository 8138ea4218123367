package checks

import (
	"errors"
	"testing"
)

func TestJudge(t *testing.T) {
	engineDown := &EngineError{Err: errors.New("connection refused")}
	tests := []struct {
		name    string
		results []Result
		want    Outcome
		reason  string
	}{
		{"no checks", nil, Passed, ""},
		{"all pass", []Result{{Passed: true}, {Passed: true}}, Passed, ""},
		{"two fail", []Result{{Passed: false, Message: "no container web"}, {Passed: true}, {Passed: false, Message: "no image app"}}, Failing, "no container web\nno image app"},
		{"the engine is down", []Result{{Passed: false, Message: "no file"}, {Err: engineDown, Message: "cannot ask the engine"}}, Unknown, "cannot ask the engine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Judge(tt.results)
			if v.Outcome != tt.want || v.Reason != tt.reason {
				t.Errorf("got %v %q, want %v %q", v.Outcome, v.Reason, tt.want, tt.reason)
			}
			if (v.Outcome == Unknown) != (v.EngineErr != nil) {
				t.Errorf("got EngineErr %v with outcome %v", v.EngineErr, v.Outcome)
			}
		})
	}
}
