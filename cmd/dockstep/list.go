package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/progress"
)

// listOptions are what dockstep list runs with.
type listOptions struct {
	base
	asJSON bool
}

func newListCmd(g *globals, runF func(context.Context, *listOptions) error) *cobra.Command {
	o := &listOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the lessons in order, with your progress",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.base = g.base()
			return runWith(cmd.Context(), o, runF, runList)
		},
	}
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the lessons as a JSON array")
	return cmd
}

func runList(ctx context.Context, o *listOptions) error {
	rows, err := progress.Listed(o.course, o.warn)
	if err != nil {
		return err
	}
	if o.asJSON {
		return o.io.WriteJSON(rows)
	}
	return progress.WriteTable(o.io.Out, rows)
}
