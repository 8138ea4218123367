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
)
