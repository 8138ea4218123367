package runner

// The prompt the loop keeps open while the step is pending, in a goroutine
// of its own that answers with an evChoice: the menu, the quiz's question,
// or "Go ahead?" before run it for me; and what each menu entry does.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dockstep/dockstep/lessons"
)

// choice is an entry of the step menu.
type choice int

const (
	choiceCheck    choice = iota // check now
	choiceContinue               // a step with nothing to check: go on
	choiceAnswer                 // answer the quiz (again)
	choiceHint                   // reveal the next hint
	choiceSolution               // show the solution
	choiceRun                    // run the solution for the learner
	choiceSkip
	choiceLessons
	choiceQuit
)

// promptKind is what the next prompt asks.
type promptKind int

const (
	promptMenu promptKind = iota
	promptQuiz
	promptConfirm // go ahead with "run it for me"?
)

// promptState is the prompt open in its own goroutine, if any, and the
// next one to open.
type promptState struct {
	open bool
	// seq is the open prompt's number: an answer with another is stale.
	seq    int
	cancel context.CancelFunc
	// next is what the next prompt asks; last, what the last one asked.
	next, last promptKind
	// menu are the entries of the menu last opened.
	menu []choice
}

// openPrompt opens the menu or the quiz in a goroutine of its own; its
// answer comes back as an evChoice.
func (s *stepRun) openPrompt(ctx context.Context) {
	s.seq++
	s.prompt.seq = s.seq
	pctx, cancel := context.WithCancel(ctx)
	s.prompt.cancel = cancel
	s.prompt.open = true
	kind := s.prompt.next
	s.prompt.next = promptMenu
	s.prompt.last = kind
	ev := event{kind: evChoice, seq: s.seq}
	p := s.r.Prompt
	if kind == promptConfirm {
		go func() {
			var yes bool
			yes, ev.err = p.Confirm(pctx, "Go ahead?", true)
			if yes {
				ev.index = 1
			}
			s.ch <- ev
		}()
		return
	}
	if kind == promptQuiz {
		q := s.step.Quiz
		question := s.promptText(lessons.Expand(q.Question, s.vars))
		go func() {
			if len(q.Choices) > 0 {
				// The last entry leaves the quiz for the menu (hints, skip,
				// back) without answering.
				opts := make([]string, len(q.Choices), len(q.Choices)+1)
				for i, c := range q.Choices {
					opts[i] = lessons.Expand(c, s.vars)
				}
				opts = append(opts, quizToMenu)
				ev.index, ev.err = p.Select(pctx, question, opts, -1)
				if ev.err == nil && ev.index < len(q.Choices) {
					ev.text = opts[ev.index]
				}
			} else {
				// Enter alone leaves the quiz for the menu; the screen says
				// so above the question (quizInputNote).
				ev.text, ev.err = p.Input(pctx, question, "", nil)
			}
			s.ch <- ev
		}()
		return
	}
	s.prompt.menu = s.menuChoices()
	labels := make([]string, len(s.prompt.menu))
	for i, c := range s.prompt.menu {
		labels[i] = s.label(c)
	}
	go func() {
		ev.index, ev.err = p.Select(pctx, "What next?", labels, 0)
		s.ch <- ev
	}()
}

// menuChoices are the menu's entries for the step as it is now.
func (s *stepRun) menuChoices() []choice {
	var cs []choice
	switch {
	case s.held:
		return []choice{choiceContinue, choiceLessons, choiceQuit}
	case s.asking():
		cs = append(cs, choiceAnswer)
	case len(s.step.Checks) == 0:
		cs = append(cs, choiceContinue)
	default:
		cs = append(cs, choiceCheck)
	}
	if s.shown.hints < len(s.step.Hints) {
		cs = append(cs, choiceHint)
	}
	if s.asking() && s.shown.answer == "" || !s.asking() && !s.shown.solution && len(s.step.Solution) > 0 {
		cs = append(cs, choiceSolution)
	}
	if !s.asking() && len(s.runnable()) > 0 {
		cs = append(cs, choiceRun)
	}
	return append(cs, choiceSkip, choiceLessons, choiceQuit)
}

func (s *stepRun) label(c choice) string {
	switch c {
	case choiceCheck:
		return "Check now"
	case choiceContinue:
		return "Continue"
	case choiceAnswer:
		if s.quiz.feedback != "" {
			return "Answer again"
		}
		return "Answer the question"
	case choiceHint:
		return fmt.Sprintf("Show a hint (%d of %d)", s.shown.hints+1, len(s.step.Hints))
	case choiceSolution:
		if s.asking() {
			return "Show the answer"
		}
		return "Show the solution"
	case choiceRun:
		return "Run it for me"
	case choiceSkip:
		return "Skip this step"
	case choiceLessons:
		return "Back to the lessons"
	}
	return "Quit (your progress is saved)"
}

// choose carries out a menu choice.
func (s *stepRun) choose(ctx context.Context, c choice) {
	s.note = ""
	switch c {
	case choiceCheck:
		s.watch.eventAt = time.Time{}
		s.watch.quiet = false
		s.judged.asked = true
		s.check(ctx)
		if s.judged.verdict != verdictPassed {
			s.note = "Checked just now."
		}
		s.dirty = true
	case choiceContinue:
		s.outcome, s.held, s.moveOn = stepPassed, false, true
	case choiceAnswer:
		s.prompt.next = promptQuiz
		s.dirty = true
	case choiceHint:
		s.shown.hints++
		s.report(HintShown, s.step, nil)
		if s.shown.hints == len(s.step.Hints) {
			// No hint is left to take.
			s.quiz.feedback = strings.Replace(s.quiz.feedback, takeAHint, ".", 1)
		}
		s.dirty = true
	case choiceSolution:
		s.report(SolutionShown, s.step, nil)
		if s.asking() {
			s.shown.answer = s.rightAnswer(ctx)
		} else {
			s.shown.solution = true
		}
		s.dirty = true
	case choiceRun:
		s.run.confirming = true
		s.prompt.next = promptConfirm
		s.dirty = true
	case choiceSkip:
		s.outcome = stepSkipped
	case choiceLessons:
		s.outcome, s.held = stepLessons, false
	case choiceQuit:
		s.outcome, s.held = stepQuit, false
	}
}
