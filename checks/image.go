package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["image"] = compileImage }

// imageCheck passes when an image exists locally, and, for each field given,
// has that property.
type imageCheck struct {
	ref     imageRef
	base    *imageRef
	exposes []port
	cmd     []string // nil when not checked
	cmdText string   // cmd as the lesson wrote it, when given as text
	workdir string
	env     map[string]string
	labels  map[string]string
}

var imageFields = []string{"ref", "base", "exposes", "cmd", "workdir", "env", "labels"}

func compileImage(n *yaml.Node) (Check, error) {
	var d decoder
	c := &imageCheck{}
	if n != nil && n.Kind == yaml.ScalarNode {
		c.ref = d.image("image", n)
		return c, d.err()
	}
	gotRef := false
	d.fields(n, imageFields, "{ref: python:3, exposes: 5000}", func(key string, v *yaml.Node) {
		switch key {
		case "ref":
			c.ref, gotRef = d.image(key, v), true
		case "base":
			r := d.image(key, v)
			c.base = &r
		case "exposes":
			for _, it := range d.strNodes(key, v) {
				p, err := parsePort(it.Value)
				if err != nil {
					d.errorf(it, "exposes: %v", err)
				}
				c.exposes = append(c.exposes, p)
			}
		case "cmd":
			switch v.Kind {
			case yaml.ScalarNode:
				c.cmdText = d.str(key, v)
				c.cmd = []string{"/bin/sh", "-c", c.cmdText}
			case yaml.SequenceNode:
				c.cmd = []string{}
				for _, it := range v.Content {
					if it.Kind != yaml.ScalarNode {
						d.errorf(it, "cmd: each item of the exec form must be text")
						continue
					}
					c.cmd = append(c.cmd, it.Value)
				}
			default:
				d.errorf(v, "cmd must be a command line or its exec form as a list, such as [python, app.py]")
			}
		case "workdir":
			c.workdir = d.str(key, v)
			if !path.IsAbs(c.workdir) {
				d.errorf(v, "workdir %q must be an absolute path, as Docker stores it", c.workdir)
			}
		case "env":
			c.env = d.pairs(key, v)
		case "labels":
			c.labels = d.pairs(key, v)
		}
	})
	if n != nil && n.Kind == yaml.MappingNode && !gotRef {
		d.errorf(n, "ref is missing: which image, such as ref: python:3")
	}
	return c, d.err()
}

func (c *imageCheck) Kind() string { return "image" }

func (c *imageCheck) Evaluate(ctx context.Context, env *Env) Result {
	insp, found, err := env.findImage(ctx, c.ref)
	if err != nil {
		return engineFailure("image", err)
	}
	if !found {
		return c.missing(ctx, env)
	}
	var wrong []string
	if c.base != nil {
		base, found, err := env.findImage(ctx, *c.base)
		if err != nil {
			return engineFailure("image", err)
		}
		switch {
		case !found:
			wrong = append(wrong, fmt.Sprintf("its base image %s is not here to compare with; docker pull %s", c.base.raw, c.base.raw))
		case !layersPrefix(base.RootFS.Layers, insp.RootFS.Layers):
			wrong = append(wrong, fmt.Sprintf("it is not built on %s: start the Dockerfile with FROM %s and build it again", c.base.raw, c.base.raw))
		}
	}
	cfg := insp.Config
	if cfg == nil {
		cfg = &dockerspec.DockerOCIImageConfig{}
	}
	for _, p := range c.exposes {
		if _, ok := cfg.ExposedPorts[p.String()]; !ok {
			has := exposedList(cfg.ExposedPorts)
			if has == "" {
				wrong = append(wrong, fmt.Sprintf("it exposes no ports, want %s: add EXPOSE %d to the Dockerfile and build again", p, p.num))
			} else {
				wrong = append(wrong, fmt.Sprintf("it exposes %s, not %s: add EXPOSE %d to the Dockerfile and build again", has, p, p.num))
			}
		}
	}
	if c.cmd != nil && !c.cmdMatches(cfg.Cmd, cfg.WorkingDir) {
		wrong = append(wrong, fmt.Sprintf("its CMD is %s, want %s", cmdString(cfg.Cmd), c.wantCmd()))
	}
	if c.workdir != "" && path.Clean(cfg.WorkingDir) != path.Clean(c.workdir) {
		has := cfg.WorkingDir
		if has == "" {
			has = "not set"
		}
		wrong = append(wrong, fmt.Sprintf("its WORKDIR is %s, want %s", has, c.workdir))
	}
	if m := missingPairs(c.env, envMap(cfg.Env)); m != "" {
		wrong = append(wrong, "its environment lacks "+m)
	}
	if m := missingPairs(c.labels, cfg.Labels); m != "" {
		wrong = append(wrong, "its labels lack "+m)
	}
	if len(wrong) > 0 {
		return Result{Kind: "image", Message: fmt.Sprintf("image %s is here, but %s", c.ref.raw, strings.Join(wrong, "; "))}
	}
	return Result{Kind: "image", Passed: true, Message: fmt.Sprintf("image %s is here", c.ref.raw)}
}

// missing explains that the image is absent, naming the nearest image that
// exists: a likely typing mistake.
func (c *imageCheck) missing(ctx context.Context, env *Env) Result {
	names, err := imageNames(ctx, env.Docker)
	if err != nil {
		return engineFailure("image", err)
	}
	msg := fmt.Sprintf("no image %s", c.ref.raw)
	if near := nearest(c.ref.String(), names); near != "" {
		msg += fmt.Sprintf("; did you mean %s?", near)
	} else {
		msg += " (docker images does not list it)"
	}
	return Result{Kind: "image", Message: msg}
}

// cmdMatches compares the image's CMD with the lesson's. A CMD the lesson
// writes as text is what Docker stores for the shell form
// ([/bin/sh -c TEXT]); the exec form with the same words is accepted too.
// After the program, arguments that name the same file in the image's
// WORKDIR are equal: ./app.py, app.py, /usr/src/app/app.py.
func (c *imageCheck) cmdMatches(has []string, workdir string) bool {
	same := func(a, b string) bool { return samePath(a, workdir) == samePath(b, workdir) }
	if len(has) == len(c.cmd) && len(has) > 0 && has[0] == c.cmd[0] && slices.EqualFunc(has[1:], c.cmd[1:], same) {
		return true
	}
	if slices.Equal(has, c.cmd) {
		return true
	}
	return c.cmdText != "" && strings.Join(strings.Fields(c.cmdText), " ") == strings.Join(has, " ")
}

func (c *imageCheck) wantCmd() string {
	if c.cmdText != "" {
		return c.cmdText
	}
	return cmdString(c.cmd)
}

func cmdString(cmd []string) string {
	if len(cmd) == 0 {
		return "not set"
	}
	b, _ := json.Marshal(cmd)
	return strings.ReplaceAll(string(b), `","`, `", "`)
}

func layersPrefix(base, img []string) bool {
	if len(base) == 0 || len(base) > len(img) {
		return false
	}
	return slices.Equal(base, img[:len(base)])
}

func exposedList[V any](m map[string]V) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		m[k] = v
	}
	return m
}

// missingPairs lists the pairs of want that has lacks or holds with another
// value, as NAME=value, or "" when there are none.
func missingPairs(want, has map[string]string) string {
	var out []string
	for _, kv := range sortedPairs(want) {
		k, v, _ := strings.Cut(kv, "=")
		if got, ok := has[k]; !ok {
			out = append(out, kv)
		} else if got != v {
			out = append(out, fmt.Sprintf("%s (it has %s=%s)", kv, k, got))
		}
	}
	return strings.Join(out, ", ")
}
