package checks

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["no-container"] = compileNoContainer }

// noContainerCheck passes when no container of the image or name exists, in
// any state.
type noContainerCheck struct {
	image    *imageRef
	name     string
	commands []string // the step's commands, for the advice
}

func (c *noContainerCheck) advise(commands []string) { c.commands = commands }

// removal is the step's own docker rm -f of the named container, such as
// docker rm -f -v registry, which also removes its anonymous volumes; or
// docker rm -f NAME.
func (c *noContainerCheck) removal(names []string) string {
	plain := "docker rm -f " + strings.Join(names, " ")
	if len(names) != 1 {
		return plain
	}
	for _, cmd := range c.commands {
		for _, line := range strings.Split(cmd, "\n") {
			w := strings.Fields(line)
			if len(w) > 2 && w[0] == "docker" && (w[1] == "rm" || w[1] == "container" && w[2] == "rm") && slices.Contains(w, names[0]) && (slices.Contains(w, "-f") || slices.Contains(w, "--force") || slices.Contains(w, "-fv") || slices.Contains(w, "-vf")) {
				return strings.Join(w, " ")
			}
		}
	}
	return plain
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
	return Result{Kind: "no-container", Message: fmt.Sprintf("want no %s, but %s still exist%s: remove with %s",
		what, strings.Join(desc, ", "), map[bool]string{true: "s", false: ""}[len(list) == 1], c.removal(names))}
}
