package workshop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/lessons"
)

// TestDiagnose: the checklist is written, as text or JSON, and a failed
// line is an *UnfitError whose status says whether the engine can be used.
func TestDiagnose(t *testing.T) {
	dr := &Doctor{
		Dial:     func() (Engine, engine.Endpoint, error) { return nil, ep, errors.New("connection refused") },
		LookPath: func(string) (string, error) { return "/usr/bin/docker", nil },
	}
	var out bytes.Buffer
	err := dr.Diagnose(context.Background(), checks.Default(), lessons.Selection{}, nil, &out, false, false)
	var unfit *UnfitError
	if !errors.As(err, &unfit) || !unfit.NoEngine || !strings.Contains(out.String(), "FAIL") {
		t.Fatalf("no engine: got %v and\n%s\nwant an *UnfitError without the engine, after the checklist", err, out.String())
	}
	if code, msg := unfit.ExitStatus("dockstep doctor"); code != 3 || !strings.Contains(msg, "cannot be used: fix the lines marked [FAIL]") {
		t.Errorf("no engine: exit %d %q", code, msg)
	}
	out.Reset()
	dr.Diagnose(context.Background(), checks.Default(), lessons.Selection{}, nil, &out, true, false)
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.OK {
		t.Errorf("--json: %v\n%s", err, out.String())
	}
	if code, msg := (&UnfitError{Fails: 2, Mark: "FAIL"}).ExitStatus("dockstep doctor"); code != 1 || msg != "dockstep doctor: 2 problems: fix the lines marked FAIL and run dockstep doctor again" {
		t.Errorf("two problems: exit %d %q", code, msg)
	}
}

func TestCheckPushTo(t *testing.T) {
	var usage *UsageError
	if err := CheckPushTo(""); err != nil {
		t.Errorf("no --push-to: %v", err)
	}
	if err := CheckPushTo("http://room:5000"); !errors.As(err, &usage) || !strings.HasPrefix(err.Error(), `dockstep prefetch: --push-to "http://room:5000": `) {
		t.Errorf("a URL: got %v, want a usage error", err)
	}
}

func TestPrefetchWarnsOfProblems(t *testing.T) {
	var out, errOut bytes.Buffer
	sel := lessons.Selection{Problems: lessons.Problems{{Pos: lessons.Pos{File: "02-x.md", Line: 3}, Msg: "no title"}}}
	if err := Prefetch(context.Background(), checks.Default(), sel, nil, Fetching{List: true, Out: &out}, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "02-x.md:3: no title\nwarning: these lessons have problems") {
		t.Errorf("stderr %q does not warn of the problem", errOut.String())
	}
}
