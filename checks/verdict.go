package checks

import (
	"context"
	"slices"
	"strings"

	"github.com/dockstep/dockstep/lessons"
)

// Outcome is what a step's checks say together.
type Outcome int

const (
	// Passed: every check passed (or the step has none).
	Passed Outcome = iota
	// Failing: a check failed; Verdict.Reason says why.
	Failing
	// Unknown: a check could not ask the engine, so nothing can be said.
	Unknown
)

// Verdict is the one judgement of a step's checks, used by the runner,
// dockstep check and the prover alike.
type Verdict struct {
	Outcome Outcome
	// Reason is, for Failing, the failed checks' messages, one a line; for
	// Unknown, why the engine could not be asked.
	Reason string
	// Results are the checks' results, in the order of the step's checks.
	Results []Result
	// EngineErr is the error of the first check that could not ask the
	// engine; nil unless Unknown.
	EngineErr error
	// QuizAnswers are the quiz's right answers, read by WithQuiz for an
	// unasked quiz; QuizErr says why they could not be read (the step is
	// Failing then).
	QuizAnswers []string
	QuizErr     error
}

// Judge sums up a step's check results.
func Judge(results []Result) Verdict {
	v := Verdict{Outcome: Passed, Results: results}
	var failed []string
	missing := map[string]bool{}
	// The ports that a failed container check was to publish: it says why
	// nothing answers on them, and how to fix it.
	explained := map[int]bool{}
	// The objects that a failed check says are missing or wrong: a check
	// that works through one of them fails because of it.
	faulty := map[string]bool{}
	for _, r := range results {
		if r.Passed || r.Err != nil {
			continue
		}
		if r.Kind == "container" && r.Port != 0 {
			explained[r.Port] = true
		}
		for _, o := range []string{r.Missing, r.Wrong} {
			if o != "" && !slices.Contains(r.Uses, o) {
				faulty[o] = true
			}
		}
	}
	for _, r := range results {
		switch {
		case r.Err != nil && IsEngineError(r.Err):
			if v.EngineErr == nil {
				v.EngineErr, v.Reason = r.Err, r.Message
			}
		case !r.Passed && r.Missing != "" && missing[r.Missing]:
			// An earlier check said already that this object is missing.
		case !r.Passed && r.Kind == "http" && r.Port != 0 && explained[r.Port]:
			// The container check says why nothing answers.
		case !r.Passed && len(r.Uses) > 0 && allFaulty(r.Uses, faulty):
			// Other checks say what is wrong with the objects this one
			// is about.
		case !r.Passed:
			failed = append(failed, r.Message)
			if r.Missing != "" {
				missing[r.Missing] = true
			}
		}
	}
	switch {
	case v.EngineErr != nil:
		v.Outcome = Unknown
	case len(failed) > 0:
		v.Outcome, v.Reason = Failing, strings.Join(failed, "\n")
	}
	return v
}

// allFaulty reports whether each of the objects is faulty.
func allFaulty(objects []string, faulty map[string]bool) bool {
	for _, o := range objects {
		if !faulty[o] {
			return false
		}
	}
	return true
}

// JudgeStep evaluates a step's checks with the variables' values and
// judges the step: its checks, then its quiz as it stands (see WithQuiz).
// It is the one verdict of a step, for the runner, dockstep check and the
// prover alike.
func JudgeStep(ctx context.Context, reg *Registry, s *lessons.Step, vars map[string]string, env *Env, quiz QuizState) Verdict {
	return Judge(EvaluateAll(ctx, reg, s.Checks, vars, env)).WithQuiz(ctx, reg, s, vars, env, quiz)
}
