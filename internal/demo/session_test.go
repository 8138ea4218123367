package demo

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/lessons"
)

// Present checks its flags before it makes the engine's client: a wrong
// one is a *UsageError, and the engine is never asked for.
func TestPresentChecksFlagsFirst(t *testing.T) {
	l := &lessons.Lesson{ID: "l", Steps: []*lessons.Step{{Index: 1, Title: "Pull"}}}
	for _, tc := range []struct {
		name    string
		s       Session
		errWith string
	}{
		{"speed", Session{Speed: "fast", Auto: true}, `--speed "fast"`},
		{"from", Session{Speed: "instant", From: "9", Auto: true}, "--from 9"},
		{"keys without a terminal", Session{Speed: "instant"}, "needs a terminal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			s.Lesson, s.In, s.Out, s.ErrOut = l, strings.NewReader(""), io.Discard, io.Discard
			s.Connect = func(context.Context) (Engine, engine.Endpoint, error) {
				t.Error("the engine was asked for")
				return nil, engine.Endpoint{}, errors.New("no engine")
			}
			err := Present(context.Background(), s)
			var usage *UsageError
			if !errors.As(err, &usage) || !strings.Contains(err.Error(), tc.errWith) {
				t.Errorf("got %v, want a *UsageError with %q", err, tc.errWith)
			}
		})
	}
}

// The engine factory's error is Present's own, untouched, for the command
// to give its exit status.
func TestPresentReturnsConnectsError(t *testing.T) {
	l := &lessons.Lesson{ID: "l", Steps: []*lessons.Step{{Index: 1, Title: "Pull"}}}
	want := errors.New("no engine at tcp://fake:2375")
	err := Present(context.Background(), Session{Lesson: l, Speed: "instant", Auto: true, In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard,
		Connect: func(context.Context) (Engine, engine.Endpoint, error) { return nil, engine.Endpoint{}, want }})
	if err != want {
		t.Errorf("got %v, want %v", err, want)
	}
}

// TestExitStatus: how dockstep demo ends on each of demo's errors.
func TestExitStatus(t *testing.T) {
	unreachable := engine.Unreachable(engine.Endpoint{Host: "tcp://fake:2375", Source: "a test"}, errors.New("refused"))
	for _, c := range []struct {
		err interface {
			ExitStatus(string) (int, string)
		}
		code int
		msg  string
	}{
		{&UsageError{Msg: "--speed \"fast\": give characters a second"}, 2, "--speed \"fast\": give characters a second"},
		{&NotReadyError{NoEngine: true, Msg: "the Docker engine cannot be used"}, 3, "dockstep demo: the Docker engine cannot be used"},
		{&NotReadyError{Msg: "l is not ready"}, 1, "dockstep demo: l is not ready"},
		{&StoppedError{Msg: "the shell did not start"}, 1, "dockstep demo: the shell did not start"},
		{&ResetError{Err: errors.New("record: bad JSON")}, 1, "dockstep demo --reset: record: bad JSON"},
		{&ResetError{Err: unreachable}, 3, unreachable.Error()},
		{ErrInterrupted.(interface {
			ExitStatus(string) (int, string)
		}), 130, "dockstep demo: interrupted"},
	} {
		if code, msg := c.err.ExitStatus("dockstep demo"); code != c.code || msg != c.msg {
			t.Errorf("%T: got %d %q, want %d %q", c.err, code, msg, c.code, c.msg)
		}
	}
}
