package checks

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/network"
	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["network"] = compileNetwork }

// networkCheck passes when a network exists and the containers given are
// connected to it.
type networkCheck struct {
	name       string
	containers []string
}

func compileNetwork(n *yaml.Node) (Check, error) {
	var d decoder
	c := &networkCheck{}
	d.shorthand(n, "name", "which network, such as name: my-net", []string{"name", "containers"}, "{name: foodtrucks-net, containers: [es, web]}",
		func(v *yaml.Node) { c.name = d.str("network", v) },
		func(key string, v *yaml.Node) {
			switch key {
			case "name":
				c.name = d.str(key, v)
			case "containers":
				c.containers = d.strs(key, v)
			}
		})
	return c, d.err()
}

func (c *networkCheck) Kind() string { return "network" }

func (c *networkCheck) Evaluate(ctx context.Context, env *Env) Result {
	nw, err := env.Docker.NetworkInspect(ctx, c.name, network.InspectOptions{})
	if isNotFound(err) {
		msg := fmt.Sprintf("no network %s: create it with docker network create %s", c.name, c.name)
		nets, err := env.Docker.NetworkList(ctx, network.ListOptions{})
		if err != nil {
			return engineFailure("network", err)
		}
		var names []string
		for _, n := range nets {
			if n.Name != "bridge" && n.Name != "host" && n.Name != "none" { // Docker's own: never a typo of the lesson's
				names = append(names, n.Name)
			}
		}
		if near := nearest(c.name, names); near != "" {
			msg = fmt.Sprintf("no network %s, but there is a network %s: a typo? Create %s with docker network create %s (docker network rm %s removes the other, once no container is attached to it)", c.name, near, c.name, c.name, near)
		}
		return Result{Kind: "network", Message: msg}
	}
	if err != nil {
		return engineFailure("network", err)
	}
	on := map[string]bool{}
	var names []string
	for _, ep := range nw.Containers {
		on[ep.Name] = true
		names = append(names, ep.Name)
	}
	sort.Strings(names)
	var missing []string
	for _, want := range c.containers {
		if !on[want] {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		r := Result{Kind: "network", Message: fmt.Sprintf("network %s connects %s, but not %s: run the container with --network %s, or docker network connect %s %s",
			c.name, orNone(names), strings.Join(missing, ", "), c.name, c.name, missing[0])}
		for _, m := range missing {
			r.Uses = append(r.Uses, "container "+m)
		}
		return r
	}
	return Result{Kind: "network", Passed: true, Message: "network " + c.name + " is as wanted"}
}
