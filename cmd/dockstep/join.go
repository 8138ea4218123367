package main

import (
	"context"

	"github.com/spf13/cobra"
)

func newJoinCmd(g *globals, runF func(context.Context, *startOptions) error) *cobra.Command {
	o := &startOptions{}
	cmd := &cobra.Command{
		Use:   "join URL [--name NAME]",
		Short: "Join an instructor's room and run the lessons with the room watching",
		Long: `Join runs the usual lesson runner and reports your progress to an
instructor's room (dockstep classroom serve prints the URL). It asks your
name, as the room will show it, unless --name gives it.

Your dockstep never waits for the room: what it reports is queued in your
state folder and sent in the background, so nothing is lost when the Wi-Fi
drops. Only the lesson, the step, and for a failed check its kind and the
first line of why are sent: never your commands, files, environment, host
name or paths.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g.fillStart(o)
			o.room = args[0]
			return runWith(cmd.Context(), o, runF, runStart)
		},
	}
	addStartFlags(cmd, o)
	cmd.Flags().Lookup("room").Hidden = true
	return cmd
}

// roomFlags adds --room and --name to a command.
func roomFlags(cmd *cobra.Command, room, name *string) {
	cmd.Flags().StringVar(room, "room", "", "report to the instructor's room at this join `URL` (see dockstep join)")
	cmd.Flags().StringVar(name, "name", "", "your `name` as the room shows it")
}
