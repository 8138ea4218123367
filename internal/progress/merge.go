package progress

import (
	"maps"
	"slices"
	"time"
)

// merge applies to disk, the progress as it is in the file now, what this
// process changed: the difference between saved (the progress as this
// process last loaded or saved it; nil for none) and cur (as it is now).
//
// The unit is the field, not the file: a step done, a step skipped or
// started, a variable's value, the current step, the workspace, the current
// lesson. A field this process changed takes its new value (the runner saves
// at once after every change, so its change is the latest); every other
// field keeps what is on disk, whoever wrote it. Resets come first: a lesson
// reset here is forgotten on disk as of the reset's time, and a step done or
// started before the lesson's last reset, by this process or any other, is
// not brought back.
func merge(disk, saved, cur *Progress) {
	if saved == nil {
		saved = &Progress{}
	}
	if disk.Lessons == nil {
		disk.Lessons = map[string]*LessonProgress{}
	}
	if cur.resetAll.After(saved.resetAll) {
		for id := range disk.Lessons {
			disk.forget(id, cur.resetAll)
		}
	}
	resetHere := map[string]bool{}
	for id, at := range cur.Resets {
		if at.After(saved.Resets[id]) {
			disk.forget(id, at)
			resetHere[id] = true
		}
	}
	ids := slices.Sorted(maps.Keys(cur.Lessons))
	for id := range saved.Lessons {
		if _, ok := cur.Lessons[id]; !ok {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		before := saved.Lessons[id]
		if resetHere[id] {
			// Whatever this process recorded after its own reset is new.
			before = nil
		}
		disk.mergeLesson(id, before, cur.Lessons[id])
	}
	if cur.Current != saved.Current {
		// Leaving a lesson clears the current lesson only if it is still
		// the one this process left: another window may have started one
		// since.
		if cur.Current != "" || disk.Current == saved.Current {
			disk.Current = cur.Current
		}
	}
}

// forget removes the progress in lesson id, as of at, and remembers when.
func (p *Progress) forget(id string, at time.Time) {
	delete(p.Lessons, id)
	if p.Resets == nil {
		p.Resets = map[string]time.Time{}
	}
	if at.After(p.Resets[id]) {
		p.Resets[id] = at
	}
	if p.Current == id {
		p.Current = ""
	}
}

// mergeLesson applies to lesson id of p the fields that differ between
// before and after (either may be nil: no progress).
func (p *Progress) mergeLesson(id string, before, after *LessonProgress) {
	if before == nil {
		before = &LessonProgress{}
	}
	if after == nil {
		after = &LessonProgress{}
	}
	lp, ok := p.Lessons[id]
	if !ok {
		lp = &LessonProgress{}
	}
	lp.init()
	if after.Step != before.Step {
		lp.Step = after.Step
	}
	if after.Workspace != before.Workspace {
		lp.Workspace = after.Workspace
	}
	mergeMap(lp.Vars, before.Vars, after.Vars, func(a, b string) bool { return a == b })
	mergeMap(lp.Skipped, before.Skipped, after.Skipped, func(a, b bool) bool { return a == b })
	// A step done or started before the lesson was last reset belongs to
	// the progress the learner asked to forget.
	reset := p.Resets[id]
	mergeTimes(lp.Done, before.Done, after.Done, reset)
	mergeTimes(lp.Started, before.Started, after.Started, reset)
	if lp.empty() {
		delete(p.Lessons, id)
		return
	}
	p.Lessons[id] = lp
}

// mergeMap sets in dst the keys whose value differs between before and
// after, and deletes those after no longer has.
func mergeMap[V any](dst, before, after map[string]V, equal func(a, b V) bool) {
	for k, v := range after {
		if old, ok := before[k]; !ok || !equal(old, v) {
			dst[k] = v
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			delete(dst, k)
		}
	}
}

// mergeTimes is mergeMap for times, leaving out times not after reset.
func mergeTimes(dst, before, after map[string]time.Time, reset time.Time) {
	for k, v := range after {
		if old, ok := before[k]; (!ok || !old.Equal(v)) && v.After(reset) {
			dst[k] = v
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			delete(dst, k)
		}
	}
}

// empty reports whether lp records nothing.
func (lp *LessonProgress) empty() bool {
	return lp.Step == "" && lp.Workspace == "" && len(lp.Vars) == 0 && len(lp.Skipped) == 0 &&
		len(lp.Done) == 0 && len(lp.Started) == 0
}

// clone returns a deep copy of p, without its saved state.
func (p *Progress) clone() *Progress {
	c := &Progress{Version: p.Version, Current: p.Current, Resets: maps.Clone(p.Resets), resetAll: p.resetAll}
	c.Lessons = make(map[string]*LessonProgress, len(p.Lessons))
	for id, lp := range p.Lessons {
		if lp == nil {
			continue
		}
		c.Lessons[id] = &LessonProgress{
			Step: lp.Step, Workspace: lp.Workspace,
			Done: maps.Clone(lp.Done), Skipped: maps.Clone(lp.Skipped),
			Vars: maps.Clone(lp.Vars), Started: maps.Clone(lp.Started),
		}
	}
	return c
}
