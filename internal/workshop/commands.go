package workshop

// dockstep doctor and dockstep prefetch, from the lessons a command named
// to their output and how they end.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

// Diagnose is dockstep doctor on the lessons of sel, their variables
// having the values vars gives: the checklist (Lessons) written on out, as
// indented JSON when asJSON, and an *UnfitError when a line failed.
func (dr *Doctor) Diagnose(ctx context.Context, reg *checks.Registry, sel lessons.Selection, vars func(*lessons.Lesson) map[string]string, out io.Writer, asJSON, color bool) error {
	rep := dr.Lessons(ctx, reg, sel.Lessons, sel.Problems, vars)
	fails, noEngine := rep.Finish()
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.Print(out, color)
	}
	if fails > 0 {
		return &UnfitError{Fails: fails, NoEngine: noEngine, Engine: rep.EngineName(), Mark: FailMark(color)}
	}
	return nil
}

// UnfitError is a doctor's checklist with Fails lines marked Mark: the
// machine cannot run the lessons, or, NoEngine, cannot use Engine at all.
type UnfitError struct {
	Fails    int
	NoEngine bool
	Engine   string
	Mark     string
}

func (e *UnfitError) Error() string {
	if e.NoEngine {
		return fmt.Sprintf("dockstep doctor: %s cannot be used: fix the lines marked %s and run dockstep doctor again", e.Engine, e.Mark)
	}
	return fmt.Sprintf("dockstep doctor: %d problem%s: fix the lines marked %s and run dockstep doctor again", e.Fails, plural(e.Fails), e.Mark)
}

// ExitStatus is how dockstep doctor ends on e: status 3 when the engine
// cannot be used, else 1.
func (e *UnfitError) ExitStatus(cmd string) (int, string) {
	if e.NoEngine {
		return 3, e.Error()
	}
	return 1, e.Error()
}

// UsageError is a flag of dockstep prefetch that cannot be used.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ExitStatus is how dockstep ends on e: status 2, as on every usage error.
func (e *UsageError) ExitStatus(cmd string) (int, string) { return 2, e.Error() }

// CheckPushTo checks prefetch's --push-to (CheckRegistryAddr), if given;
// what does not fit is a *UsageError.
func CheckPushTo(addr string) error {
	if addr == "" {
		return nil
	}
	if err := CheckRegistryAddr(addr); err != nil {
		return &UsageError{fmt.Sprintf("dockstep prefetch: --push-to %q: %v", addr, err)}
	}
	return nil
}

// Prefetch is dockstep prefetch on the lessons of sel, their variables
// having the values vars gives: it fetches (Fetch, with f) the images they
// need. Lessons with problems are warned of on errOut, and the images of
// what could be read are fetched.
func Prefetch(ctx context.Context, reg *checks.Registry, sel lessons.Selection, vars func(*lessons.Lesson) map[string]string, f Fetching, errOut io.Writer) error {
	if len(sel.Problems) > 0 {
		fmt.Fprintf(errOut, "%s\nwarning: these lessons have problems (dockstep lint lists them); prefetching the images of what could be read\n", sel.Problems.Error())
	}
	f.Images = CollectNeeds(reg, sel.Lessons, vars).Images
	return Fetch(ctx, f)
}
