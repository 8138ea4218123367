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
	for _, n := range checks.Notices(sel.Lessons) {
		fmt.Fprintln(o.io.ErrOut, n.Error())
	}
	ok, err := sel.Lint()
	if err != nil {
		return err
	}
	fmt.Fprintln(o.io.Out, ok)
	return nil
}
