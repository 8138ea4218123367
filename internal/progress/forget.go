package progress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Forgetting is dockstep reset: forget the learner's progress in one
// lesson, or in every lesson, after asking.
type Forgetting struct {
	// ID is the lesson to forget, as the learner named it; "" for every
	// lesson.
	ID string
	// Lesson gives the id of the lesson that ID names when it is not an id
	// in the progress file (a number as dockstep list shows it, a path);
	// its error is Forget's.
	Lesson func(arg string) (string, error)
	// Confirm asks before forgetting what it says (such as "your progress
	// in lesson first-image"); nil forgets without asking. Its error is
	// Forget's.
	Confirm func(what string) (bool, error)
	// Out says what was forgotten, or why nothing was; ErrOut warns of a
	// progress file set aside as corrupt.
	Out, ErrOut io.Writer
	// Now is when the progress is forgotten.
	Now time.Time
}

// Forget forgets what f says in the progress file of the state folder dir,
// and says so; when there is nothing to forget, or Confirm says no, it
// says that and changes nothing.
func Forget(dir string, f Forgetting) error {
	store := NewStore(dir)
	prog, err := store.Load()
	var corrupt *CorruptError
	switch {
	case errors.As(err, &corrupt):
		fmt.Fprintf(f.ErrOut, "warning: %v\n", err)
	case err != nil:
		return err
	}
	id, what := f.ID, "your progress in every lesson"
	if id != "" {
		if _, ok := prog.Lessons[id]; !ok {
			if id, err = f.Lesson(id); err != nil {
				return err
			}
		}
		if _, ok := prog.Lessons[id]; !ok {
			fmt.Fprintf(f.Out, "You have no progress in lesson %s; nothing to reset.\n", id)
			return nil
		}
		what = "your progress in lesson " + id
	} else if len(prog.Lessons) == 0 {
		fmt.Fprintln(f.Out, "You have no progress yet; nothing to reset.")
		return nil
	}
	if f.Confirm != nil {
		ok, err := f.Confirm(what)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintln(f.Out, "Nothing was reset.")
			return nil
		}
	}
	prog.Reset(id, f.Now)
	if err := store.Save(prog); err != nil {
		return err
	}
	fmt.Fprintf(f.Out, "Forgot %s.\n", what)
	return nil
}

// Confirmer asks the learner a yes-or-no question.
type Confirmer interface {
	Confirm(ctx context.Context, msg string, def bool) (bool, error)
	Close() error
}

// Ask is a Forgetting's Confirm that opens a Confirmer (open), asks
// "Forget WHAT?", no unless the learner says yes, and closes it. What
// goes wrong, opening or asking, is an *AskError.
func Ask(ctx context.Context, open func() (Confirmer, error)) func(what string) (bool, error) {
	return func(what string) (bool, error) {
		c, err := open()
		if err != nil {
			return false, &AskError{What: what, Err: err}
		}
		defer c.Close()
		ok, err := c.Confirm(ctx, fmt.Sprintf("Forget %s?", what), false)
		if err != nil {
			return false, &AskError{What: what, Err: err}
		}
		return ok, nil
	}
}

// AskError is a question Ask could not ask, or that was not answered:
// whether to forget What.
type AskError struct {
	What string
	Err  error
}

func (e *AskError) Error() string { return e.Err.Error() }
func (e *AskError) Unwrap() error { return e.Err }
