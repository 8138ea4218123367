package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/go-units"
	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["image-size"] = compileImageSize }

// imageSizeCheck passes when an image is no bigger than a bound, smaller
// than another image, or both.
type imageSizeCheck struct {
	ref         imageRef
	max         int64 // bytes; 0 means no bound
	maxText     string
	smallerThan *imageRef
}

func compileImageSize(n *yaml.Node) (Check, error) {
	var d decoder
	c := &imageSizeCheck{}
	d.fields(n, []string{"ref", "max", "smaller-than"}, "{ref: hello:small, max: 20MB}", func(key string, v *yaml.Node) {
		switch key {
		case "ref":
			c.ref = d.image(key, v)
		case "max":
			c.maxText = d.str(key, v)
			if c.maxText == "" {
				return
			}
			b, err := units.FromHumanSize(c.maxText)
			if err != nil || b <= 0 {
				d.errorf(v, "max %q is not a size such as 20MB or 1.5GB", c.maxText)
			}
			c.max = b
		case "smaller-than":
			r := d.image(key, v)
			c.smallerThan = &r
		}
	})
	if n != nil && n.Kind == yaml.MappingNode {
		if !hasKey(n, "ref") {
			d.errorf(n, "ref is missing: which image to weigh")
		}
		if !hasKey(n, "max") && !hasKey(n, "smaller-than") {
			d.errorf(n, "give max, smaller-than or both: what the image's size is compared with")
		}
	}
	return c, d.err()
}

func (c *imageSizeCheck) Kind() string { return "image-size" }

// size prints bytes as docker images does: decimal units, three digits.
func size(b int64) string { return units.HumanSizeWithPrecision(float64(b), 3) }

func (c *imageSizeCheck) Evaluate(ctx context.Context, env *Env) Result {
	insp, found, err := env.findImage(ctx, c.ref)
	if err != nil {
		return engineFailure("image-size", err)
	}
	if !found {
		r := (&imageCheck{ref: c.ref}).missing(ctx, env)
		r.Kind = "image-size"
		return r
	}
	// over says what the image is bigger than, in one sentence; a
	// missing image to compare with is said apart, as it is not the
	// image's fault.
	var over, msgs []string
	if c.max > 0 && insp.Size > c.max {
		over = append(over, "more than "+c.maxText)
	}
	if c.smallerThan != nil {
		other, found, err := env.findImage(ctx, *c.smallerThan)
		if err != nil {
			return engineFailure("image-size", err)
		}
		switch {
		case !found:
			msgs = append(msgs, fmt.Sprintf("image %s, to compare %s with, is not here: build it first", c.smallerThan.raw, c.ref.raw))
		case insp.Size >= other.Size:
			over = append(over, fmt.Sprintf("not smaller than %s (%s)", c.smallerThan.raw, size(other.Size)))
		}
	}
	if len(over) > 0 {
		msgs = append([]string{fmt.Sprintf("image %s is too big at %s: %s; docker history %s shows which layers weigh most", c.ref.raw, size(insp.Size), strings.Join(over, " and "), c.ref.raw)}, msgs...)
	}
	if len(msgs) > 0 {
		return Result{Kind: "image-size", Message: strings.Join(msgs, "; ")}
	}
	return Result{Kind: "image-size", Passed: true, Message: fmt.Sprintf("image %s is %s", c.ref.raw, size(insp.Size))}
}
