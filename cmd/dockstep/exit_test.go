package main

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dockstep/dockstep/internal/demo"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/grade"
	"github.com/dockstep/dockstep/internal/prover"
	"github.com/dockstep/dockstep/internal/workshop"
)

// exitFor gives each kind of error its exit status and message, wrapped
// or not.
func TestExitFor(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
		msg  string
	}{
		{exitf(130, "stopped"), 130, "stopped"},
		{fmt.Errorf("wrapped: %w", exitf(1, "")), 1, ""},
		{engine.Unreachable(engine.Endpoint{Host: "tcp://fake:2375", Source: "a test"}, errors.New("refused")), 3, ""},
		{&demo.UsageError{Msg: "--speed \"fast\": give characters a second"}, 2, "--speed \"fast\": give characters a second"},
		{&grade.UsageError{Msg: "lesson l has steps 1 to 2"}, 2, "lesson l has steps 1 to 2"},
		{&demo.NotReadyError{NoEngine: true, Msg: "the Docker engine cannot be used"}, 3, "dockstep demo: the Docker engine cannot be used"},
		{&demo.NotReadyError{Msg: "l is not ready"}, 1, "dockstep demo: l is not ready"},
		{&demo.StoppedError{Msg: "the shell did not start"}, 1, "dockstep demo: the shell did not start"},
		{&demo.ResetError{Err: errors.New("record: bad JSON")}, 1, "dockstep demo --reset: record: bad JSON"},
		{&demo.ResetError{Err: engine.Unreachable(engine.Endpoint{Host: "tcp://fake:2375", Source: "a test"}, errors.New("refused"))}, 3, ""},
		{demo.ErrInterrupted, 130, "dockstep demo: interrupted"},
		{&grade.TimeoutError{Timeout: time.Second, What: "a web page"}, 1, "dockstep demo: gave up after 1s waiting for a web page; give it longer with --timeout"},
		{&workshop.FetchError{Failed: 1}, 1, "dockstep demo: 1 image could not be fetched; see the messages above"},
		{&prover.FailedError{Summary: prover.Summary{Failed: []string{"web (run 1): step 2"}}}, 1, ""},
		{&prover.FailedError{Summary: prover.Summary{EngineLost: true}}, 3, ""},
		{&prover.FailedError{Interrupted: true}, 130, ""},
		{errors.New("disk full"), 2, "dockstep: disk full"},
	} {
		t.Run(fmt.Sprintf("%T %v", tc.err, tc.err), func(t *testing.T) {
			ee := exitFor("dockstep demo", tc.err)
			if ee.code != tc.code || tc.msg != "" && ee.msg != tc.msg {
				t.Errorf("got %d %q, want %d %q", ee.code, ee.msg, tc.code, tc.msg)
			}
		})
	}
}
