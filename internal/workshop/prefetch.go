package workshop

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/dockstep/dockstep/internal/engine"
)

// PrefetchEngine is the part of the Docker API prefetch uses.
type PrefetchEngine interface {
	ImageInspect(ctx context.Context, ref string, opts ...client.ImageInspectOption) (image.InspectResponse, error)
	ImagePull(ctx context.Context, ref string, options image.PullOptions) (io.ReadCloser, error)
	ImageTag(ctx context.Context, source, target string) error
	ImagePush(ctx context.Context, ref string, options image.PushOptions) (io.ReadCloser, error)
	ImageRemove(ctx context.Context, ref string, options image.RemoveOptions) ([]image.DeleteResponse, error)
}

// noAuth is an empty registry login, base64-encoded as the engine wants
// it: the workshop registry needs none.
const noAuth = "e30="

// CheckRegistryAddr checks a HOST:PORT registry address.
func CheckRegistryAddr(addr string) error {
	if strings.Contains(addr, "://") || strings.Contains(addr, "/") {
		return fmt.Errorf("give the registry as HOST:PORT, such as 192.168.1.10:5000, without a scheme or path")
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("give the registry as HOST:PORT, such as 192.168.1.10:5000: %v", err)
	}
	return nil
}

// Prefetcher pulls and pushes images, reporting to Out.
type Prefetcher struct {
	Engine PrefetchEngine
	Out    io.Writer
	// TTY redraws progress bars in place.
	TTY bool
	// present lists the images in place after PullAll, for PushAll.
	present []string
}

// PullAll pulls each image not present yet and prints a summary. It
// returns how many failed.
func (p *Prefetcher) PullAll(ctx context.Context, imgs []*ImageNeed) int {
	start := time.Now()
	var pulled, had, failed int
	var bytes int64
	unsized := 0
	for _, in := range imgs {
		if insp, err := p.Engine.ImageInspect(ctx, in.Ref); err == nil {
			fmt.Fprintf(p.Out, "%s: already present (%s)\n", in.Ref, engine.HumanSize(insp.Size))
			had++
			p.present = append(p.present, in.Ref)
			continue
		}
		t, err := p.pull(ctx, in.Ref)
		if err != nil {
			fmt.Fprintf(p.Out, "%s: cannot pull it: %v\n  needed by: %s\n  fix: check the network, or the registry mirror (dockstep doctor shows it), then run dockstep prefetch again\n", in.Ref, err, strings.Join(in.Lessons, ", "))
			failed++
			continue
		}
		pulled++
		bytes += t.Bytes
		unsized += t.Unsized
		p.present = append(p.present, in.Ref)
	}
	size := engine.HumanSize(bytes)
	if unsized > 0 {
		size += fmt.Sprintf(" and %d layer%s whose size the engine did not report", unsized, plural(unsized))
	}
	fmt.Fprintf(p.Out, "Pulled %d image%s (%s), %d already present, %d failed, in %s.\n",
		pulled, plural(pulled), size, had, failed, time.Since(start).Round(100*time.Millisecond))
	return failed
}

func (p *Prefetcher) pull(ctx context.Context, ref string) (engine.Transfer, error) {
	rc, err := p.Engine.ImagePull(ctx, ref, image.PullOptions{})
	if err != nil {
		return engine.Transfer{}, err
	}
	defer rc.Close()
	return engine.Follow(rc, p.Out, ref, p.TTY)
}

// PushAll tags each present image into the registry at addr, pushes it,
// and removes the tag again. It returns how many failed.
func (p *Prefetcher) PushAll(ctx context.Context, addr string) int {
	var pushed, failed int
	notHub := 0
	for _, ref := range p.present {
		target, hub, err := pushTarget(addr, ref)
		if err != nil {
			fmt.Fprintf(p.Out, "%s: not pushed: %v\n", ref, err)
			failed++
			continue
		}
		if !hub {
			notHub++
		}
		if err := p.push(ctx, ref, target); err != nil {
			fmt.Fprintf(p.Out, "%s: cannot push it to %s: %v\n  fix: check that the registry runs (curl http://%s/v2/ answers {}), and, if it is not on this machine, that this engine lists it in insecure-registries (see docs/workshop.md)\n", ref, target, err, addr)
			failed++
			continue
		}
		pushed++
	}
	fmt.Fprintf(p.Out, "Pushed %d image%s to %s, %d failed.\n", pushed, plural(pushed), addr, failed)
	if pushed > 0 {
		fmt.Fprintf(p.Out, "Engines that use http://%s as their registry mirror now pull Docker Hub images from it.\n", addr)
	}
	if notHub > 0 {
		fmt.Fprintf(p.Out, "Not from Docker Hub: %d image%s. A mirror serves only Docker Hub images, so learners must pull those by their %s/... names.\n", notHub, plural(notHub), addr)
	}
	return failed
}

func (p *Prefetcher) push(ctx context.Context, ref, target string) error {
	// A tag made already by the instructor is theirs: push it if it names
	// this very image and leave it in place; never move it.
	hadTag := false
	if have, err := p.Engine.ImageInspect(ctx, target); err == nil {
		src, err := p.Engine.ImageInspect(ctx, ref)
		if err != nil {
			return fmt.Errorf("inspecting it: %w", err)
		}
		if have.ID != src.ID {
			return fmt.Errorf("%s already names another image on this machine; dockstep leaves it alone: remove or rename that tag (docker rmi %s), then run prefetch again", target, target)
		}
		hadTag = true
	}
	if err := p.Engine.ImageTag(ctx, ref, target); err != nil {
		return fmt.Errorf("tagging it as %s: %w", target, err)
	}
	defer func() {
		if hadTag {
			return
		}
		// Untag only: the image itself stays under its own name.
		if _, err := p.Engine.ImageRemove(context.WithoutCancel(ctx), target, image.RemoveOptions{}); err != nil {
			fmt.Fprintf(p.Out, "%s: could not remove the extra tag: %v (remove it with: docker rmi %s)\n", target, err, target)
		}
	}()
	rc, err := p.Engine.ImagePush(ctx, target, image.PushOptions{RegistryAuth: noAuth})
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = engine.Follow(rc, p.Out, target, p.TTY)
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
