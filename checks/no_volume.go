package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["no-volume"] = compileNoVolume }

// noVolumeCheck passes when a named volume is gone, as after docker volume rm.
type noVolumeCheck struct {
	name string
}

func compileNoVolume(n *yaml.Node) (Check, error) {
	var d decoder
	c := &noVolumeCheck{}
	if n == nil || n.Kind != yaml.ScalarNode {
		d.errorf(orLine(n), "no-volume takes a volume's name, such as no-volume: data")
		return c, d.err()
	}
	c.name = d.str("no-volume", n)
	return c, d.err()
}

func orLine(n *yaml.Node) *yaml.Node {
	if n == nil {
		return &yaml.Node{}
	}
	return n
}

func (c *noVolumeCheck) Kind() string { return "no-volume" }

func (c *noVolumeCheck) Evaluate(ctx context.Context, env *Env) Result {
	_, err := env.Docker.VolumeInspect(ctx, c.name)
	if isNotFound(err) {
		return Result{Kind: "no-volume", Passed: true, Message: "volume " + c.name + " is gone"}
	}
	if err != nil {
		return engineFailure("no-volume", err)
	}
	msg := fmt.Sprintf("volume %s is still here: remove it with docker volume rm %s", c.name, c.name)
	users, err := env.Docker.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("volume", c.name))})
	if err != nil {
		return engineFailure("no-volume", err)
	}
	if len(users) > 0 {
		var names []string
		for _, s := range users {
			names = append(names, containerName(s.Names))
		}
		msg += fmt.Sprintf(", once no container uses it (%s still do%s: docker rm -f %s)", strings.Join(names, ", "), map[bool]string{true: "es", false: ""}[len(names) == 1], strings.Join(names, " "))
	}
	return Result{Kind: "no-volume", Message: msg}
}
