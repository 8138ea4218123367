package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["no-image"] = compileNoImage }

// noImageCheck passes when an image is absent, as after docker rmi.
type noImageCheck struct {
	ref imageRef
}

func compileNoImage(n *yaml.Node) (Check, error) {
	var d decoder
	if n == nil || n.Kind != yaml.ScalarNode {
		if n == nil {
			n = &yaml.Node{}
		}
		d.errorf(n, "no-image takes an image reference, such as no-image: busybox")
		return nil, d.err()
	}
	c := &noImageCheck{ref: d.image("no-image", n)}
	return c, d.err()
}

func (c *noImageCheck) Kind() string { return "no-image" }

func (c *noImageCheck) Evaluate(ctx context.Context, env *Env) Result {
	_, found, err := env.findImage(ctx, c.ref)
	if err != nil {
		return engineFailure("no-image", err)
	}
	if !found {
		return Result{Kind: "no-image", Passed: true, Message: fmt.Sprintf("image %s is gone", c.ref.raw)}
	}
	msg := fmt.Sprintf("image %s is still here: remove it with docker rmi %s", c.ref.raw, c.ref.raw)
	users, err := env.Docker.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("ancestor", c.ref.named.String()))})
	if err != nil {
		return engineFailure("no-image", err)
	}
	var names []string
	for _, u := range users {
		names = append(names, containerName(u.Names))
	}
	if len(names) > 0 {
		msg += fmt.Sprintf(", after removing the containers that use it (docker rm -f %s)", strings.Join(names, " "))
	}
	return Result{Kind: "no-image", Message: msg}
}

// containerName is the name docker ps shows, without the leading slash.
func containerName(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return strings.TrimPrefix(names[0], "/")
}
