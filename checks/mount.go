package checks

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/docker/docker/api/types/container"
	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["mount"] = compileMount }

// mountCheck passes when a container has a mount at a path in it, from the
// source, of the type and with the write access given.
type mountCheck struct {
	container string
	dest      string
	source    string // a volume's name or a host path; "" means any
	typ       string // "volume", "bind" or "" for either
	readOnly  *bool
	// commands are the step's own commands, for advice.
	commands []string
}

var mountTypes = []string{"volume", "bind"}

func compileMount(n *yaml.Node) (Check, error) {
	var d decoder
	c := &mountCheck{}
	d.fields(n, []string{"container", "destination", "source", "type", "read-only"}, "{container: web, destination: /data, source: data}", func(key string, v *yaml.Node) {
		switch key {
		case "container":
			c.container = d.str(key, v)
		case "destination":
			c.dest = d.str(key, v)
			if c.dest != "" && !strings.HasPrefix(c.dest, "/") {
				d.errorf(v, "destination %q must be an absolute path in the container, such as /data", c.dest)
			}
			c.dest = filepath.Clean(c.dest)
		case "source":
			c.source = d.str(key, v)
		case "type":
			c.typ = d.str(key, v)
			if c.typ != "" && !contains(mountTypes, c.typ) {
				d.errorf(v, "type %q is not one of %s", c.typ, strings.Join(mountTypes, ", "))
			}
		case "read-only":
			b := d.boolean(key, v)
			c.readOnly = &b
		}
	})
	if n != nil && n.Kind == yaml.MappingNode {
		for _, k := range []string{"container", "destination"} {
			if !hasKey(n, k) {
				d.errorf(n, "%s is missing: a mount check needs the container's name and the path in it", k)
			}
		}
	}
	return c, d.err()
}

func (c *mountCheck) Kind() string { return "mount" }

func (c *mountCheck) advise(commands []string) { c.commands = commands }

// isHostPath tells a bind mount's source (a path) from a volume's name.
func isHostPath(s string) bool {
	return strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~")
}

// wantType is the type the check asks for, from type or else the source.
func (c *mountCheck) wantType() string {
	if c.typ != "" || c.source == "" {
		return c.typ
	}
	if isHostPath(c.source) {
		return "bind"
	}
	return "volume"
}

// hostSource is the source as the engine reports a bind mount's: absolute.
func (c *mountCheck) hostSource(dir string) string {
	src := c.source
	if !filepath.IsAbs(src) {
		src = filepath.Join(dir, src)
	}
	return filepath.Clean(src)
}

// runCommand is the step's own docker run of the container, else one with
// the -v flag the check wants.
func (c *mountCheck) runCommand() string {
	if run := lessonCommand(c.commands, "docker", " run ", c.container); run != "" {
		return run
	}
	return fmt.Sprintf("docker run --name %s %s ...", c.container, c.flag())
}

// flag is the docker run -v flag that makes the mount the check wants.
func (c *mountCheck) flag() string {
	src := c.source
	if src == "" {
		src = "SOURCE"
	}
	if c.wantType() == "bind" && !filepath.IsAbs(src) {
		src = `"$PWD/` + strings.TrimPrefix(src, "./") + `"`
	}
	f := "-v " + src + ":" + c.dest
	if c.readOnly != nil && *c.readOnly {
		f += ":ro"
	}
	return f
}

func describeMount(m container.MountPoint) string {
	if m.Type == "volume" {
		return fmt.Sprintf("volume %s at %s", m.Name, m.Destination)
	}
	return fmt.Sprintf("%s %s at %s", m.Type, m.Source, m.Destination)
}

func (c *mountCheck) Evaluate(ctx context.Context, env *Env) Result {
	insp, err := env.Docker.ContainerInspect(ctx, c.container)
	if isNotFound(err) {
		return Result{Kind: "mount", Message: fmt.Sprintf("no container named %s: start it with %s", c.container, c.runCommand()), Missing: "container " + c.container}
	}
	if err != nil {
		return engineFailure("mount", err)
	}
	var at *container.MountPoint
	var others []string
	for i, m := range insp.Mounts {
		if filepath.Clean(m.Destination) == c.dest {
			at = &insp.Mounts[i]
		} else {
			others = append(others, describeMount(m))
		}
	}
	who := "container " + c.container
	if at == nil {
		msg := fmt.Sprintf("%s has nothing mounted at %s", who, c.dest)
		if len(others) > 0 {
			msg += " (it mounts " + strings.Join(others, ", ") + ")"
		}
		msg += fmt.Sprintf(": mounts are set when a container is created, so remove it (docker rm -f %s) and run it again: %s", c.container, c.runCommand())
		return Result{Kind: "mount", Message: msg, Wrong: who}
	}
	var wrong []string
	if t := c.wantType(); t != "" && string(at.Type) != t {
		wrong = append(wrong, fmt.Sprintf("a %s mount, not a %s mount", at.Type, t))
	}
	if c.source != "" && len(wrong) == 0 {
		if at.Type == "volume" && at.Name != c.source {
			wrong = append(wrong, fmt.Sprintf("not volume %s", c.source))
		}
		if at.Type == "bind" && filepath.Clean(at.Source) != c.hostSource(env.Dir) {
			w := fmt.Sprintf("not the folder %s", c.hostSource(env.Dir))
			if !filepath.IsAbs(c.source) && env.Dir != "" {
				// $PWD was another folder: the command ran elsewhere.
				w += fmt.Sprintf(" (run the command in %s: cd %s)", env.Dir, env.Dir)
			}
			wrong = append(wrong, w)
		}
	}
	if c.readOnly != nil && at.RW == *c.readOnly {
		if *c.readOnly {
			wrong = append(wrong, "writable, not read-only (:ro after the path in the container makes it so)")
		} else {
			wrong = append(wrong, "read-only, not writable (drop the :ro)")
		}
	}
	if len(wrong) > 0 {
		return Result{Kind: "mount", Message: fmt.Sprintf("%s mounts %s: %s. Mounts are set when a container is created: remove it (docker rm -f %s) and run it again: %s", who, describeMount(*at), strings.Join(wrong, "; "), c.container, c.runCommand()), Wrong: who}
	}
	return Result{Kind: "mount", Passed: true, Message: fmt.Sprintf("%s mounts %s", who, describeMount(*at))}
}
