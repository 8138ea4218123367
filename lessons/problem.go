package lessons

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a lesson, at a place in its file.
type Problem struct {
	Pos Pos
	Msg string
}

func (p Problem) Error() string {
	if p.Pos.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.Pos.File, p.Pos.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.Pos.File, p.Msg)
}

// Problems is every problem found in one or more lesson files. It is an
// error whose message has one "path:line: message" line per problem.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Sort orders problems by file, then line.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Pos.File != ps[j].Pos.File {
			return ps[i].Pos.File < ps[j].Pos.File
		}
		return ps[i].Pos.Line < ps[j].Pos.Line
	})
}

// LineError is an error that knows the line it is about. Check validators
// return it to point at the YAML node at fault rather than the check's first
// line.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return e.Err.Error() }
func (e *LineError) Unwrap() error { return e.Err }

// AtLine wraps err so that it is reported at the given line.
func AtLine(line int, err error) error {
	if err == nil {
		return nil
	}
	return &LineError{Line: line, Err: err}
}

// problemsFrom turns an error from a validator into problems, placing each at
// the line it names or else at def.
func problemsFrom(def Pos, err error) Problems {
	if err == nil {
		return nil
	}
	var out Problems
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		pos := def
		var le *LineError
		if errors.As(err, &le) && le.Line > 0 {
			pos.Line = le.Line
		}
		out = append(out, Problem{Pos: pos, Msg: err.Error()})
	}
	walk(err)
	return out
}
