package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/internal/iostreams"
)

// doctorLessons are the fixture lessons of doctor and prefetch, kept beside
// the package that reads their needs.
var doctorLessons = filepath.Join("..", "..", "internal", "workshop", "testdata", "lessons")

// contextsDir is a fixture docker configuration folder, with contexts.
func contextsDir(t *testing.T, name string) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "..", "internal", "engine", "testdata", "contexts", name))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// mapEnv is an environment holding only m.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// engineEnv is an environment that makes the commands use the engine the
// tests use (DOCKER_HOST or the default socket), whatever the machine's
// docker contexts say.
func engineEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{"DOCKER_HOST": os.Getenv("DOCKER_HOST"), "DOCKER_CONFIG": contextsDir(t, "none")}
}

// runEnv runs dockstep with args in the environment env (nil: this
// process's) and returns its exit code and output.
func runEnv(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := &iostreams.Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	if env != nil {
		io.Getenv = mapEnv(env)
	}
	code = run(args, io)
	return code, out.String(), errOut.String()
}

// runCapture runs dockstep with args and returns its exit code and output.
func runCapture(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runEnv(t, nil, args...)
}
