package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/docker/docker/client"

	"github.com/dockstep/dockstep/internal/engine"
)

var lookupEnv = os.Getenv

// endpoint is the Docker engine dockstep talks to, and where that choice
// came from, so that every message about the engine can name both.
type endpoint struct {
	Host   string // such as unix:///var/run/docker.sock
	Source string // such as "DOCKER_HOST", "context colima (DOCKER_CONTEXT)" or "the default socket"
}

func (e endpoint) String() string { return fmt.Sprintf("%s (from %s)", e.Host, e.Source) }

// resolveEndpoint finds the engine the learner's docker CLI uses: --host,
// DOCKER_HOST, DOCKER_CONTEXT, then the current context of the CLI's
// config.json, else the default socket.
func (g *globals) resolveEndpoint() (engine.Endpoint, error) {
	ep, err := engine.Resolve(engine.Options{Host: g.host, Getenv: lookupEnv})
	if err != nil {
		return ep, fmt.Errorf("finding the Docker engine your docker command uses: %w", err)
	}
	return ep, nil
}

// dockerClient builds the one Docker client a command uses, for the engine
// the learner's docker CLI uses. It negotiates the API version with the
// engine, so engines from Docker 20.10 on are served, whatever
// DOCKER_API_VERSION says.
func (g *globals) dockerClient(ctx context.Context) (*client.Client, endpoint, error) {
	ep, err := g.resolveEndpoint()
	if err != nil {
		return nil, endpoint{}, err
	}
	e := endpoint{Host: ep.Host, Source: ep.Source}
	c, err := engine.NewClient(ep)
	if err != nil {
		return nil, e, fmt.Errorf("cannot use the Docker engine at %s: %w", e, err)
	}
	return c, e, nil
}

// connect builds the Docker client and makes sure the engine answers. When
// it does not, the error ends dockstep with exit status 3 and says which
// engine was tried, where that choice came from, why it failed and what to
// do. Close the client when done.
func (g *globals) connect(ctx context.Context) (*client.Client, endpoint, error) {
	c, ep, err := g.dockerClient(ctx)
	if err != nil {
		return nil, ep, exitf(3, "%v", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	_, err = c.Ping(pctx)
	cancel()
	if err != nil {
		c.Close()
		return nil, ep, exitf(3, "cannot reach the Docker engine at %s: %s", ep, engineAdvice(ep, err))
	}
	return c, ep, nil
}

// engineAdvice says what to do when the engine at ep cannot be reached
// with err: start it, fix the socket's permission, or pick another engine.
// The Docker client hides why a connection failed, so the endpoint's socket
// or address is dialled again here to learn it.
func engineAdvice(ep endpoint, err error) string {
	if cause := dialErr(ep); cause != nil {
		err = cause
	}
	sock, isUnix := strings.CutPrefix(ep.Host, "unix://")
	switch {
	case errors.Is(err, syscall.EACCES) || errors.Is(err, os.ErrPermission) || strings.Contains(err.Error(), "permission denied"):
		return fmt.Sprintf("you may not use the socket %s: join the docker group with \"sudo usermod -aG docker $USER\", then log out and back in (or run a rootless engine: https://docs.docker.com/engine/security/rootless/)", sock)
	case isUnix && (errors.Is(err, syscall.ENOENT) || strings.Contains(err.Error(), "no such file")):
		if strings.HasPrefix(ep.Source, "context ") {
			return fmt.Sprintf("nothing listens at %s: start the engine of that context (for colima: \"colima start\"; for Docker Desktop: open the app), or switch with \"docker context use default\"", sock)
		}
		return fmt.Sprintf("nothing listens at %s: start Docker (Docker Desktop: open the app; colima: \"colima start\"; Linux: \"sudo systemctl start docker\")", sock)
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(err.Error(), "connection refused"):
		return "the engine is not running there: start Docker, or point dockstep at the right engine with --host, DOCKER_HOST or \"docker context use\""
	case strings.HasPrefix(ep.Host, "ssh://"):
		return fmt.Sprintf("check that \"%s docker version\" works from this terminal without asking for a password (use an SSH key or agent), and that Docker runs on that machine", sshCommandLine(ep.Host))
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return "the engine did not answer in time: check that it is running and that the network to it works"
	}
	return "check that Docker is running (\"docker version\" shows the engine's version when it is), or point dockstep at the right engine with --host, DOCKER_HOST or \"docker context use\""
}

// dialErr dials the endpoint's socket or TCP address and returns why that
// fails; nil when it works or the endpoint is of another kind.
func dialErr(ep endpoint) error {
	var network, addr string
	switch {
	case strings.HasPrefix(ep.Host, "unix://"):
		network, addr = "unix", strings.TrimPrefix(ep.Host, "unix://")
	case strings.HasPrefix(ep.Host, "tcp://"):
		u, err := url.Parse(ep.Host)
		if err != nil {
			return nil
		}
		network, addr = "tcp", u.Host
	default:
		return nil
	}
	conn, err := net.DialTimeout(network, addr, 3*time.Second)
	if err != nil {
		return err
	}
	conn.Close()
	return nil
}

// sshCommandLine is the ssh command a learner types to reach the machine of
// an ssh:// engine address.
func sshCommandLine(host string) string {
	u, err := url.Parse(host)
	if err != nil {
		return "ssh " + strings.TrimPrefix(host, "ssh://")
	}
	cmd := "ssh "
	if p := u.Port(); p != "" {
		cmd += "-p " + p + " "
	}
	if u.User != nil {
		cmd += u.User.Username() + "@"
	}
	return cmd + u.Hostname()
}
