package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/classroom"
)

// classroomOptions are what dockstep classroom serve runs with.
type classroomOptions struct {
	base
	addr, db, title string
	tlsCert, tlsKey string
}

func newClassroomCmd(g *globals, runF func(context.Context, *classroomOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "classroom",
		Short: "Run a live room for an instructor: where every learner is, and where the room is stuck",
		Long: `A classroom is a small server on the instructor's machine. Learners join it
with dockstep join URL; their dockstep reports each step they start, each
failed check (its kind and the first line of why), hints, solutions and
finished steps. The instructor watches a live dashboard in a browser.
See docs/classroom.md for exactly what is sent.`,
		Args: cobra.NoArgs,
	}
	o := &classroomOptions{}
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Start the room server and print the join line and the dashboard's address",
		Long: `Serve starts the room. It prints a "learners:" line to put on the projector
(dockstep join URL) and a "dashboard:" line with the instructor's token.
Started again on the same database, it keeps the room, its code, its tokens
and everything recorded. Stop it with Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.base = g.base()
			return runWith(cmd.Context(), o, runF, runClassroomServe)
		},
	}
	f := serve.Flags()
	f.StringVar(&o.addr, "addr", ":7878", "listen on `HOST:PORT`")
	f.StringVar(&o.db, "db", "", "keep the room in this SQLite `file` (default: $XDG_STATE_HOME/dockstep/classroom/room.db)")
	f.StringVar(&o.title, "title", "", "the room's `title`, shown on the dashboard and to learners (kept in the database)")
	f.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this certificate `file` (with --tls-key)")
	f.StringVar(&o.tlsKey, "tls-key", "", "the certificate's key `file` (with --tls-cert)")
	cmd.AddCommand(serve)
	return cmd
}

func runClassroomServe(ctx context.Context, o *classroomOptions) error {
	return classroom.ServeUntilStopped(ctx, classroom.ServeOptions{
		Addr: o.addr, DB: o.db, Title: o.title,
		TLSCert: o.tlsCert, TLSKey: o.tlsKey,
		Out: o.io.Out,
	})
}
