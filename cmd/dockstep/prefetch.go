package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/engine"
)

// prefetchEngine is the part of the Docker API prefetch uses.
type prefetchEngine interface {
	ImageInspect(ctx context.Context, ref string, opts ...client.ImageInspectOption) (image.InspectResponse, error)
	ImagePull(ctx context.Context, ref string, options image.PullOptions) (io.ReadCloser, error)
	ImageTag(ctx context.Context, source, target string) error
	ImagePush(ctx context.Context, ref string, options image.PushOptions) (io.ReadCloser, error)
	ImageRemove(ctx context.Context, ref string, options image.RemoveOptions) ([]image.DeleteResponse, error)
}

// noAuth is an empty registry login, base64-encoded as the engine wants
// it: the workshop registry needs none.
const noAuth = "e30="

func newPrefetchCmd(g *globals) *cobra.Command {
	var pushTo string
	var list bool
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
when the lessons cannot be read.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if pushTo != "" {
				if err := checkRegistryAddr(pushTo); err != nil {
					return exitf(2, "dockstep prefetch: --push-to %q: %v", pushTo, err)
				}
			}
			ls, probs, err := g.chosenLessons(args)
			if err != nil {
				return exitf(2, "dockstep prefetch: %v", err)
			}
			if len(probs) > 0 {
				fmt.Fprintf(g.io.errOut, "%s\nwarning: these lessons have problems (dockstep lint lists them); prefetching the images of what could be read\n", probs.Error())
			}
			nd := collectNeeds(ls)
			if list {
				for _, in := range nd.Images {
					fmt.Fprintln(g.io.out, in.Ref)
				}
				return nil
			}
			if len(nd.Images) == 0 {
				fmt.Fprintln(g.io.out, "The lessons need no images.")
				return nil
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			c, e, err := g.dockerClient(ctx)
			if err != nil {
				return exitf(1, "dockstep prefetch: %v", err)
			}
			defer c.Close()
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, err = c.Ping(pctx)
			cancel()
			if err != nil {
				return exitf(1, "dockstep prefetch: cannot reach the Docker engine at %s: %v\n%s", e, err, engineAdvice(e, err))
			}
			fmt.Fprintf(g.io.out, "Fetching %d image%s into the engine at %s\n", len(nd.Images), plural(len(nd.Images)), e)
			// A bar redrawn in place needs a terminal that understands \r and ESC[K.
			p := &prefetcher{d: c, out: g.io.out, tty: g.io.outTTY && os.Getenv("TERM") != "dumb"}
			failed := p.pullAll(ctx, nd.Images)
			if pushTo != "" {
				failed += p.pushAll(ctx, pushTo)
			}
			if failed > 0 {
				what := "fetched"
				if pushTo != "" {
					what = "fetched or pushed"
				}
				return exitf(1, "dockstep prefetch: %d image%s could not be %s; see the messages above", failed, plural(failed), what)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&list, "list", false, "only print the images the lessons need, one a line (for docker save)")
	cmd.Flags().StringVar(&pushTo, "push-to", "", "then push the images into the workshop registry at `HOST:PORT`")
	return cmd
}

// checkRegistryAddr checks a HOST:PORT registry address.
func checkRegistryAddr(addr string) error {
	if strings.Contains(addr, "://") || strings.Contains(addr, "/") {
		return fmt.Errorf("give the registry as HOST:PORT, such as 192.168.1.10:5000, without a scheme or path")
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("give the registry as HOST:PORT, such as 192.168.1.10:5000: %v", err)
	}
	return nil
}

// prefetcher pulls and pushes images, reporting to out.
type prefetcher struct {
	d   prefetchEngine
	out io.Writer
	tty bool
	// present lists the images in place after pullAll, for pushAll.
	present []string
}

// pullAll pulls each image not present yet and prints a summary. It
// returns how many failed.
func (p *prefetcher) pullAll(ctx context.Context, imgs []*imageNeed) int {
	start := time.Now()
	var pulled, had, failed int
	var bytes int64
	for _, in := range imgs {
		if insp, err := p.d.ImageInspect(ctx, in.Ref); err == nil {
			fmt.Fprintf(p.out, "%s: already present (%s)\n", in.Ref, engine.HumanSize(insp.Size))
			had++
			p.present = append(p.present, in.Ref)
			continue
		}
		t, err := p.pull(ctx, in.Ref)
		if err != nil {
			fmt.Fprintf(p.out, "%s: cannot pull it: %v\n  needed by: %s\n  fix: check the network, or the registry mirror (dockstep doctor shows it), then run dockstep prefetch again\n", in.Ref, err, strings.Join(in.Lessons, ", "))
			failed++
			continue
		}
		pulled++
		bytes += t.Bytes
		p.present = append(p.present, in.Ref)
	}
	fmt.Fprintf(p.out, "Pulled %d image%s (%s), %d already present, %d failed, in %s.\n",
		pulled, plural(pulled), engine.HumanSize(bytes), had, failed, time.Since(start).Round(100*time.Millisecond))
	return failed
}

func (p *prefetcher) pull(ctx context.Context, ref string) (engine.Transfer, error) {
	rc, err := p.d.ImagePull(ctx, ref, image.PullOptions{})
	if err != nil {
		return engine.Transfer{}, err
	}
	defer rc.Close()
	return engine.Follow(rc, p.out, ref, p.tty)
}

// pushAll tags each present image into the registry at addr, pushes it,
// and removes the tag again. It returns how many failed.
func (p *prefetcher) pushAll(ctx context.Context, addr string) int {
	var pushed, failed int
	notHub := 0
	for _, ref := range p.present {
		target, hub, err := pushTarget(addr, ref)
		if err != nil {
			fmt.Fprintf(p.out, "%s: not pushed: %v\n", ref, err)
			failed++
			continue
		}
		if !hub {
			notHub++
		}
		if err := p.push(ctx, ref, target); err != nil {
			fmt.Fprintf(p.out, "%s: cannot push it to %s: %v\n  fix: check that the registry runs (curl http://%s/v2/ answers {}), and, if it is not on this machine, that this engine lists it in insecure-registries (see docs/workshop.md)\n", ref, target, err, addr)
			failed++
			continue
		}
		pushed++
	}
	fmt.Fprintf(p.out, "Pushed %d image%s to %s, %d failed.\n", pushed, plural(pushed), addr, failed)
	if pushed > 0 {
		fmt.Fprintf(p.out, "Engines that use http://%s as their registry mirror now pull Docker Hub images from it.\n", addr)
	}
	if notHub > 0 {
		fmt.Fprintf(p.out, "Not from Docker Hub: %d image%s. A mirror serves only Docker Hub images, so learners must pull those by their %s/... names.\n", notHub, plural(notHub), addr)
	}
	return failed
}

func (p *prefetcher) push(ctx context.Context, ref, target string) error {
	// A tag made already by the instructor is theirs: push it if it names
	// this very image and leave it in place; never move it.
	hadTag := false
	if have, err := p.d.ImageInspect(ctx, target); err == nil {
		src, err := p.d.ImageInspect(ctx, ref)
		if err != nil {
			return fmt.Errorf("inspecting it: %w", err)
		}
		if have.ID != src.ID {
			return fmt.Errorf("%s already names another image on this machine; dockstep leaves it alone: remove or rename that tag (docker rmi %s), then run prefetch again", target, target)
		}
		hadTag = true
	}
	if err := p.d.ImageTag(ctx, ref, target); err != nil {
		return fmt.Errorf("tagging it as %s: %w", target, err)
	}
	defer func() {
		if hadTag {
			return
		}
		// Untag only: the image itself stays under its own name.
		if _, err := p.d.ImageRemove(context.WithoutCancel(ctx), target, image.RemoveOptions{}); err != nil {
			fmt.Fprintf(p.out, "%s: could not remove the extra tag: %v (remove it with: docker rmi %s)\n", target, err, target)
		}
	}()
	rc, err := p.d.ImagePush(ctx, target, image.PushOptions{RegistryAuth: noAuth})
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = engine.Follow(rc, p.out, target, p.tty)
	return err
}

// pushTarget names ref in the registry at addr so that the registry can
// serve it as a Docker Hub mirror: busybox is addr/library/busybox:latest,
// user/app:1 is addr/user/app:1. hub says whether ref is a Docker Hub image;
// others keep their path but are served only under the new name.
func pushTarget(addr, ref string) (target string, hub bool, err error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", false, err
	}
	tag := "latest"
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	} else if _, ok := named.(reference.Digested); ok {
		return "", false, fmt.Errorf("%s is pinned by digest and has no tag to push under; name it by a tag in the lesson, or push it by hand", ref)
	}
	return addr + "/" + reference.Path(named) + ":" + tag, reference.Domain(named) == "docker.io", nil
}
