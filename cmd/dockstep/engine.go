package main

import (
	"context"
	"errors"

	"github.com/dockstep/dockstep/internal/engine"
)

// engineOptions say how to find the engine: --host, then the environment
// the docker CLI reads.
func (g *globals) engineOptions() engine.Options {
	return engine.Options{Host: g.host, Getenv: g.io.env}
}

// connect makes the one Docker client a command uses, for the engine the
// learner's docker CLI uses, and makes sure the engine answers. When it
// does not, the error ends dockstep with exit status 3 and says which engine
// was tried, where that choice came from, why it failed and what to do.
// Close the client when done.
func (g *globals) connect(ctx context.Context) (*engine.Client, engine.Endpoint, error) {
	c, ep, err := engine.Connect(ctx, g.engineOptions())
	if err != nil {
		return nil, ep, engineExit(err)
	}
	return c, ep, nil
}

// engineExit is the exit of a command whose engine cannot be used: status
// 3, with the message naming the endpoint.
func engineExit(err error) error {
	var ue *engine.UnreachableError
	if errors.As(err, &ue) {
		return exitf(3, "%v", ue)
	}
	return exitf(3, "%v", err)
}
