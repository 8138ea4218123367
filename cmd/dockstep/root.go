package main

import (
	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/checks"
)

// globals are the flags every command shares.
type globals struct {
	io         *streams
	lessonsDir string
	host       string // --host: the engine to use, as the docker CLI's -H
}

func newRootCmd(io *streams) *cobra.Command {
	g := &globals{io: io}
	var start startOptions
	root := &cobra.Command{
		Use:   "dockstep",
		Short: "Learn Docker by doing: step-by-step lessons checked against your real Docker engine",
		Long: `dockstep shows a Docker lesson one step at a time. You run each step's
commands in your own terminal; dockstep checks the result against your
Docker engine and tells you at once whether it worked, and if not, why.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// With no command: resume the lesson in progress, or offer them.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.runInteractive(cmd.Context(), "", start)
		},
	}
	addStartFlags(root, &start)
	root.SetIn(io.in)
	root.SetOut(io.out)
	root.SetErr(io.errOut)
	root.PersistentFlags().StringVarP(&g.host, "host", "H", "", "use the Docker engine at this `address` (as docker -H) instead of the one your docker command uses")
	root.PersistentFlags().StringVar(&g.lessonsDir, "lessons", "", "read lessons from this `dir` instead of the course built into dockstep")
	root.AddCommand(
		newLintCmd(g),
		newListCmd(g),
		newDoctorCmd(g),
		newPrefetchCmd(g),
		newTestCmd(g),
		newCheckCmd(g),
		newStartCmd(g),
		newResetCmd(g),
		newJoinCmd(g),
		newClassroomCmd(g),
		newDemoCmd(g),
	)
	return root
}

// registry is the check registry every command validates lessons with.
func (g *globals) registry() *checks.Registry { return checks.Default() }
