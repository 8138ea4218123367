// Package workshop gets a machine ready for lessons: doctor checks what the
// lessons need of it (the docker CLI, the engine, its version and platform,
// disk, host ports, images) and says how to fix what is wrong; prefetch
// pulls the images before class and can fill a workshop registry with them.
package workshop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/registry"
	"github.com/docker/docker/api/types/system"
	"github.com/docker/docker/api/types/versions"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/dockstep/dockstep/internal/engine"
)

// Engine is the part of the Docker API doctor uses.
type Engine interface {
	Ping(ctx context.Context) (types.Ping, error)
	ServerVersion(ctx context.Context) (types.Version, error)
	Info(ctx context.Context) (system.Info, error)
	ImageInspect(ctx context.Context, ref string, opts ...client.ImageInspectOption) (image.InspectResponse, error)
	DistributionInspect(ctx context.Context, ref, encodedRegistryAuth string) (registry.DistributionInspect, error)
	ContainerList(ctx context.Context, options container.ListOptions) ([]container.Summary, error)
	ContainerCreate(ctx context.Context, config *container.Config, hostConfig *container.HostConfig, networkingConfig *network.NetworkingConfig, platform *ocispec.Platform, containerName string) (container.CreateResponse, error)
	ContainerStart(ctx context.Context, id string, options container.StartOptions) error
	ContainerRemove(ctx context.Context, id string, options container.RemoveOptions) error
	Close() error
}

// minAPI is the oldest engine API dockstep works with: Docker 20.10.
const minAPI = "1.41"

// headroom is the free disk space wanted beyond the images themselves, for
// the containers, builds and volumes of the lessons.
const headroom = 1_000_000_000

// Status is the outcome of one line of the checklist.
type Status string

const (
	StatusOK   Status = "ok"
	StatusFail Status = "fail"
	StatusInfo Status = "info" // informational; never fails
	StatusSkip Status = "skip" // could not be checked; says why
)

// Item is one line of the checklist.
type Item struct {
	Check   string   `json:"check"`
	Status  Status   `json:"status"`
	Detail  string   `json:"detail"`
	Fix     string   `json:"fix,omitempty"`
	Lessons []string `json:"lessons,omitempty"`
	denied  bool     // a socket this user may not use
	engine  bool     // the engine could not be used
}

// Report is the whole checklist, as --json prints it.
type Report struct {
	Endpoint struct {
		Host   string `json:"host"`
		Source string `json:"source"`
	} `json:"endpoint"`
	Lessons []string `json:"lessons"`
	OK      bool     `json:"ok"`
	Checks  []Item   `json:"checks"`
}

func (r *Report) add(it Item) { r.Checks = append(r.Checks, it) }

// Finish sets OK and returns how many lines failed, and whether the engine
// itself could not be used.
func (r *Report) Finish() (fails int, noEngine bool) {
	r.OK = true
	for _, it := range r.Checks {
		if it.Status == StatusFail {
			r.OK = false
			fails++
			noEngine = noEngine || it.engine
		}
	}
	return fails, noEngine
}

// Add appends a line to the checklist.
func (r *Report) Add(it Item) { r.add(it) }

func (dr *Doctor) procRoot() string {
	if dr.ProcRoot == "" {
		return "/proc"
	}
	return dr.ProcRoot
}

// Doctor checks what lessons need of this machine. Its fields are its
// seams: tests give it fakes, so that it runs without an engine.
type Doctor struct {
	// Dial resolves the engine's endpoint and makes a client for it,
	// without asking it anything; its errors are *engine.UnreachableError.
	Dial func() (Engine, engine.Endpoint, error)
	// LookPath finds a command on PATH; nil means exec.LookPath.
	LookPath func(string) (string, error)
	// Hostname names this machine; nil means os.Hostname.
	Hostname func() (string, error)
	// ProcRoot is where the process table is; empty means /proc.
	ProcRoot string
	// RunTool runs a command that says whether a tool the lessons need
	// (such as docker compose) is installed; nil means running it.
	RunTool func(ctx context.Context, args ...string) ([]byte, error)
	// FreeBytes measures the space this user may fill in a folder's file
	// system; nil means the real measure.
	FreeBytes func(dir string) (int64, error)
}

// Check fills in the checklist for what the lessons need.
func (dr *Doctor) Check(ctx context.Context, rep *Report, nd Needs) {
	lookPath := dr.LookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	if path, err := lookPath("docker"); err != nil {
		rep.add(Item{Check: "docker CLI", Status: StatusFail, Detail: "the docker command is not on your PATH",
			Fix: "install Docker (https://docs.docker.com/get-docker/) or add the folder holding docker to PATH; the lessons ask you to type docker commands"})
	} else {
		rep.add(Item{Check: "docker CLI", Status: StatusOK, Detail: path})
		dr.tools(ctx, rep, nd.Tools)
	}

	c, ep, err := dr.Dial()
	if err != nil {
		var ue *engine.UnreachableError
		fix := "fix the docker configuration named above, or choose an engine with --host or DOCKER_HOST"
		if errors.As(err, &ue) && ue.Endpoint.Host != "" {
			rep.Endpoint.Host, rep.Endpoint.Source = ue.Endpoint.Host, ue.Endpoint.Source
			fix = engine.Advice(ue.Endpoint, ue.Err)
		}
		rep.add(Item{Check: "engine", Status: StatusFail, Detail: err.Error(), Fix: fix, engine: true})
		return
	}
	rep.Endpoint.Host, rep.Endpoint.Source = ep.Host, ep.Source
	defer c.Close()
	dr.engineChecks(ctx, c, ep, rep, nd)
}

// engineChecks runs the checks that need the engine, and the port
// checks.
func (dr *Doctor) engineChecks(ctx context.Context, d Engine, e engine.Endpoint, rep *Report, nd Needs) {
	sock, isUnix := strings.CutPrefix(e.Host, "unix://")
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	_, err := d.Ping(pctx)
	cancel()
	if err != nil {
		it := Item{Check: "engine", Status: StatusFail, Detail: fmt.Sprintf("no answer from the engine at %s: %v", e, err), Fix: engine.Advice(e, err), engine: true}
		var sockIt Item
		if isUnix {
			sockIt = socketItem(sock, e)
		}
		if sockIt.denied {
			it.Fix = "you may not use its socket: see the next line"
		}
		rep.add(it)
		if sockIt.denied {
			rep.add(sockIt)
		}
		rep.add(Item{Check: "the rest", Status: StatusSkip, Detail: "versions, disk, ports and images are checked once the engine answers"})
		return
	}
	rep.add(Item{Check: "engine", Status: StatusOK, Detail: fmt.Sprintf("answers at %s", e)})
	if isUnix {
		rep.add(socketItem(sock, e))
	}

	v, err := d.ServerVersion(ctx)
	switch {
	case err != nil:
		rep.add(Item{Check: "version", Status: StatusFail, Detail: fmt.Sprintf("the engine at %s did not say its version: %v", e, err), Fix: engine.Advice(e, err)})
	case versions.LessThan(v.APIVersion, minAPI):
		rep.add(Item{Check: "version", Status: StatusFail, Detail: fmt.Sprintf("Docker Engine %s (API %s) is older than dockstep supports (API %s, Docker 20.10)", v.Version, v.APIVersion, minAPI),
			Fix: "upgrade Docker to 20.10 or newer (https://docs.docker.com/engine/install/)"})
	default:
		rep.add(Item{Check: "version", Status: StatusOK, Detail: fmt.Sprintf("Docker Engine %s, API %s", v.Version, v.APIVersion)})
	}

	info, err := d.Info(ctx)
	if err != nil {
		rep.add(Item{Check: "platform", Status: StatusFail, Detail: fmt.Sprintf("the engine at %s did not describe itself: %v", e, err), Fix: engine.Advice(e, err)})
		return
	}
	plat := info.OSType + "/" + goArch(info.Architecture)
	if info.OSType != "linux" {
		rep.add(Item{Check: "platform", Status: StatusFail, Detail: fmt.Sprintf("the engine runs %s containers; the lessons use Linux images", info.OSType),
			Fix: "switch Docker Desktop to Linux containers (its menu: \"Switch to Linux containers\")"})
	} else {
		rep.add(Item{Check: "platform", Status: StatusOK, Detail: fmt.Sprintf("%s (%s)", plat, info.OperatingSystem)})
	}
	// Both stores work; which one says how pulls and image IDs look.
	store, _ := engine.ImageStore(info)
	rep.add(Item{Check: "image store", Status: StatusInfo, Detail: store})

	missing, present := doctorImages(ctx, d, rep, nd.Images, info.OSType, goArch(info.Architecture))
	rep.add(runItem(ctx, d, present))
	rep.add(dr.diskItem(info, isUnix, missing))
	// Docker Desktop's ports appear on this machine too; its socket is local.
	dr.ports(ctx, d, rep, nd.Ports, isUnix || strings.HasPrefix(e.Host, "npipe://"))

	if m := info.RegistryConfig; m != nil && len(m.Mirrors) > 0 {
		rep.add(Item{Check: "registry mirror", Status: StatusInfo, Detail: strings.Join(m.Mirrors, ", ")})
	} else {
		rep.add(Item{Check: "registry mirror", Status: StatusInfo, Detail: "none configured: images come straight from Docker Hub (a workshop may give you a mirror: see registry-mirrors in docs/workshop.md)"})
	}
}

// socketItem says whether this user may connect to the engine's socket.
func socketItem(sock string, e engine.Endpoint) Item {
	conn, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err == nil {
		conn.Close()
		return Item{Check: "socket", Status: StatusOK, Detail: "you may use " + sock}
	}
	if errors.Is(err, syscall.EACCES) {
		return Item{Check: "socket", Status: StatusFail, Detail: "permission denied on " + sock + ": this user may not use the engine", Fix: engine.Advice(e, err), denied: true}
	}
	return Item{Check: "socket", Status: StatusFail, Detail: fmt.Sprintf("cannot connect to %s: %v", sock, err), Fix: engine.Advice(e, err)}
}

// goArch turns the engine's uname-style architecture into the name images
// use.
func goArch(a string) string {
	switch a {
	case "x86_64":
		return "amd64"
	case "aarch64":
		return "arm64"
	case "armv7l", "armv6l":
		return "arm"
	case "i386", "i686":
		return "386"
	}
	return a
}

// doctorImages checks each image: present on the engine, or pullable by it.
// It returns how many are not present yet, and those present that fit the
// engine's platform.
func doctorImages(ctx context.Context, d Engine, rep *Report, imgs []*ImageNeed, osType, arch string) (missing int, present []string) {
	for _, in := range imgs {
		it := Item{Check: "image " + in.Ref, Lessons: in.Lessons}
		insp, err := d.ImageInspect(ctx, in.Ref)
		if err == nil {
			it.Status, it.Detail = StatusOK, fmt.Sprintf("present (%s, %s/%s)", engine.HumanSize(insp.Size), insp.Os, insp.Architecture)
			if insp.Os != osType || insp.Architecture != arch {
				it.Status = StatusFail
				it.Detail = fmt.Sprintf("present, but built for %s/%s while the engine runs %s/%s", insp.Os, insp.Architecture, osType, arch)
				it.Fix = fmt.Sprintf("docker pull --platform %s/%s %s", osType, arch, in.Ref)
			} else {
				present = append(present, in.Ref)
			}
			rep.add(it)
			continue
		}
		if !client.IsErrNotFound(err) {
			it.Status, it.Detail, it.Fix = StatusFail, fmt.Sprintf("cannot inspect it: %v", err), "run dockstep doctor again; if this persists, restart Docker"
			rep.add(it)
			continue
		}
		missing++
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		dist, err := d.DistributionInspect(dctx, in.Ref, "")
		cancel()
		if err != nil {
			it.Status = StatusFail
			it.Detail = fmt.Sprintf("not present, and the engine cannot pull it: %v", err)
			it.Fix = "connect to the network (or to the workshop's registry mirror: see docs/workshop.md), then run \"dockstep prefetch\" to pull every image before class"
			rep.add(it)
			continue
		}
		var plats []string
		fits := len(dist.Platforms) == 0
		for _, p := range dist.Platforms {
			plats = append(plats, p.OS+"/"+p.Architecture)
			if p.OS == osType && p.Architecture == arch {
				fits = true
			}
		}
		sort.Strings(plats)
		if !fits {
			it.Status = StatusFail
			it.Detail = fmt.Sprintf("not present, and it exists only for %s while the engine runs %s/%s", strings.Join(plats, ", "), osType, arch)
			it.Fix = "ask the lesson's author for an image built for your platform, or enable emulation (Docker Desktop does it by itself; on Linux install qemu-user-static)"
			rep.add(it)
			continue
		}
		it.Status, it.Detail = StatusOK, "not present yet, but the engine can pull it; \"dockstep prefetch\" pulls it now"
		rep.add(it)
	}
	return missing, present
}

// runItem runs a container with a published port from the first image
// present, as the lessons do, and removes it: an engine can answer every
// question and still fail every docker run (its bridge network is gone,
// iptables is broken).
func runItem(ctx context.Context, d Engine, present []string) Item {
	it := Item{Check: "docker run"}
	if len(present) == 0 {
		it.Status, it.Detail = StatusSkip, "none of the lessons' images is here yet to run a container from; run \"dockstep prefetch\", then dockstep doctor again"
		return it
	}
	ref := present[0]
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	name := fmt.Sprintf("dockstep-doctor-%d", time.Now().UnixNano())
	created, err := d.ContainerCreate(ctx,
		&container.Config{Image: ref, ExposedPorts: nat.PortSet{"80/tcp": {}}, Labels: map[string]string{"dockstep.doctor": "1"}},
		&container.HostConfig{PortBindings: nat.PortMap{"80/tcp": {{}}}},
		nil, nil, name)
	if err == nil {
		defer d.ContainerRemove(context.WithoutCancel(ctx), created.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		err = d.ContainerStart(ctx, created.ID, container.StartOptions{})
	}
	switch {
	case err == nil:
		it.Status, it.Detail = StatusOK, fmt.Sprintf("a container of %s started with a published port, and is removed again", ref)
	case strings.Contains(err.Error(), "executable file not found") || strings.Contains(err.Error(), "exec format error"):
		it.Status, it.Detail = StatusSkip, fmt.Sprintf("%s has no command of its own to try a container with: %v", ref, err)
	default:
		it.Status = StatusFail
		it.Detail = fmt.Sprintf("docker run -P %s fails: %v", ref, err)
		it.Fix = "the lessons' docker run commands will fail the same way; restart the engine (Linux: \"sudo systemctl restart docker\"; Docker Desktop or colima: restart it from its menu or with \"colima restart\"), then try \"docker run --rm -P " + ref + "\" yourself"
		if strings.Contains(err.Error(), "network bridge not found") || strings.Contains(err.Error(), "bridge") {
			it.Detail = fmt.Sprintf("docker run -P %s fails: the engine's default bridge network is missing (%v)", ref, err)
			it.Fix = "restart the engine, which makes the bridge network again (Linux: \"sudo systemctl restart docker\"); if it stays missing, see \"docker network ls\" and the engine's log"
		}
	}
	return it
}

// diskItem checks the free space where the engine keeps its images. Only an
// engine on this machine can be measured: Docker Desktop and colima keep
// theirs inside a virtual machine, and a remote engine elsewhere.
func (dr *Doctor) diskItem(info system.Info, isUnix bool, missing int) Item {
	hostname := dr.Hostname
	if hostname == nil {
		hostname = os.Hostname
	}
	host, _ := hostname()
	if !isUnix || info.Name != host || info.DockerRootDir == "" {
		return Item{Check: "disk", Status: StatusSkip,
			Detail: fmt.Sprintf("the engine (%s) keeps its images in %s on another machine or in a virtual machine, which dockstep cannot measure from here; \"docker system df\" shows what Docker uses, and Docker Desktop's settings show its disk size", info.Name, info.DockerRootDir)}
	}
	measure := dr.FreeBytes
	if measure == nil {
		measure = freeBytes
	}
	free, err := measure(info.DockerRootDir)
	if err != nil {
		return Item{Check: "disk", Status: StatusSkip, Detail: fmt.Sprintf("cannot measure the free space of %s: %v", info.DockerRootDir, err)}
	}
	return diskVerdict(info.DockerRootDir, free, missing)
}

// diskVerdict judges free bytes in dir: the lessons want headroom for their
// containers and builds, plus the images still to pull, whose size is known
// only once pulled.
func diskVerdict(dir string, free int64, missing int) Item {
	want := fmt.Sprintf("at least %s", engine.HumanSize(headroom))
	if missing > 0 {
		want += fmt.Sprintf(", plus the %d image%s still to pull", missing, plural(missing))
	}
	if free < headroom {
		return Item{Check: "disk", Status: StatusFail,
			Detail: fmt.Sprintf("only %s free in %s; the lessons want %s", engine.HumanSize(free), dir, want),
			Fix:    "free some space: \"docker system df\" shows what Docker uses; \"docker image prune\" and \"docker container prune\" remove what is unused"}
	}
	return Item{Check: "disk", Status: StatusOK, Detail: fmt.Sprintf("%s free in %s (the lessons want %s)", engine.HumanSize(free), dir, want)}
}

// ports checks each host port the lessons publish: free, held by a
// container, or held by another program. Whether a program on this machine
// holds it matters only when the engine's ports appear here: a remote
// engine publishes on its own machine.
func (dr *Doctor) ports(ctx context.Context, d Engine, rep *Report, ports []*PortNeed, local bool) {
	for _, p := range ports {
		it := Item{Check: fmt.Sprintf("port %d", p.Port), Lessons: p.Lessons}
		if p.Proto != "tcp" {
			it.Check += "/" + p.Proto
		}
		cs, err := d.ContainerList(ctx, container.ListOptions{Filters: filters.NewArgs(filters.Arg("publish", fmt.Sprintf("%d/%s", p.Port, p.Proto)))})
		if err != nil {
			it.Status, it.Detail = StatusFail, fmt.Sprintf("cannot list the containers: %v", err)
			rep.add(it)
			continue
		}
		if len(cs) > 0 {
			name := containerName(cs[0])
			it.Status = StatusFail
			it.Detail = fmt.Sprintf("held by container %s (image %s, %s), which the lessons need free (%s)", name, cs[0].Image, cs[0].Status, p.Where)
			it.Fix = fmt.Sprintf("stop it: docker stop %s", name)
			rep.add(it)
			continue
		}
		if !local {
			it.Status, it.Detail = StatusOK, "no container publishes it on the engine's machine"
			rep.add(it)
			continue
		}
		holder, err := portHolder(dr.procRoot(), p.Port, p.Proto)
		switch {
		case err == nil:
			it.Status, it.Detail = StatusOK, "free"
		case errors.Is(err, syscall.EACCES):
			it.Status, it.Detail = StatusOK, "no container holds it (ports below 1024 cannot be tried without root; the engine can still publish them)"
		case holder != "":
			it.Status, it.Detail = StatusFail, fmt.Sprintf("taken by %s (%s)", holder, p.Where)
			it.Fix = "stop that program, or free the port some other way; the lessons need it"
		default:
			it.Status, it.Detail = StatusFail, fmt.Sprintf("taken by another program: %v (%s)", err, p.Where)
			it.Fix = fmt.Sprintf("find it with \"sudo lsof -i :%d\" (Linux, macOS) or \"netstat -ano | findstr :%d\" (Windows) and stop it", p.Port, p.Port)
		}
		rep.add(it)
	}
}

func containerName(c container.Summary) string {
	if len(c.Names) > 0 {
		return strings.TrimPrefix(c.Names[0], "/")
	}
	if len(c.ID) > 12 {
		return c.ID[:12]
	}
	return c.ID
}

// Print writes the checklist: a mark, the check and what was found,
// and under each failure how to fix it.
func (rep *Report) Print(w io.Writer, color bool) {
	if len(rep.Lessons) > 0 {
		fmt.Fprintf(w, "Checking this machine for %d lesson%s: %s\n", len(rep.Lessons), plural(len(rep.Lessons)), strings.Join(rep.Lessons, ", "))
	}
	for _, it := range rep.Checks {
		fmt.Fprintf(w, "%s %s: %s\n", mark(it.Status, color), it.Check, it.Detail)
		indent := strings.Repeat(" ", markWidth(color))
		if it.Status == StatusFail && len(it.Lessons) > 0 {
			fmt.Fprintf(w, "%s needed by: %s\n", indent, strings.Join(it.Lessons, ", "))
		}
		if it.Fix != "" {
			fmt.Fprintf(w, "%s fix: %s\n", indent, it.Fix)
		}
	}
	if rep.OK {
		fmt.Fprintln(w, "This machine is ready for the lessons.")
	}
}

func mark(s Status, color bool) string {
	if !color {
		switch s {
		case StatusOK:
			return "[ok]  "
		case StatusFail:
			return "[FAIL]"
		case StatusInfo:
			return "[info]"
		}
		return "[skip]"
	}
	switch s {
	case StatusOK:
		return "\x1b[32m✓\x1b[0m"
	case StatusFail:
		return "\x1b[31m✗\x1b[0m"
	case StatusInfo:
		return "\x1b[34mi\x1b[0m"
	}
	return "\x1b[33m-\x1b[0m"
}

func markWidth(color bool) int {
	if color {
		return 1
	}
	return 6
}

func FailMark(color bool) string {
	if color {
		return "✗"
	}
	return "[FAIL]"
}
