package checks

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/image"
	"gopkg.in/yaml.v3"
)

// Quiz answers read from the engine: answer: {image-id: busybox},
// answer: {host-port: {container: web, port: 80}},
// answer: {container-count: {image: busybox, state: exited}}.
func init() {
	builtinAnswers["image-id"] = compileImageID
	builtinAnswers["host-port"] = compileHostPort
	builtinAnswers["container-count"] = compileContainerCount
}

// imageIDAnswer accepts the ID of an image: the short ID docker images
// shows, in any case, or any longer prefix, with or without sha256:.
type imageIDAnswer struct {
	ref imageRef
	// commands are the step's own commands, for advice.
	commands []string
}

func (a *imageIDAnswer) advise(commands []string) { a.commands = commands }

func compileImageID(n *yaml.Node) (Answer, error) {
	var d decoder
	if n == nil || n.Kind != yaml.ScalarNode {
		if n == nil {
			n = &yaml.Node{}
		}
		d.errorf(n, "image-id takes an image reference, such as {image-id: busybox}")
		return nil, d.err()
	}
	a := &imageIDAnswer{ref: d.image("image-id", n)}
	return a, d.err()
}

func (a *imageIDAnswer) id(ctx context.Context, env *Env) (string, error) {
	insp, found, err := env.findImage(ctx, a.ref)
	if err != nil {
		return "", &EngineError{Err: err}
	}
	if !found {
		fix := "docker pull " + a.ref.raw
		if cmd := lessonCommand(a.commands, "docker", a.ref.raw); cmd != "" {
			fix = cmd // docker tag, docker build or docker pull, as the step does
		}
		// A tag mistyped in the step's command leaves an image of a
		// close name: say so, as the image check does, since the quiz
		// shows no verdict of the step's checks.
		names, err := imageNames(ctx, env.Docker)
		if err != nil {
			return "", &EngineError{Err: err}
		}
		if near := nearest(a.ref.String(), names); near != "" {
			return "", fmt.Errorf("no image %s to read the ID of, but there is %s: a typo? Give the image the right name: %s", a.ref.raw, near, fix)
		}
		return "", fmt.Errorf("no image %s to read the ID of: %s", a.ref.raw, fix)
	}
	return strings.TrimPrefix(insp.ID, "sha256:"), nil
}

func (a *imageIDAnswer) Accepts(ctx context.Context, env *Env, given string) (bool, error) {
	id, err := a.id(ctx, env)
	if err != nil {
		return false, err
	}
	g := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(given)), "sha256:")
	return len(g) >= 12 && strings.HasPrefix(id, g), nil
}

// WhyWrong recognises the two mistakes docker images' list leads to: too
// few characters of the right ID, and the ID of another line.
func (a *imageIDAnswer) WhyWrong(ctx context.Context, env *Env, given string) string {
	id, err := a.id(ctx, env)
	g := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(given)), "sha256:")
	if err != nil || g == "" {
		return ""
	}
	if len(g) < 12 && strings.HasPrefix(id, g) {
		return fmt.Sprintf("%s is how the ID starts: give all twelve characters of the IMAGE ID column", g)
	}
	if len(g) < 12 {
		return ""
	}
	list, err := env.Docker.ImageList(ctx, image.ListOptions{})
	if err != nil {
		return ""
	}
	for _, im := range list {
		if !strings.HasPrefix(strings.TrimPrefix(im.ID, "sha256:"), g) || len(im.RepoTags) == 0 {
			continue
		}
		names := make([]string, len(im.RepoTags))
		for i, t := range im.RepoTags {
			names[i] = shortName(t)
		}
		return fmt.Sprintf("%s is the ID of %s, not of %s: take the IMAGE ID on the line of %s", g[:12], strings.Join(names, " and "), a.ref.raw, a.ref.raw)
	}
	return ""
}

func (a *imageIDAnswer) Answers(ctx context.Context, env *Env) ([]string, error) {
	id, err := a.id(ctx, env)
	if err != nil {
		return nil, err
	}
	return []string{id[:12]}, nil
}

// hostPortAnswer accepts the host port that a container's port is
// published on.
type hostPortAnswer struct {
	container string
	port      port
}

func compileHostPort(n *yaml.Node) (Answer, error) {
	var d decoder
	a := &hostPortAnswer{}
	d.fields(n, []string{"container", "port"}, "{container: static-site, port: 80}", func(key string, v *yaml.Node) {
		switch key {
		case "container":
			a.container = d.str(key, v)
		case "port":
			p, err := parsePort(d.str(key, v))
			if err != nil {
				d.errorf(v, "port: %v", err)
			}
			a.port = p
		}
	})
	if n != nil && n.Kind == yaml.MappingNode && (!hasKey(n, "container") || !hasKey(n, "port")) {
		d.errorf(n, "host-port needs container and port, such as {container: static-site, port: 80}")
	}
	return a, d.err()
}

func (a *hostPortAnswer) ports(ctx context.Context, env *Env) ([]string, error) {
	insp, err := env.Docker.ContainerInspect(ctx, a.container)
	if isNotFound(err) {
		return nil, fmt.Errorf("no container %s to read the port of", a.container)
	}
	if err != nil {
		return nil, &EngineError{Err: err}
	}
	// Engines from Docker 28 on can publish a port on IPv4 and IPv6 with
	// two different host ports (docker port prints a line for each): both
	// lead to the container, and the IPv4 one, which localhost reaches
	// first and docker port lists first, comes first.
	var v4, v6 []string
	if insp.NetworkSettings != nil {
		for cp, bs := range insp.NetworkSettings.Ports {
			if cp.Int() != a.port.num || cp.Proto() != a.port.proto {
				continue
			}
			for _, b := range bs {
				if strings.Contains(b.HostIP, ":") {
					v6 = append(v6, b.HostPort)
				} else {
					v4 = append(v4, b.HostPort)
				}
			}
		}
	}
	var out []string
	for _, p := range append(v4, v6...) {
		if !contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 && insp.State != nil && !insp.State.Running {
		// A stopped container keeps its port settings but holds no host
		// port: the port is chosen again when it starts.
		how := "it has stopped"
		if insp.State.Status == "created" {
			how = "it was created but never started"
		} else if insp.State.Status == "exited" {
			how = fmt.Sprintf("it has stopped (exit code %d)", insp.State.ExitCode)
		}
		return nil, fmt.Errorf("container %s is not running, so no port of this computer leads to it: %s. Start it again with docker start %s, then look again", a.container, how, a.container)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("container %s does not publish port %s", a.container, a.port)
	}
	return out, nil
}

func (a *hostPortAnswer) Accepts(ctx context.Context, env *Env, given string) (bool, error) {
	ports, err := a.ports(ctx, env)
	if err != nil {
		return false, err
	}
	g := strings.TrimSpace(given)
	if i := strings.LastIndex(g, ":"); i >= 0 { // 0.0.0.0:32768, as docker port shows it
		g = g[i+1:]
	}
	return contains(ports, g), nil
}

func (a *hostPortAnswer) Answers(ctx context.Context, env *Env) ([]string, error) {
	return a.ports(ctx, env)
}

// WhyWrong recognises the two mistakes docker port's lines lead to: the
// container's port (the left side) for the host port, and the host port
// of another of the container's ports (another line).
func (a *hostPortAnswer) WhyWrong(ctx context.Context, env *Env, given string) string {
	g := strings.TrimSpace(given)
	if i := strings.LastIndex(g, ":"); i >= 0 {
		g = g[i+1:]
	}
	g = strings.TrimSuffix(g, "/"+a.port.proto)
	if g == strconv.Itoa(a.port.num) {
		return fmt.Sprintf("%s is the port inside the container, on the left of docker port's line; the port of your computer that leads to it is on the right, after the last colon", g)
	}
	insp, err := env.Docker.ContainerInspect(ctx, a.container)
	if err != nil || insp.NetworkSettings == nil {
		return ""
	}
	for cp, bs := range insp.NetworkSettings.Ports {
		if cp.Int() == a.port.num && cp.Proto() == a.port.proto {
			continue
		}
		for _, b := range bs {
			if b.HostPort == g {
				return fmt.Sprintf("%s leads to port %s of %s, not to port %s: take the line that starts with %s", g, cp, a.container, a.port, a.port)
			}
		}
	}
	return ""
}

// containerCountAnswer accepts the number of containers of an image in a
// state.
type containerCountAnswer struct {
	image imageRef
	state string
}

func compileContainerCount(n *yaml.Node) (Answer, error) {
	var d decoder
	a := &containerCountAnswer{state: "any"}
	d.fields(n, []string{"image", "state"}, "{image: busybox, state: exited}", func(key string, v *yaml.Node) {
		switch key {
		case "image":
			a.image = d.image(key, v)
		case "state":
			a.state = d.str(key, v)
			if a.state != "" && !contains(containerStates, a.state) {
				d.errorf(v, "state %q is not one of %s", a.state, strings.Join(containerStates, ", "))
			}
		}
	})
	if n != nil && n.Kind == yaml.MappingNode && !hasKey(n, "image") {
		d.errorf(n, "image is missing: count containers of which image, such as image: busybox")
	}
	return a, d.err()
}

func (a *containerCountAnswer) count(ctx context.Context, env *Env) (int, error) {
	list, err := candidates(ctx, env, &a.image, "", true)
	if err != nil {
		return 0, &EngineError{Err: err}
	}
	n := 0
	for _, s := range list {
		if a.state == "any" || s.State == a.state {
			n++
		}
	}
	return n, nil
}

func (a *containerCountAnswer) Accepts(ctx context.Context, env *Env, given string) (bool, error) {
	n, err := a.count(ctx, env)
	if err != nil {
		return false, err
	}
	g, err := strconv.Atoi(strings.TrimSpace(given))
	return err == nil && g == n, nil
}

func (a *containerCountAnswer) Answers(ctx context.Context, env *Env) ([]string, error) {
	n, err := a.count(ctx, env)
	if err != nil {
		return nil, err
	}
	return []string{strconv.Itoa(n)}, nil
}
