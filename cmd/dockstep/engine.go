package main

import (
	"context"
	"fmt"
	"os"

	"github.com/docker/docker/client"
)

var lookupEnv = os.Getenv

// endpoint is the Docker engine dockstep talks to, and where that choice
// came from, so that every message about the engine can name both.
type endpoint struct {
	Host   string // such as unix:///var/run/docker.sock
	Source string // such as "DOCKER_HOST" or "the default socket"
}

func (e endpoint) String() string { return fmt.Sprintf("%s (from %s)", e.Host, e.Source) }

// dockerClient builds the one Docker client a command uses. It negotiates the
// API version with the engine, so engines from Docker 20.10 on are served.
//
// TODO(issue 6): resolve the endpoint as the docker CLI does (contexts).
func (g *globals) dockerClient(ctx context.Context) (*client.Client, endpoint, error) {
	ep := endpoint{Host: client.DefaultDockerHost, Source: "the default socket"}
	opts := []client.Opt{client.WithAPIVersionNegotiation()}
	if host := lookupEnv("DOCKER_HOST"); host != "" {
		ep = endpoint{Host: host, Source: "DOCKER_HOST"}
	}
	opts = append(opts, client.WithHost(ep.Host))
	c, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, ep, fmt.Errorf("cannot use the Docker engine at %s: %w", ep, err)
	}
	return c, ep, nil
}
