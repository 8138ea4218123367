package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"gopkg.in/yaml.v3"

	"github.com/dockstep/dockstep/internal/clock"
)

func init() { builtinChecks["ran"] = compileRan }

// ranCheck passes when a container from the image ran since the step began,
// even if it has been removed since (docker run --rm). It reads the engine's
// event history. With name, only a container of that name counts.
type ranCheck struct {
	image    imageRef
	name     string
	exitCode *int
}

func compileRan(n *yaml.Node) (Check, error) {
	var d decoder
	c := &ranCheck{}
	d.shorthand(n, "image", "a container from which image, such as image: busybox", []string{"image", "name", "exit-code"}, "{image: busybox, exit-code: 0}",
		func(v *yaml.Node) { c.image = d.image("ran", v) },
		func(key string, v *yaml.Node) {
			switch key {
			case "image":
				c.image = d.image(key, v)
			case "name":
				c.name = d.str(key, v)
			case "exit-code":
				x := d.integer(key, v)
				c.exitCode = &x
			}
		})
	return c, d.err()
}

func (c *ranCheck) Kind() string { return "ran" }

// names lists the ways a container's image may be written in events. The
// engine matches the image filter exactly (after dropping a tag from the
// event's image), so each spelling of the reference is given; the events
// that come back are checked again with matches.
func (c *ranCheck) names(id string) []string {
	full := c.image.named.String() // docker.io/library/busybox:latest
	tag := ""
	if t, ok := c.image.named.(reference.Tagged); ok {
		tag = ":" + t.Tag()
	}
	repos := []string{reference.FamiliarName(c.image.named), c.image.named.Name()} // busybox, docker.io/library/busybox
	if strings.HasPrefix(full, "docker.io/library/") {
		repos = append(repos, strings.TrimPrefix(c.image.named.Name(), "docker.io/"))
	}
	var out []string
	for _, r := range repos {
		out = append(out, r+tag)
		if tag == ":latest" || tag == "" {
			out = append(out, r)
		}
	}
	if id != "" {
		out = append(out, id)
		if short := strings.TrimPrefix(id, "sha256:"); len(short) >= 12 {
			out = append(out, short[:12])
		}
	}
	return out
}

// ranFrom reports whether an event's image attribute is the image.
func (c *ranCheck) ranFrom(attr, id string) bool {
	if c.image.matches(attr) {
		return true
	}
	return id != "" && (attr == id || strings.HasPrefix(id, "sha256:"+attr))
}

func (c *ranCheck) Evaluate(ctx context.Context, env *Env) Result {
	insp, _, err := env.findImage(ctx, c.image)
	if err != nil {
		return engineFailure("ran", err)
	}
	args := filters.NewArgs(filters.Arg("type", string(events.ContainerEventType)), filters.Arg("event", "start"), filters.Arg("event", "die"))
	for _, n := range c.names(insp.ID) {
		args.Add("image", n)
	}
	now := clock.Or(env.Clock).Now()
	if env.Since.After(now) {
		return c.verdict(nil, nil, nil)
	}
	since := "0"
	if !env.Since.IsZero() {
		since = timestamp(env.Since)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	msgs, errs := env.Docker.Events(ctx, events.ListOptions{Since: since, Until: timestamp(now), Filters: args})
	started := map[string]bool{}
	var exits []int
	var others []string // names of the image's containers that are not the one named
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				return c.verdict(started, exits, others)
			}
			if !c.ranFrom(m.Actor.Attributes["image"], insp.ID) {
				continue
			}
			if n := m.Actor.Attributes["name"]; c.name != "" && n != c.name {
				if n != "" && !slices.Contains(others, n) {
					others = append(others, n)
				}
				continue
			}
			switch m.Action {
			case events.ActionStart:
				started[m.Actor.ID] = true
			case events.ActionDie:
				started[m.Actor.ID] = true
				if code, err := strconv.Atoi(m.Actor.Attributes["exitCode"]); err == nil {
					exits = append(exits, code)
				}
			}
		case err, ok := <-errs:
			if !ok || err == nil || errors.Is(err, io.EOF) {
				return c.verdict(started, exits, others)
			}
			return engineFailure("ran", fmt.Errorf("read the engine's events: %w", err))
		}
	}
}

// verdict says what the events showed: the containers of the image (of the
// name, when the check has one) that started or stopped, their exit codes,
// and the names of the image's other containers.
func (c *ranCheck) verdict(started map[string]bool, exits []int, others []string) Result {
	if len(started) == 0 && c.name != "" {
		msg := fmt.Sprintf("no container named %s from %s has run yet: docker run --name %s %s ...", c.name, c.image.raw, c.name, c.image.raw)
		if near := nearest(c.name, others); near != "" {
			msg = fmt.Sprintf("a container from %s ran under the name %s, not %s: run it again with --name %s (docker rm -f %s removes the other)", c.image.raw, near, c.name, c.name, near)
		}
		return Result{Kind: "ran", Message: msg}
	}
	if len(started) == 0 {
		return Result{Kind: "ran", Message: fmt.Sprintf("no container from %s has run yet: docker run %s", c.image.raw, c.image.raw)}
	}
	what := "a container from " + c.image.raw
	if c.name != "" {
		what = fmt.Sprintf("container %s, from %s,", c.name, c.image.raw)
	}
	if c.exitCode == nil {
		return Result{Kind: "ran", Passed: true, Message: what + " ran"}
	}
	for _, x := range exits {
		if x == *c.exitCode {
			return Result{Kind: "ran", Passed: true, Message: fmt.Sprintf("%s ran and exited with code %d", what, x)}
		}
	}
	if len(exits) == 0 {
		return Result{Kind: "ran", Message: fmt.Sprintf("%s started but has not exited yet; want exit code %d", what, *c.exitCode)}
	}
	var codes []string
	for _, x := range exits {
		codes = append(codes, strconv.Itoa(x))
	}
	if c.name != "" {
		return Result{Kind: "ran", Message: fmt.Sprintf("container %s exited with code %s, want %d", c.name, strings.Join(codes, ", "), *c.exitCode)}
	}
	return Result{Kind: "ran", Message: fmt.Sprintf("containers from %s exited with code %s, want %d", c.image.raw, strings.Join(codes, ", "), *c.exitCode)}
}

// timestamp writes t as the engine's events API takes it: seconds and
// nanoseconds since 1970.
func timestamp(t time.Time) string { return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond()) }
