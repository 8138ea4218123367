// Package dockertest gives tests a real Docker engine and small images made
// on the spot, since no public registry can be reached where tests run.
//
// Without an engine, tests that need one are skipped, unless
// DOCKSTEP_REQUIRE_DOCKER=1 is set (as .ci/run does), which makes them fail.
package dockertest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

// Required reports whether DOCKSTEP_REQUIRE_DOCKER asks for the engine.
func Required() bool { return os.Getenv("DOCKSTEP_REQUIRE_DOCKER") == "1" }

// Client returns a client for the engine of DOCKER_HOST or the default
// socket, after checking that the engine answers.
func Client(t testing.TB) *client.Client {
	t.Helper()
	c, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = c.Ping(ctx)
	}
	if err != nil {
		if Required() {
			t.Fatalf("DOCKSTEP_REQUIRE_DOCKER=1 but the Docker engine cannot be reached: %v", err)
		}
		t.Skipf("no Docker engine (%v); set DOCKSTEP_REQUIRE_DOCKER=1 to make this a failure", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ContainerdStore reports whether the engine keeps its images in the
// containerd image store, which reports some things differently (pull
// progress, image IDs).
func ContainerdStore(t testing.TB, c *client.Client) bool {
	t.Helper()
	info, err := c.Info(context.Background())
	if err != nil {
		t.Fatalf("docker info: %v", err)
	}
	// As engine.ImageStore tells it (whose package's tests use this one).
	for _, kv := range info.DriverStatus {
		if kv[0] == "driver-type" && kv[1] == "io.containerd.snapshotter.v1" {
			return true
		}
	}
	return false
}

// Name returns a name unique to this run, for images, containers, volumes
// and networks a test creates: prefix followed by a random suffix.
func Name(prefix string) string {
	b := make([]byte, 4)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

var (
	rootfsOnce sync.Once
	rootfs     []byte
	rootfsErr  error
)

// BusyboxRootfs returns a tar archive of a root file system holding the
// machine's static busybox and a link for each of its applets.
func BusyboxRootfs() ([]byte, error) {
	rootfsOnce.Do(func() { rootfs, rootfsErr = buildRootfs() })
	return rootfs, rootfsErr
}

func buildRootfs() ([]byte, error) {
	path, err := exec.LookPath("busybox")
	if err != nil {
		return nil, fmt.Errorf("busybox is not installed (apt-get install busybox-static): %w", err)
	}
	bin, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(path, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("busybox --list: %w", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(name string) {
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755})
	}
	file := func(name string, mode int64, data []byte) {
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data))})
		tw.Write(data)
	}
	dir("bin/")
	dir("etc/")
	dir("tmp/")
	dir("root/")
	file("bin/busybox", 0o755, bin)
	for _, app := range strings.Fields(string(out)) {
		if app != "busybox" {
			tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + app, Linkname: "busybox", Mode: 0o777})
		}
	}
	file("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"))
	file("etc/group", 0o644, []byte("root:x:0:\nnobody:x:65534:\n"))
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Busybox imports the busybox root file system as image ref, with extra
// Dockerfile-style changes (such as `EXPOSE 80`), removes it when the test
// ends, and returns its ID.
func Busybox(t testing.TB, c *client.Client, ref string, changes ...string) string {
	t.Helper()
	ctx := context.Background()
	tarball, err := BusyboxRootfs()
	if err != nil {
		t.Fatal(err)
	}
	changes = append([]string{`CMD ["sh"]`, "ENV PATH=/bin"}, changes...)
	removeImageAtEnd(t, c, ref)
	rc, err := c.ImageImport(ctx, image.ImportSource{Source: bytes.NewReader(tarball), SourceName: "-"}, ref, image.ImportOptions{Changes: changes})
	if err != nil {
		t.Fatalf("import %s: %v", ref, err)
	}
	// The engine reports a failed import in the stream, not as an error.
	var msg struct {
		Error string `json:"error"`
	}
	dec := json.NewDecoder(rc)
	for dec.Decode(&msg) == nil {
		if msg.Error != "" {
			rc.Close()
			t.Fatalf("import %s: %s", ref, msg.Error)
		}
	}
	rc.Close()
	insp, err := c.ImageInspect(ctx, ref)
	if err != nil {
		t.Fatalf("inspect %s after import: %v", ref, err)
	}
	return insp.ID
}

// Build runs `docker build -t ref -` with the given Dockerfile (the docker
// CLI is used, as a learner would), removes the image when the test ends and
// returns the image ID.
func Build(t testing.TB, c *client.Client, ref, dockerfile string) string {
	t.Helper()
	cmd := exec.Command("docker", "build", "-q", "-t", ref, "-")
	cmd.Stdin = strings.NewReader(dockerfile)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	removeImageAtEnd(t, c, ref)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker build -t %s: %v\n%s", ref, err, out)
	}
	insp, err := c.ImageInspect(context.Background(), ref)
	if err != nil {
		t.Fatalf("inspect %s after build: %v", ref, err)
	}
	return insp.ID
}

// Run runs `docker <args>` with the docker CLI, as a learner would, and
// returns its standard output. The test fails when the command does.
func Run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return strings.TrimSpace(string(out))
}

// RemoveContainerAtEnd removes the named container, whatever its state, when
// the test ends.
func RemoveContainerAtEnd(t testing.TB, c *client.Client, name string) {
	t.Cleanup(func() {
		c.ContainerRemove(context.Background(), name, container.RemoveOptions{Force: true, RemoveVolumes: true})
	})
}

// removeImageAtEnd removes an image the test makes when the test ends, and
// fails the test when that does not work, so that no test leaves images
// behind unnoticed.
func removeImageAtEnd(t testing.TB, c *client.Client, ref string) {
	t.Cleanup(func() {
		_, err := c.ImageRemove(context.Background(), ref, image.RemoveOptions{Force: true, PruneChildren: true})
		if err != nil && !cerrdefs.IsNotFound(err) {
			t.Errorf("removing the test image %s: %v", ref, err)
		}
	})
}

// FreePort returns a TCP port nothing listens on now, for a test to publish
// on, instead of a fixed one that another test or program may hold.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
