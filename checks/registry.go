package checks

// Default returns a registry with every check kind and answer kind that
// dockstep knows.
func Default() *Registry {
	r := NewRegistry()
	for kind, f := range builtinChecks {
		r.Register(kind, f)
	}
	for kind, f := range builtinAnswers {
		r.RegisterAnswer(kind, f)
	}
	return r
}

// builtinChecks and builtinAnswers are filled in by each kind's file, in an
// init function, so that adding a kind touches only its own file.
var (
	builtinChecks  = map[string]CompileFunc{}
	builtinAnswers = map[string]AnswerFunc{}
	// engineFree holds the kinds that never ask the Docker engine.
	engineFree = map[string]bool{}
)

// NeedsEngine reports whether a check of the kind asks the Docker engine,
// so that a command can skip connecting when no check of a step does. Kinds
// that are not built in are assumed to.
func NeedsEngine(kind string) bool { return !engineFree[kind] }
