package checks

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

func init() { builtinAnswers["exit-code"] = compileExitCodeAnswer }

// exitCodeAnswer accepts the code a container exited with, as docker ps -a
// shows it in "Exited (3)" and docker inspect in .State.ExitCode.
type exitCodeAnswer struct {
	container string
}

func compileExitCodeAnswer(n *yaml.Node) (Answer, error) {
	var d decoder
	a := &exitCodeAnswer{}
	if n != nil && n.Kind == yaml.ScalarNode {
		a.container = d.str("exit-code", n)
		return a, d.err()
	}
	d.fields(n, []string{"container"}, "{container: greeter}", func(key string, v *yaml.Node) {
		a.container = d.str(key, v)
	})
	if n != nil && n.Kind == yaml.MappingNode && !hasKey(n, "container") {
		d.errorf(n, "container is missing: the exit code of which container, such as container: greeter")
	}
	return a, d.err()
}

func (a *exitCodeAnswer) code(ctx context.Context, env *Env) (int, error) {
	insp, err := env.Docker.ContainerInspect(ctx, a.container)
	if isNotFound(err) {
		// A name mistyped in the step's command (--name greter): a quiz
		// shows no verdict of the step's checks, so say it here.
		names, err := containerNames(ctx, env.Docker)
		if err != nil {
			return 0, &EngineError{Err: err}
		}
		if near := nearest(a.container, names); near != "" {
			return 0, fmt.Errorf("there is no container named %s, so its exit code cannot be read; there is %s: a typo? Remove it (docker rm -f %s) and run the step's command, which names it %s", a.container, near, near, a.container)
		}
		return 0, fmt.Errorf("there is no container named %s, so its exit code cannot be read: run the step's command, which names it %s (docker ps -a lists the names)", a.container, a.container)
	}
	if err != nil {
		return 0, &EngineError{Err: err}
	}
	if insp.State == nil || insp.State.Running || insp.State.Status == "created" {
		return 0, fmt.Errorf("container %s has not exited, so it has no exit code yet", a.container)
	}
	return insp.State.ExitCode, nil
}

func (a *exitCodeAnswer) Accepts(ctx context.Context, env *Env, given string) (bool, error) {
	n, err := a.code(ctx, env)
	if err != nil {
		return false, err
	}
	g := strings.Trim(strings.TrimSpace(given), "()")
	g = strings.TrimSpace(strings.TrimPrefix(strings.ToLower(g), "exited"))
	g = strings.Trim(g, "() ")
	x, err := strconv.Atoi(g)
	return err == nil && x == n, nil
}

func (a *exitCodeAnswer) Answers(ctx context.Context, env *Env) ([]string, error) {
	n, err := a.code(ctx, env)
	if err != nil {
		return nil, err
	}
	return []string{strconv.Itoa(n)}, nil
}
