package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/internal/workshop"
)

// prefetchOptions are what dockstep prefetch runs with.
type prefetchOptions struct {
	base
	engine  func(context.Context) (workshop.FetchEngine, engine.Endpoint, error)
	lessons []string
	pushTo  string
	list    bool
	vars    []string
}

func newPrefetchCmd(g *globals, runF func(context.Context, *prefetchOptions) error) *cobra.Command {
	o := &prefetchOptions{}
	cmd := &cobra.Command{
		Use:   "prefetch [LESSON...]",
		Short: "Pull every image the lessons need, before class",
		Long: `Prefetch pulls the images the lessons need (those of their front matter
and the base images their checks name) into the engine your docker command
uses, skipping those already there, with a progress bar for each.

With --push-to HOST:PORT it then pushes them into a workshop registry, as
HOST:PORT/library/busybox:latest for official images and
HOST:PORT/user/name:tag for others, so that the registry can serve the
room as a registry mirror; the extra tags are removed afterwards.

With --list it only prints the images, one a line, without the engine.
docs/workshop.md tells how to run such a registry.

Exit status: 0 when every image is in place (and pushed), 1 otherwise, 2
when the lessons cannot be read, 3 when the Docker engine cannot be reached.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			g.fillPrefetch(o, args)
			return runWith(cmd.Context(), o, runF, runPrefetch)
		},
	}
	cmd.Flags().BoolVar(&o.list, "list", false, "only print the images the lessons need, one a line (for docker save)")
	cmd.Flags().StringArrayVar(&o.vars, "var", nil, "give the lesson variable `name=value` (repeat for each)")
	cmd.Flags().StringVar(&o.pushTo, "push-to", "", "then push the images into the workshop registry at `HOST:PORT`")
	return cmd
}

// fillPrefetch fills prefetch's options (dockstep demo fetches too).
func (g *globals) fillPrefetch(o *prefetchOptions, args []string) {
	o.base, o.engine, o.lessons = g.base(), engine.Factory[workshop.FetchEngine](g.engineOptions()), args
}

func runPrefetch(ctx context.Context, o *prefetchOptions) error {
	if err := workshop.CheckPushTo(o.pushTo); err != nil {
		return err
	}
	sel, vars, err := progress.Selected(o.course, o.lessons, o.vars, o.warn)
	if err != nil {
		return err
	}
	return workshop.Prefetch(ctx, registry(), sel, vars, workshop.Fetching{
		PushTo: o.pushTo, List: o.list, Connect: o.engine,
		// A bar redrawn in place needs a terminal that understands \r and ESC[K.
		Out: o.io.Out, TTY: o.io.OutTTY && o.io.Env("TERM") != "dumb",
	}, o.io.ErrOut)
}
