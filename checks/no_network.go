package checks

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/network"
	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["no-network"] = compileNoNetwork }

// noNetworkCheck passes when a network is gone, as after docker network rm.
type noNetworkCheck struct {
	name string
}

func compileNoNetwork(n *yaml.Node) (Check, error) {
	var d decoder
	c := &noNetworkCheck{}
	if n == nil || n.Kind != yaml.ScalarNode {
		d.errorf(orLine(n), "no-network takes a network's name, such as no-network: my-net")
		return c, d.err()
	}
	c.name = d.str("no-network", n)
	return c, d.err()
}

func (c *noNetworkCheck) Kind() string { return "no-network" }

func (c *noNetworkCheck) Evaluate(ctx context.Context, env *Env) Result {
	nw, err := env.Docker.NetworkInspect(ctx, c.name, network.InspectOptions{})
	if isNotFound(err) {
		return Result{Kind: "no-network", Passed: true, Message: "network " + c.name + " is gone"}
	}
	if err != nil {
		return engineFailure("no-network", err)
	}
	msg := fmt.Sprintf("network %s is still here: remove it with docker network rm %s", c.name, c.name)
	var names []string
	for _, ep := range nw.Containers {
		names = append(names, ep.Name)
	}
	if len(names) > 0 {
		sort.Strings(names)
		msg += fmt.Sprintf(", once no container is attached to it (%s: docker rm -f %s)", strings.Join(names, ", "), strings.Join(names, " "))
	}
	return Result{Kind: "no-network", Message: msg}
}
