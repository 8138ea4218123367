package checks

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["compose"] = compileCompose }

// The labels Docker Compose puts on what it creates.
const (
	composeProject = "com.docker.compose.project"
	composeService = "com.docker.compose.service"
)

// composeCheck looks at a Compose project through the labels Compose sets
// on its containers, networks and volumes.
type composeCheck struct {
	project  string
	services []string
	state    string // "running", "down" or "removed"
}

var composeStates = []string{"running", "down", "removed"}

func compileCompose(n *yaml.Node) (Check, error) {
	var d decoder
	c := &composeCheck{state: "running"}
	if n != nil && n.Kind == yaml.ScalarNode {
		c.project = d.str("compose", n)
		return c, d.err()
	}
	d.fields(n, []string{"project", "services", "state"}, "{project: catnip, services: [web, redis]}", func(key string, v *yaml.Node) {
		switch key {
		case "project":
			c.project = d.str(key, v)
		case "services":
			c.services = d.strs(key, v)
		case "state":
			c.state = d.str(key, v)
			if c.state != "" && !contains(composeStates, c.state) {
				d.errorf(v, "state %q is not one of %s", c.state, strings.Join(composeStates, ", "))
			}
		}
	})
	if n != nil && n.Kind == yaml.MappingNode {
		if !hasKey(n, "project") {
			d.errorf(n, "project is missing: which Compose project, such as project: catnip (the name: at the top of compose.yaml)")
		}
		if c.state != "running" && len(c.services) > 0 {
			d.errorf(n, "services goes with state: running only; state %s is about the whole project", c.state)
		}
	}
	return c, d.err()
}

func (c *composeCheck) Kind() string { return "compose" }

func (c *composeCheck) projectFilter(extra ...string) filters.Args {
	args := filters.NewArgs(filters.Arg("label", composeProject+"="+c.project))
	for _, e := range extra {
		args.Add("label", e)
	}
	return args
}

func (c *composeCheck) Evaluate(ctx context.Context, env *Env) Result {
	list, err := env.Docker.ContainerList(ctx, container.ListOptions{All: true, Filters: c.projectFilter()})
	if err != nil {
		return engineFailure("compose", err)
	}
	if c.state == "running" {
		return c.running(list)
	}
	var left []string
	for _, s := range list {
		left = append(left, fmt.Sprintf("container %s (%s)", containerName(s.Names), s.State))
	}
	nets, err := env.Docker.NetworkList(ctx, network.ListOptions{Filters: c.projectFilter()})
	if err != nil {
		return engineFailure("compose", err)
	}
	for _, nw := range nets {
		left = append(left, "network "+nw.Name)
	}
	var vols []string
	if c.state == "removed" {
		vl, err := env.Docker.VolumeList(ctx, volume.ListOptions{Filters: c.projectFilter()})
		if err != nil {
			return engineFailure("compose", err)
		}
		for _, v := range vl.Volumes {
			vols = append(vols, v.Name)
			left = append(left, "volume "+v.Name)
		}
	}
	if len(left) == 0 {
		if c.state == "removed" {
			return Result{Kind: "compose", Passed: true, Message: "nothing of project " + c.project + " is left, volumes included"}
		}
		return Result{Kind: "compose", Passed: true, Message: "project " + c.project + " is down: no containers, no networks"}
	}
	sort.Strings(left)
	fix := "run docker compose down in the folder of its compose.yaml"
	if c.state == "removed" {
		fix = "run docker compose down -v in the folder of its compose.yaml"
		if len(left) == len(vols) {
			fix = "docker compose down keeps volumes; docker compose down -v removes them too (or docker volume rm " + strings.Join(vols, " ") + ")"
		}
	}
	return Result{Kind: "compose", Message: fmt.Sprintf("project %s still has %s: %s", c.project, strings.Join(left, ", "), fix)}
}

// running passes when each service wanted has a running container.
func (c *composeCheck) running(list []container.Summary) Result {
	if len(list) == 0 {
		return Result{Kind: "compose", Message: fmt.Sprintf("no container belongs to a Compose project named %s: run docker compose up -d in the folder of its compose.yaml, whose first line should be name: %s", c.project, c.project)}
	}
	byService := map[string][]container.Summary{}
	for _, s := range list {
		svc := s.Labels[composeService]
		byService[svc] = append(byService[svc], s)
	}
	var wrong []string
	for _, svc := range c.services {
		ss := byService[svc]
		if len(ss) == 0 {
			have := sortedKeys(byService)
			wrong = append(wrong, fmt.Sprintf("service %s has no container (the project has %s): is it under services: in compose.yaml, spelt so?", svc, strings.Join(have, ", ")))
			continue
		}
		up := false
		var states []string
		for _, s := range ss {
			up = up || s.State == "running"
			states = append(states, fmt.Sprintf("%s is %s (%s)", containerName(s.Names), s.State, s.Status))
		}
		if !up {
			wrong = append(wrong, fmt.Sprintf("service %s is not running: %s; see why with docker compose logs %s", svc, strings.Join(states, ", "), svc))
		}
	}
	if len(c.services) == 0 {
		anyUp := false
		for _, s := range list {
			anyUp = anyUp || s.State == "running"
		}
		if !anyUp {
			wrong = append(wrong, "none of its containers is running: start them with docker compose up -d")
		}
	}
	if len(wrong) > 0 {
		return Result{Kind: "compose", Message: "project " + c.project + ": " + strings.Join(wrong, "; ")}
	}
	var names []string
	for _, s := range list {
		if s.State == "running" {
			names = append(names, containerName(s.Names))
		}
	}
	sort.Strings(names)
	return Result{Kind: "compose", Passed: true, Message: "project " + c.project + " is running: " + strings.Join(names, ", ")}
}
