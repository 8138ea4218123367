package main

import (
	"context"

	"github.com/dockstep/dockstep/internal/engine"
)

// engineOptions say how to find the engine: --host, then the environment
// the docker CLI reads.
func (g *globals) engineOptions() engine.Options {
	return engine.Options{Host: g.host, Getenv: g.io.Env}
}

// connectAs is a command's engine factory: it makes the one Docker client,
// for the engine the learner's docker CLI uses, makes sure the engine
// answers, and gives it as E, the small interface the command needs. When
// the engine does not answer, the error (an *engine.UnreachableError)
// ends dockstep with exit status 3 (exitFor) and says which engine was
// tried, where that choice came from, why it failed and what to do. The
// caller closes what it gets.
func connectAs[E any](g *globals) func(context.Context) (E, engine.Endpoint, error) {
	return func(ctx context.Context) (E, engine.Endpoint, error) {
		var e E
		c, ep, err := engine.Connect(ctx, g.engineOptions())
		if err != nil {
			return e, ep, err
		}
		return any(c).(E), ep, nil
	}
}
