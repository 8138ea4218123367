package checks

import (
	"context"
	"fmt"

	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["volume"] = compileVolume }

// volumeCheck passes when a named volume exists.
type volumeCheck struct {
	name string
}

func compileVolume(n *yaml.Node) (Check, error) {
	var d decoder
	c := &volumeCheck{}
	d.shorthand(n, "name", "which volume, such as name: data", []string{"name"}, "{name: data}",
		func(v *yaml.Node) { c.name = d.str("volume", v) },
		func(key string, v *yaml.Node) { c.name = d.str(key, v) })
	return c, d.err()
}

func (c *volumeCheck) Kind() string { return "volume" }

func (c *volumeCheck) Evaluate(ctx context.Context, env *Env) Result {
	_, err := env.Docker.VolumeInspect(ctx, c.name)
	if isNotFound(err) {
		return Result{Kind: "volume", Message: fmt.Sprintf("no volume %s: create it with docker volume create %s, or run a container with -v %s:/path", c.name, c.name, c.name)}
	}
	if err != nil {
		return engineFailure("volume", err)
	}
	return Result{Kind: "volume", Passed: true, Message: "volume " + c.name + " exists"}
}
