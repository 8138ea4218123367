package runner

import (
	"context"
	"fmt"
	"strings"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

// quizState is how the step's quiz stands.
type quizState struct {
	// feedback says how the last answer fared.
	feedback string
	// right is set once the quiz is answered right; a step with checks too
	// is done when they pass as well.
	right bool
}

// takeAHint ends the remark on a wrong answer while the step has hints
// left.
const takeAHint = ", or take a hint."

// quizToMenu is the entry of a choice quiz, and quizInputNote the note of
// a typed one, by which the learner goes to the menu without answering.
const (
	quizToMenu    = "(not now: back to the menu for hints, skip or the lessons)"
	quizInputNote = "Type your answer, or press Enter alone for the menu (hints, skip, back)."
)

// answer checks the learner's answer to the quiz. No answer (Enter alone,
// or the quiz's menu entry) opens the menu instead, and is not a wrong one.
func (s *stepRun) answer(ctx context.Context, ev event) {
	q := s.step.Quiz
	given := strings.TrimSpace(ev.text)
	if given == "" {
		s.dirty = true
		return
	}
	right, err := s.accepts(ctx, q, given)
	switch {
	case err != nil:
		s.quiz.feedback = fmt.Sprintf("dockstep could not check your answer: %v", err)
	case right:
		s.report(QuizRight, s.step, nil)
		s.quiz.feedback = "Right!"
		if q.Explain != "" {
			s.quiz.feedback += " " + lessons.Expand(q.Explain, s.vars)
		}
		s.quiz.right = true
		if len(s.step.Checks) == 0 {
			s.outcome = stepPassed
			break
		}
		// The step's checks must hold too; from now on it is watched like
		// any other step.
		s.watch.quiet = false
		s.check(ctx)
	default:
		s.report(QuizWrong, s.step, nil)
		s.quiz.feedback = fmt.Sprintf("%q is not the answer", given)
		if why := s.whyWrong(ctx, q, given); why != "" {
			s.quiz.feedback += ": " + why
		}
		s.quiz.feedback += ". Try again"
		if s.shown.hints < len(s.step.Hints) {
			s.quiz.feedback += takeAHint
		} else {
			s.quiz.feedback += "."
		}
	}
	s.dirty = true
}

func (s *stepRun) accepts(ctx context.Context, q *lessons.Quiz, given string) (bool, error) {
	a, err := s.r.Registry.CompileQuiz(q, s.vars)
	if err != nil {
		return false, err
	}
	return a.Accepts(ctx, s.env, given)
}

// whyWrong says why a wrong answer is wrong, when the quiz's answer can
// tell; else "".
func (s *stepRun) whyWrong(ctx context.Context, q *lessons.Quiz, given string) string {
	a, err := s.r.Registry.CompileQuiz(q, s.vars)
	if err != nil {
		return ""
	}
	if w, ok := a.(checks.WrongExplainer); ok {
		return w.WhyWrong(ctx, s.env, given)
	}
	return ""
}

// rightAnswer says what the quiz's answer is, for "Show the answer".
func (s *stepRun) rightAnswer(ctx context.Context) string {
	a, err := s.r.Registry.CompileQuiz(s.step.Quiz, s.vars)
	if err != nil {
		return fmt.Sprintf("(cannot tell: %v)", err)
	}
	answers, err := a.Answers(ctx, s.env)
	if err != nil {
		return fmt.Sprintf("(cannot tell: %v)", err)
	}
	return strings.Join(answers, " or ")
}
