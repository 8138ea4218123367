package checks

import (
	"context"
	"fmt"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/volume"
	"gopkg.in/yaml.v3"

	"github.com/dockstep/dockstep/internal/clock"
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
		if removedSince(ctx, env, c.name) {
			return Result{Kind: "volume", Message: fmt.Sprintf("volume %s was removed since this step began, and its data with it: docker compose down -v and docker volume rm remove volumes, docker compose down alone keeps them. Make it again as you made it before (for a Compose project, docker compose up -d), then do this step again", c.name)}
		}
		msg := fmt.Sprintf("no volume %s: create it with docker volume create %s, or run a container with -v %s:/path", c.name, c.name, c.name)
		vl, err := env.Docker.VolumeList(ctx, volume.ListOptions{})
		if err != nil {
			return engineFailure("volume", err)
		}
		var names []string
		for _, v := range vl.Volumes {
			names = append(names, v.Name)
		}
		if near := nearest(c.name, names); near != "" {
			msg = fmt.Sprintf("no volume %s, but there is a volume %s: a typo? Create %s with docker volume create %s (docker volume rm %s removes the other, once no container uses it)", c.name, near, c.name, c.name, near)
		}
		return Result{Kind: "volume", Message: msg}
	}
	if err != nil {
		return engineFailure("volume", err)
	}
	return Result{Kind: "volume", Passed: true, Message: "volume " + c.name + " exists"}
}

// removedSince reports whether the engine's events say that the volume was
// removed since the step began. Any trouble reading them means no.
func removedSince(ctx context.Context, env *Env, name string) bool {
	now := clock.Or(env.Clock).Now()
	if env.Since.IsZero() || env.Since.After(now) {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	args := filters.NewArgs(filters.Arg("type", string(events.VolumeEventType)), filters.Arg("event", "destroy"), filters.Arg("volume", name))
	msgs, errs := env.Docker.Events(ctx, events.ListOptions{Since: timestamp(env.Since), Until: timestamp(now), Filters: args})
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				return false
			}
			if m.Type == events.VolumeEventType && m.Action == events.ActionDestroy && m.Actor.ID == name {
				return true
			}
		case <-errs:
			return false
		}
	}
}
