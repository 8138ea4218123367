package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/lessons"
)

func newLintCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Check lesson files for mistakes",
		Long: `Lint reads lesson files, or every lesson in the given folders, and reports
each problem as path:line: message. With no PATH it lints the lessons of
--lessons, or else the course built into dockstep.

Exit status: 0 when every lesson is valid, 2 otherwise.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var all []*lessons.Lesson
			var probs lessons.Problems
			if len(args) == 0 {
				all, probs = g.course()
			}
			for _, a := range args {
				ls, ps := g.loadPath(a)
				all = append(all, ls...)
				probs = append(probs, ps...)
			}
			for _, l := range all {
				for _, s := range l.Steps {
					for _, c := range s.Checks {
						if c.Kind == "command" {
							fmt.Fprintf(g.io.errOut, "%s:%d: notice: a command check runs a shell command on the learner's machine; review it\n", c.Pos.File, c.Pos.Line)
						}
					}
				}
			}
			if len(probs) > 0 {
				return exitf(2, "%s\n%d problem%s found", probs.Error(), len(probs), plural(len(probs)))
			}
			steps := 0
			for _, l := range all {
				steps += len(l.Steps)
			}
			fmt.Fprintf(g.io.out, "%d lesson%s, %d steps: no problems\n", len(all), plural(len(all)), steps)
			return nil
		},
	}
}

// loadPath reads a lesson file, or every lesson in a folder.
func (g *globals) loadPath(p string) ([]*lessons.Lesson, lessons.Problems) {
	opts := lessons.Options{Validator: g.registry()}
	st, err := os.Stat(p)
	if err != nil {
		return nil, lessons.Problems{{Pos: lessons.Pos{File: p}, Msg: fmt.Sprintf("cannot read it: %v", unwrapPathErr(err))}}
	}
	if st.IsDir() {
		return lessons.Load(os.DirFS(p), ".", p, opts)
	}
	dir, file := filepath.Split(p)
	if dir == "" {
		dir = "."
	}
	l, probs := lessons.Parse(os.DirFS(dir), file, p, opts)
	if l == nil {
		return nil, probs
	}
	return []*lessons.Lesson{l}, probs
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// isPath reports whether a lesson argument names a file rather than an id.
func isPath(arg string) bool {
	return strings.HasSuffix(arg, ".md") || strings.ContainsRune(arg, filepath.Separator)
}
