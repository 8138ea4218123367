package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/workshop"
)

// prefetchOptions are the flags of dockstep prefetch.
type prefetchOptions struct {
	pushTo string
	list   bool
	vars   []string
}

func newPrefetchCmd(g *globals) *cobra.Command {
	var o prefetchOptions
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
			return runPrefetch(cmd.Context(), g, args, o)
		},
	}
	cmd.Flags().BoolVar(&o.list, "list", false, "only print the images the lessons need, one a line (for docker save)")
	cmd.Flags().StringArrayVar(&o.vars, "var", nil, "give the lesson variable `name=value` (repeat for each)")
	cmd.Flags().StringVar(&o.pushTo, "push-to", "", "then push the images into the workshop registry at `HOST:PORT`")
	return cmd
}

func runPrefetch(ctx context.Context, g *globals, args []string, o prefetchOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.pushTo != "" {
		if err := workshop.CheckRegistryAddr(o.pushTo); err != nil {
			return exitf(2, "dockstep prefetch: --push-to %q: %v", o.pushTo, err)
		}
	}
	sel, err := g.selectLessons(args)
	if err != nil {
		return err
	}
	ls, probs := sel.Lessons, sel.Problems
	given, err := varFlags(o.vars, ls)
	if err != nil {
		return err
	}
	vars, err := g.learnerVars(ls, given)
	if err != nil {
		return err
	}
	if len(probs) > 0 {
		fmt.Fprintf(g.io.errOut, "%s\nwarning: these lessons have problems (dockstep lint lists them); prefetching the images of what could be read\n", probs.Error())
	}
	nd := workshop.CollectNeeds(g.registry(), ls, vars)
	if o.list {
		for _, in := range nd.Images {
			fmt.Fprintln(g.io.out, in.Ref)
		}
		return nil
	}
	if len(nd.Images) == 0 {
		fmt.Fprintln(g.io.out, "The lessons need no images.")
		return nil
	}
	c, ep, err := g.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(g.io.out, "Fetching %d image%s into the engine at %s\n", len(nd.Images), plural(len(nd.Images)), ep)
	// A bar redrawn in place needs a terminal that understands \r and ESC[K.
	p := &workshop.Prefetcher{Engine: c, Out: g.io.out, TTY: g.io.outTTY && g.io.env("TERM") != "dumb"}
	failed := p.PullAll(ctx, nd.Images)
	if o.pushTo != "" {
		failed += p.PushAll(ctx, o.pushTo)
	}
	if failed > 0 {
		what := "fetched"
		if o.pushTo != "" {
			what = "fetched or pushed"
		}
		return exitf(1, "dockstep prefetch: %d image%s could not be %s; see the messages above", failed, plural(failed), what)
	}
	return nil
}
