package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/checks"
)

// lintOptions are what dockstep lint runs with.
type lintOptions struct {
	base
	lessons []string
}

func newLintCmd(g *globals, runF func(context.Context, *lintOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:   "lint [LESSON|PATH...]",
		Short: "Check lesson files for mistakes",
		Long: `Lint reads lesson files, or every lesson in the given folders, and reports
each problem as path:line: message. A lesson of the course may be named by
id or number too. With no argument it lints the lessons of --lessons, or
else the course built into dockstep.

Exit status: 0 when every lesson is valid, 2 otherwise.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWith(cmd.Context(), &lintOptions{base: g.base(), lessons: args}, runF, runLint)
		},
	}
}

func runLint(ctx context.Context, o *lintOptions) error {
	sel, err := o.course.Select(o.lessons)
	if err != nil {
		return exitf(2, "%v", err)
	}
	all, probs := sel.Lessons, sel.Problems
	for _, n := range checks.Notices(all) {
		fmt.Fprintln(o.io.ErrOut, n.Error())
	}
	if len(probs) > 0 {
		return exitf(2, "%s\n%d problem%s found", probs.Error(), len(probs), plural(len(probs)))
	}
	steps := 0
	for _, l := range all {
		steps += len(l.Steps)
	}
	fmt.Fprintf(o.io.Out, "%d lesson%s, %d steps: no problems\n", len(all), plural(len(all)), steps)
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
