package checks

import (
	"context"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["no-container"] = compileNoContainer }

// noContainerCheck passes when no container of the image or name exists, in
// any state.
type noContainerCheck struct {
	image *imageRef
	name  string
}

func compileNoContainer(n *yaml.Node) (Check, error) {
	var d decoder
	c := &noContainerCheck{}
	d.fields(n, []string{"image", "name"}, "{name: web}", func(key string, v *yaml.Node) {
		switch key {
		case "image":
			r := d.image(key, v)
			c.image = &r
		case "name":
			c.name = d.str(key, v)
		}
	})
	if n != nil && n.Kind == yaml.MappingNode && c.image == nil && c.name == "" {
		d.errorf(n, "give image or name: which containers must be gone")
	}
	return c, d.err()
}

func (c *noContainerCheck) Kind() string { return "no-container" }

func (c *noContainerCheck) Evaluate(ctx context.Context, env *Env) Result {
	list, err := candidates(ctx, env, c.image, c.name, true)
	if err != nil {
		return engineFailure("no-container", err)
	}
	what := (&containerCheck{image: c.image, name: c.name}).what()
	if len(list) == 0 {
		return Result{Kind: "no-container", Passed: true, Message: "no " + what + " is left"}
	}
	var desc, names []string
	for _, s := range list {
		name := containerName(s.Names)
		names = append(names, name)
		desc = append(desc, fmt.Sprintf("%s (%s)", name, s.State))
	}
	return Result{Kind: "no-container", Message: fmt.Sprintf("want no %s, but %s still exist%s: remove with docker rm -f %s",
		what, strings.Join(desc, ", "), map[bool]string{true: "s", false: ""}[len(list) == 1], strings.Join(names, " "))}
}
