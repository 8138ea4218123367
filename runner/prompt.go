package runner

import (
	"context"
	"errors"
)

// Prompter asks the learner questions. The runner uses nothing else to read
// from the terminal: internal/prompt.Survey is one implementation, tests
// use a scripted one.
//
// Every method returns when the learner answers, with ErrInterrupted when
// they press Ctrl-C, or with ctx.Err() as soon as ctx is done: the runner
// cancels a waiting menu that way when an event completes the step.
type Prompter interface {
	// Select asks the learner to pick one of options and returns its index.
	Select(ctx context.Context, msg string, options []string, def int) (int, error)
	// Input asks for a line of text. validate, when not nil, rejects a value
	// by returning the reason, and the learner is asked again.
	Input(ctx context.Context, msg, def string, validate func(string) error) (string, error)
	// Confirm asks a yes-or-no question.
	Confirm(ctx context.Context, msg string, def bool) (bool, error)
}

// ErrInterrupted is returned when the learner pressed Ctrl-C. The runner has
// saved their progress by then; dockstep exits with status 130.
var ErrInterrupted = errors.New("interrupted")
