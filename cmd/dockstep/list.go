package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
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
	all, probs := o.course.Load()
	if len(probs) > 0 {
		return exitf(2, "%s\nfix these problems (dockstep lint shows them too)", probs.Error())
	}
	prog := o.progress()
	type row struct {
		ID      string `json:"id"`
		Title   string `json:"title"`
		Steps   int    `json:"steps"`
		Summary string `json:"summary,omitempty"`
		// Done counts the steps finished or skipped.
		Done int `json:"done"`
		// Skipped counts the steps skipped (and not done since).
		Skipped int `json:"skipped"`
		// Current is set on the lesson that dockstep resumes.
		Current bool `json:"current,omitempty"`
	}
	rows := make([]row, 0, len(all))
	for _, l := range all {
		r := row{ID: l.ID, Title: l.Title, Steps: len(l.Steps), Summary: l.Summary, Current: prog.Current == l.ID}
		if lp, ok := prog.Lessons[l.ID]; ok {
			r.Done, _ = lp.Finished(l)
			r.Skipped = lp.SkippedSteps(l)
		}
		rows = append(rows, r)
	}
	if o.asJSON {
		return o.io.writeJSON(rows)
	}
	tw := tabwriter.NewWriter(o.io.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tID\tTITLE\tSTEPS\tDONE")
	for i, r := range rows {
		done := fmt.Sprintf("%d/%d", r.Done, r.Steps)
		switch {
		case r.Done == r.Steps && r.Steps > 0 && r.Skipped > 0:
			done = fmt.Sprintf("done, %d skipped", r.Skipped)
		case r.Done == r.Steps && r.Steps > 0:
			done = "finished"
		case r.Skipped > 0:
			done = fmt.Sprintf("%d/%d, %d skipped", r.Done-r.Skipped, r.Steps, r.Skipped)
		}
		if r.Current && r.Done < r.Steps {
			done += " (current)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\n", i+1, r.ID, r.Title, r.Steps, done)
	}
	return tw.Flush()
}
