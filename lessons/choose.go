package lessons

import "fmt"

// UsageError is lessons a command cannot work on as they were named: none
// could be read, some have problems, an argument holds several lessons
// where one is wanted, or a --var does not fit them.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ExitStatus is how dockstep ends on e: status 2, as on every usage error.
func (e *UsageError) ExitStatus(cmd string) (int, string) { return 2, e.Error() }

// Readable is Select for the commands that go on with what could be read:
// besides Select's *NotFoundError, finding no lesson at all is a
// *UsageError.
func (s Source) Readable(args []string) (Selection, error) {
	sel, err := s.Select(args)
	if err == nil && len(sel.Lessons) == 0 {
		err = &UsageError{"no lessons could be read:\n" + sel.Problems.Error()}
	}
	return sel, err
}

// Sound is the lessons args name, for the commands that run them: a
// lesson with problems is a *UsageError listing them.
func (s Source) Sound(args []string) ([]*Lesson, error) {
	sel, err := s.Readable(args)
	if err == nil && len(sel.Problems) > 0 {
		err = &UsageError{sel.Problems.Error() + "\nfix these problems first (dockstep lint shows them too)"}
	}
	return sel.Lessons, err
}

// One is the one sound lesson arg names, for the commands that work on
// one.
func (s Source) One(arg string) (*Lesson, error) {
	ls, err := s.Sound([]string{arg})
	if err != nil {
		return nil, err
	}
	if len(ls) != 1 {
		return nil, severalError(arg, len(ls))
	}
	return ls[0], nil
}

// ID is the id of the one lesson arg names, problems or not: what dockstep
// reset forgets.
func (s Source) ID(arg string) (string, error) {
	sel, err := s.Readable([]string{arg})
	if err != nil {
		return "", err
	}
	if len(sel.Lessons) != 1 {
		return "", severalError(arg, len(sel.Lessons))
	}
	return sel.Lessons[0].ID, nil
}

func severalError(arg string, n int) error {
	return &UsageError{fmt.Sprintf("%s holds %d lessons; name one lesson", arg, n)}
}

// Course is the lessons the runner offers, and the id of the one to start
// ("" when the learner chooses): the one lesson file when arg is a path,
// else every lesson of the source, with arg naming one as Select takes it.
// Lessons with problems are a *UsageError, as for Sound.
func (s Source) Course(arg string) ([]*Lesson, string, error) {
	if arg == "" {
		all, err := s.Sound(nil)
		return all, "", err
	}
	l, err := s.One(arg)
	if err != nil {
		return nil, "", err
	}
	if IsPath(arg) {
		return []*Lesson{l}, l.ID, nil
	}
	all, err := s.Sound(nil)
	return all, l.ID, err
}

// VarFlags reads --var name=value flags (ParseVarFlags) and holds their
// names to the one policy (CheckVarNames); what does not fit is a
// *UsageError.
func VarFlags(flags []string, ls []*Lesson) (map[string]string, error) {
	set, err := ParseVarFlags(flags)
	if err == nil {
		err = CheckVarNames(set, ls)
	}
	if err != nil {
		return nil, &UsageError{err.Error()}
	}
	return set, nil
}

// SoundVars is Sound, with the --var flags read for the lessons
// (VarFlags).
func (s Source) SoundVars(args, flags []string) ([]*Lesson, map[string]string, error) {
	ls, err := s.Sound(args)
	if err != nil {
		return nil, nil, err
	}
	set, err := VarFlags(flags, ls)
	return ls, set, err
}

// OneVars is One, with the --var flags read for the lesson (VarFlags).
func (s Source) OneVars(arg string, flags []string) (*Lesson, map[string]string, error) {
	l, err := s.One(arg)
	if err != nil {
		return nil, nil, err
	}
	set, err := VarFlags(flags, []*Lesson{l})
	return l, set, err
}
