package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newListCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the lessons in order",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			all, probs := g.course()
			if len(probs) > 0 {
				return exitf(2, "%s\nfix these problems (dockstep lint shows them too)", probs.Error())
			}
			type row struct {
				ID      string `json:"id"`
				Title   string `json:"title"`
				Steps   int    `json:"steps"`
				Summary string `json:"summary,omitempty"`
			}
			rows := make([]row, 0, len(all))
			for _, l := range all {
				rows = append(rows, row{ID: l.ID, Title: l.Title, Steps: len(l.Steps), Summary: l.Summary})
			}
			if asJSON {
				enc := json.NewEncoder(g.io.out)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			tw := tabwriter.NewWriter(g.io.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "#\tID\tTITLE\tSTEPS")
			for i, r := range rows {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\n", i+1, r.ID, r.Title, r.Steps)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the lessons as a JSON array")
	return cmd
}
