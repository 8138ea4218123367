package main

import (
	"fmt"

	"github.com/dockstep/dockstep/lessons"
)

// source is where the lessons come from: --lessons, or the embedded course.
func (g *globals) source() lessons.Source {
	return lessons.From(g.lessonsDir, lessons.Options{Validator: registry()})
}

// warn warns on standard error, and the command goes on.
func (b *base) warn(msg string) { fmt.Fprintf(b.io.ErrOut, "warning: %s\n", msg) }
