package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dockstep/dockstep/lessons"
)

// chosenLessons loads the course and keeps the lessons named by ids (lesson
// ids or their numbers in "dockstep list"); all of them when ids is empty.
// The lessons' problems are returned for the caller to report: a lesson
// with problems is still returned when its file could be read, so that its
// images and ports are still known.
func (g *globals) chosenLessons(ids []string) ([]*lessons.Lesson, lessons.Problems, error) {
	fsys, dir, display := g.courseFS()
	all, probs := lessons.Load(fsys, dir, display, lessons.Options{Validator: g.registry()})
	if len(ids) == 0 {
		if len(all) == 0 {
			return nil, probs, fmt.Errorf("no lessons could be read from %s:\n%s", display, probs.Error())
		}
		return all, probs, nil
	}
	var out []*lessons.Lesson
	for _, id := range ids {
		l := findLesson(all, id)
		if l == nil {
			known := make([]string, len(all))
			for i, l := range all {
				known[i] = l.ID
			}
			return nil, probs, fmt.Errorf("there is no lesson %q in %s; the lessons are %s", id, display, strings.Join(known, ", "))
		}
		out = append(out, l)
	}
	return out, probs, nil
}

func findLesson(all []*lessons.Lesson, id string) *lessons.Lesson {
	for _, l := range all {
		if l.ID == id {
			return l
		}
	}
	if n, err := strconv.Atoi(id); err == nil && n >= 1 && n <= len(all) {
		return all[n-1]
	}
	return nil
}
