package demo

import (
	"errors"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/internal/workshop"
	"github.com/dockstep/dockstep/lessons"
)

func TestParseSpeed(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{{"instant", 0, true}, {"20", 20, true}, {"2.5", 2.5, true}, {"0", 0, false}, {"-3", 0, false}, {"fast", 0, false}} {
		got, err := ParseSpeed(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseSpeed(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestStepIndex(t *testing.T) {
	l := &lessons.Lesson{ID: "l", Steps: []*lessons.Step{{Index: 1, Title: "Pull"}, {Index: 2, Title: "Run it"}}}
	for _, tc := range []struct {
		from    string
		want    int
		errWith string
	}{{"", 0, ""}, {"2", 1, ""}, {"run IT", 1, ""}, {"3", 0, "steps 1 to 2"}, {"Build", 0, `1 "Pull", 2 "Run it"`}} {
		got, err := StepIndex(l, tc.from)
		if got != tc.want || (tc.errWith == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.errWith) {
			t.Errorf("StepIndex(%q) = %d, %v; want %d, error with %q", tc.from, got, err, tc.want, tc.errWith)
		}
	}
}

func TestOutcomeWords(t *testing.T) {
	l := &lessons.Lesson{ID: "l", Steps: []*lessons.Step{{Index: 1, Checks: []lessons.CheckSpec{{}}}, {Index: 2}, {Index: 3, Checks: []lessons.CheckSpec{{}}}}}
	if got := (Outcome{Held: 2}).Summary(l); got != "l: 2 of 2 steps checked and held" {
		t.Errorf("Summary = %q", got)
	}
	if got := (Outcome{Held: 1, Quit: true}).Summary(l); got != "l: quit; 1 of 2 steps' checks held" {
		t.Errorf("Summary after quit = %q", got)
	}
	s := &lessons.Step{Index: 3, Title: "Run", Pos: lessons.Pos{File: "l.md", Line: 9}}
	if got, want := (Outcome{Failed: s, Why: "a\nb"}).FailedStep(), "step 3 \"Run\" (l.md:9): its checks did not hold:\n  a\n  b"; got != want {
		t.Errorf("FailedStep = %q, want %q", got, want)
	}
}

func TestPreflight(t *testing.T) {
	missing := func(rep *workshop.Report) {
		rep.Add(workshop.Item{Check: "image busybox", Status: workshop.StatusFail, Detail: "not here"})
	}
	for _, tc := range []struct {
		name, answers string
		auto          bool
		fetchFixes    bool
		wantErr       string
		wantFetched   bool
	}{
		{name: "auto stops", auto: true, wantErr: "not ready to present here"},
		{name: "fetched, then ready", answers: "y\n", fetchFixes: true, wantFetched: true},
		{name: "declined twice", answers: "n\nn\n", wantErr: "then run the demo again"},
		{name: "go on anyway", answers: "n\ny\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fetched := false
			var errOut strings.Builder
			p := &Preflight{Lesson: "l", Auto: tc.auto, In: strings.NewReader(tc.answers), ErrOut: &errOut,
				Check: func(rep *workshop.Report) {
					if !(fetched && tc.fetchFixes) {
						missing(rep)
					}
				},
				Fetch: func() error { fetched = true; return nil },
			}
			err := p.Run()
			var nr *NotReadyError
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.wantErr != "" && (!errors.As(err, &nr) || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error %v, want a NotReadyError with %q", err, tc.wantErr)
			}
			if fetched != tc.wantFetched {
				t.Errorf("fetched %v, want %v", fetched, tc.wantFetched)
			}
			if !strings.Contains(errOut.String(), "image busybox") {
				t.Errorf("the checklist was not shown:\n%s", errOut.String())
			}
		})
	}
}
