package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dockstep/dockstep/lessons"
)

// CompileQuiz gives a step's quiz as one Answer, whichever way the lesson
// writes it: answer: 2, taken in any case and with spaces around it, or an
// answer read from the engine, such as answer: {host-port: …}. The runner
// asks it whether the learner is right, the prover whether it accepts its
// own answers, the demo what to show; errors name the lesson's line.
func (r *Registry) CompileQuiz(q *lessons.Quiz, vars map[string]string) (Answer, error) {
	if q.AnswerFrom == nil {
		return literalAnswer(strings.TrimSpace(lessons.Expand(q.Answer, vars))), nil
	}
	a, err := r.CompileAnswer(*q.AnswerFrom, vars)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q.AnswerFrom.Pos.Where(), err)
	}
	return a, nil
}

// literalAnswer is the answer a lesson writes out.
type literalAnswer string

func (a literalAnswer) Accepts(ctx context.Context, env *Env, given string) (bool, error) {
	return strings.EqualFold(strings.TrimSpace(given), string(a)), nil
}

func (a literalAnswer) Answers(ctx context.Context, env *Env) ([]string, error) {
	return []string{string(a)}, nil
}

// QuizState is how a step's quiz stands when the step is judged.
type QuizState int

const (
	// QuizUnasked: no learner answers here (dockstep check, dockstep
	// test). What a quiz read from the engine asks about (a container's
	// port, an image's ID) is the engine's state too, so the quiz holds
	// when its right answer can be read; a written answer always holds.
	QuizUnasked QuizState = iota
	// QuizOpen: a learner has not answered it right yet.
	QuizOpen
	// QuizRight: a learner answered it right.
	QuizRight
)

// WithQuiz folds the step's quiz into the verdict of its checks: a step is
// done when its checks pass and its quiz, if it has one, is answered right
// (or, unasked, its answer can be read). Checks that fail or cannot ask the
// engine decide alone; the quiz is not read then.
func (v Verdict) WithQuiz(ctx context.Context, reg *Registry, s *lessons.Step, vars map[string]string, env *Env, quiz QuizState) Verdict {
	if s.Quiz == nil || v.Outcome != Passed {
		return v
	}
	switch quiz {
	case QuizRight:
		return v
	case QuizOpen:
		v.Outcome, v.Reason = Failing, "the quiz is not answered yet"
		return v
	}
	a, err := reg.CompileQuiz(s.Quiz, vars)
	var answers []string
	if err == nil {
		answers, err = a.Answers(ctx, env)
	}
	if err == nil && len(answers) == 0 {
		err = errors.New("it gives no answer at all")
	}
	switch {
	case err != nil && IsEngineError(err):
		v.Outcome, v.Reason, v.EngineErr = Unknown, err.Error(), err
	case err != nil:
		v.Outcome, v.Reason, v.QuizErr = Failing, "the quiz's answer cannot be read: "+err.Error(), err
	default:
		v.QuizAnswers = answers
	}
	return v
}
