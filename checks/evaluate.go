package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/dockstep/dockstep/lessons"
)

// EvaluateAll compiles a step's checks with vars filled in and evaluates
// them against env, all at the same time. It returns one Result per spec, in
// the order of specs. A check that does not compile gives a Result whose Err
// says why (lint reports the same error, so this only happens with lessons
// that were not linted, or with variable values that make a field invalid).
func EvaluateAll(ctx context.Context, reg *Registry, specs []lessons.CheckSpec, vars map[string]string, env *Env) []Result {
	out := make([]Result, len(specs))
	env = env.forEvaluation()
	var wg sync.WaitGroup
	for i, spec := range specs {
		c, err := reg.Compile(spec, vars)
		if err != nil {
			out[i] = Result{Kind: spec.Kind, Message: err.Error(), Err: fmt.Errorf("%s: %w", spec.Pos.Where(), err)}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.Evaluate(ctx, env)
			if r.Kind == "" {
				r.Kind = spec.Kind
			}
			out[i] = r
		}()
	}
	wg.Wait()
	return out
}

// EngineError is the Result.Err of a check that could not ask the Docker
// engine: the engine is not running, its socket cannot be opened, or it
// failed to answer. Callers tell it apart from a failed check with
// errors.As, such as to exit with a distinct status.
type EngineError struct {
	Err error
}

func (e *EngineError) Error() string { return "cannot ask the Docker engine: " + EngineTrouble(e.Err) }

// EngineTrouble says in words why a question to the Docker engine went
// unanswered, for a learner: never a bare Go error such as "context
// deadline exceeded". An error the engine itself answered with is its own
// words and is kept.
func EngineTrouble(err error) string {
	var errno syscall.Errno
	switch {
	case err == nil:
		return "no answer"
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return "it did not answer in time (it may be busy, or stopping)"
	case errors.Is(err, context.Canceled):
		return "the question was called off"
	case errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT):
		return "it is not running (nothing answers at its socket)"
	case errors.Is(err, syscall.EACCES) || errors.Is(err, os.ErrPermission):
		return "you may not use its socket (are you in the docker group?)"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return "the connection to it broke (it may have stopped or restarted)"
	case errors.As(err, &errno):
		return "the connection to it failed (" + errno.Error() + ")"
	}
	// The client does not always keep the cause's type; its text tells.
	switch msg := err.Error(); {
	case strings.Contains(msg, "deadline exceeded") || strings.Contains(msg, "Client.Timeout"):
		return "it did not answer in time (it may be busy, or stopping)"
	case strings.Contains(msg, "connection refused") || strings.Contains(msg, "Cannot connect to the Docker daemon"):
		return "it is not running (nothing answers at its socket)"
	case strings.Contains(msg, "EOF") || strings.Contains(msg, "connection reset"):
		return "the connection to it broke (it may have stopped or restarted)"
	}
	return err.Error()
}
func (e *EngineError) Unwrap() error { return e.Err }

// IsEngineError reports whether err, or an error it wraps, is an EngineError.
func IsEngineError(err error) bool {
	var ee *EngineError
	return errors.As(err, &ee)
}

// isNotFound reports whether the engine answered that the object does not
// exist, which is a finding, not a failure to ask.
func isNotFound(err error) bool { return cerrdefs.IsNotFound(err) }

// engineFailure is the Result of a check whose question to the engine went
// unanswered.
func engineFailure(kind string, err error) Result {
	ee := &EngineError{Err: err}
	return Result{Kind: kind, Message: ee.Error(), Err: ee}
}
