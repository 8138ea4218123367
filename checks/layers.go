package checks

import (
	"context"
	"fmt"

	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["layers"] = compileLayers }

// layersCheck passes when an image reuses the layers of another: they start
// with the same layers, and at most new-layers of the image's come after
// the ones they share. An image rebuilt after a change to a file copied
// late in its Dockerfile shares every layer up to that COPY.
type layersCheck struct {
	image     imageRef
	reuses    imageRef
	newLayers int
}

func compileLayers(n *yaml.Node) (Check, error) {
	var d decoder
	c := &layersCheck{newLayers: -1}
	d.fields(n, []string{"image", "reuses", "new-layers"}, "{image: app:v2, reuses: app:v1, new-layers: 1}", func(key string, v *yaml.Node) {
		switch key {
		case "image":
			c.image = d.image(key, v)
		case "reuses":
			c.reuses = d.image(key, v)
		case "new-layers":
			c.newLayers = d.integer(key, v)
			if c.newLayers < 0 {
				d.errorf(v, "new-layers must be 0 or more")
			}
		}
	})
	if n != nil && n.Kind == yaml.MappingNode {
		for _, k := range []string{"image", "reuses", "new-layers"} {
			if !hasKey(n, k) {
				d.errorf(n, "%s is missing: a layers check compares image with the image it reuses, and allows new-layers after the shared ones", k)
			}
		}
	}
	return c, d.err()
}

func (c *layersCheck) Kind() string { return "layers" }

func (c *layersCheck) Evaluate(ctx context.Context, env *Env) Result {
	var layers [2][]string
	for i, r := range []imageRef{c.image, c.reuses} {
		insp, found, err := env.findImage(ctx, r)
		if err != nil {
			return engineFailure("layers", err)
		}
		if !found {
			res := (&imageCheck{ref: r}).missing(ctx, env)
			res.Kind = "layers"
			return res
		}
		layers[i] = insp.RootFS.Layers
	}
	img, old := layers[0], layers[1]
	shared := 0
	for shared < len(img) && shared < len(old) && img[shared] == old[shared] {
		shared++
	}
	added := len(img) - shared
	if added <= c.newLayers {
		return Result{Kind: "layers", Passed: true, Message: fmt.Sprintf("image %s reuses %d of its %d layers from %s", c.image.raw, shared, len(img), c.reuses.raw)}
	}
	msg := fmt.Sprintf("image %s shares only its first %d layers with %s; the %d after them were built anew, want at most %d", c.image.raw, shared, c.reuses.raw, added, c.newLayers)
	if shared == 0 {
		msg = fmt.Sprintf("image %s shares no layer with %s: are they built from the same Dockerfile, on the same base image?", c.image.raw, c.reuses.raw)
	} else {
		msg += ": the build cache reuses steps until the first one whose files changed, and rebuilds everything after it. Either a file an early step copies changed too (the list of dependencies?), or the Dockerfile copies the source before the steps that change least (copying the list of dependencies and installing them): keep those first, and between the two builds change only the source"
	}
	return Result{Kind: "layers", Message: msg}
}
