package dockertest

import (
	"context"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
)

// TestEngineRunsBusybox proves the engine the tests use really runs
// containers: it imports the busybox image, runs a command in a container
// with the docker CLI and reads the command's output back.
func TestEngineRunsBusybox(t *testing.T) {
	c := Client(t)
	ref := Name("dockstep-test/busybox") + ":latest"
	id := Busybox(t, c, ref)
	if !strings.HasPrefix(id, "sha256:") {
		t.Fatalf("image ID = %q, want a sha256 digest", id)
	}
	name := Name("dockstep-hello")
	RemoveContainerAtEnd(t, c, name)
	out := Run(t, "run", "--name", name, ref, "echo", "hello from busybox")
	if out != "hello from busybox" {
		t.Fatalf("docker run printed %q, want %q", out, "hello from busybox")
	}
	insp, err := c.ContainerInspect(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if insp.State.Status != container.StateExited || insp.State.ExitCode != 0 {
		t.Fatalf("container state = %s (exit %d), want exited (exit 0)", insp.State.Status, insp.State.ExitCode)
	}
}
