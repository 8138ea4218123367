package main

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
	"github.com/docker/docker/api/types/registry"
	"github.com/docker/docker/api/types/system"
	"github.com/docker/docker/api/types/versions"
	"github.com/docker/docker/client"
	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/engine"
)

// doctorEngine is the part of the Docker API doctor uses.
type doctorEngine interface {
	Ping(ctx context.Context) (types.Ping, error)
	ServerVersion(ctx context.Context) (types.Version, error)
	Info(ctx context.Context) (system.Info, error)
	ImageInspect(ctx context.Context, ref string, opts ...client.ImageInspectOption) (image.InspectResponse, error)
	DistributionInspect(ctx context.Context, ref, encodedRegistryAuth string) (registry.DistributionInspect, error)
	ContainerList(ctx context.Context, options container.ListOptions) ([]container.Summary, error)
}

// minAPI is the oldest engine API dockstep works with: Docker 20.10.
const minAPI = "1.41"

// headroom is the free disk space wanted beyond the images themselves, for
// the containers, builds and volumes of the lessons.
const headroom = 1_000_000_000

// doctorStatus is the outcome of one line of the checklist.
type doctorStatus string

const (
	statusOK   doctorStatus = "ok"
	statusFail doctorStatus = "fail"
	statusInfo doctorStatus = "info" // informational; never fails
	statusSkip doctorStatus = "skip" // could not be checked; says why
)

// doctorItem is one line of the checklist.
type doctorItem struct {
	Check   string       `json:"check"`
	Status  doctorStatus `json:"status"`
	Detail  string       `json:"detail"`
	Fix     string       `json:"fix,omitempty"`
	Lessons []string     `json:"lessons,omitempty"`
	denied  bool         // a socket this user may not use
}

// doctorReport is the whole checklist, as --json prints it.
type doctorReport struct {
	Endpoint struct {
		Host   string `json:"host"`
		Source string `json:"source"`
	} `json:"endpoint"`
	Lessons []string     `json:"lessons"`
	OK      bool         `json:"ok"`
	Checks  []doctorItem `json:"checks"`
}

func (r *doctorReport) add(it doctorItem) { r.Checks = append(r.Checks, it) }

// Seams for tests.
var (
	lookPath = exec.LookPath
	hostname = os.Hostname
)

func newDoctorCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor [LESSON...]",
		Short: "Check that this machine can run the lessons, and say how to fix what is wrong",
		Long: `Doctor checks what the lessons need of this machine: the docker command,
the engine it talks to (and where that choice came from: --host,
DOCKER_HOST, a docker context or the default socket), permission on the
engine's socket, the engine's version and platform, free disk space, the
host ports the lessons publish, and the images they use. Each line is
marked ok or FAIL; each FAIL says how to fix it.

With LESSON ids (or numbers, as "dockstep list" shows them) only those
lessons are considered; with none, all of them.

Exit status: 0 when the chosen lessons can run here, 1 otherwise, 2 when
the lessons cannot be read.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ls, probs, err := g.chosenLessons(args)
			if err != nil {
				return exitf(2, "dockstep doctor: %v", err)
			}
			rep := &doctorReport{}
			for _, l := range ls {
				rep.Lessons = append(rep.Lessons, l.ID)
			}
			if len(probs) > 0 {
				rep.add(doctorItem{Check: "lessons", Status: statusFail, Detail: probs.Error(), Fix: "correct the lessons; \"dockstep lint\" lists the same problems"})
			}
			g.doctor(cmd.Context(), rep, collectNeeds(ls))
			rep.OK = true
			fails := 0
			for _, it := range rep.Checks {
				if it.Status == statusFail {
					rep.OK = false
					fails++
				}
			}
			if asJSON {
				if err := g.writeJSON(rep); err != nil {
					return err
				}
			} else {
				printDoctor(g.io.out, rep, g.io.color())
			}
			if fails > 0 {
				return exitf(1, "dockstep doctor: %d problem%s: fix the lines marked %s and run dockstep doctor again", fails, plural(fails), failMark(g.io.color()))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the checklist as JSON, with the engine endpoint and its source")
	return cmd
}

// doctor fills in the checklist.
func (g *globals) doctor(ctx context.Context, rep *doctorReport, nd needs) {
	if ctx == nil {
		ctx = context.Background()
	}
	if path, err := lookPath("docker"); err != nil {
		rep.add(doctorItem{Check: "docker CLI", Status: statusFail, Detail: "the docker command is not on your PATH",
			Fix: "install Docker (https://docs.docker.com/get-docker/) or add the folder holding docker to PATH; the lessons ask you to type docker commands"})
	} else {
		rep.add(doctorItem{Check: "docker CLI", Status: statusOK, Detail: path})
	}

	ep, err := g.resolveEndpoint()
	if err != nil {
		rep.add(doctorItem{Check: "engine", Status: statusFail, Detail: err.Error(), Fix: "fix the docker configuration named above, or choose an engine with --host or DOCKER_HOST"})
		return
	}
	e := endpoint{Host: ep.Host, Source: ep.Source}
	rep.Endpoint.Host, rep.Endpoint.Source = e.Host, e.Source
	c, err := engine.NewClient(ep)
	if err != nil {
		rep.add(doctorItem{Check: "engine", Status: statusFail, Detail: fmt.Sprintf("cannot use the engine at %s: %v", e, err), Fix: engineAdvice(e, err)})
		return
	}
	defer c.Close()
	doctorEngineChecks(ctx, c, e, rep, nd)
}

// doctorEngineChecks runs the checks that need the engine, and the port
// checks.
func doctorEngineChecks(ctx context.Context, d doctorEngine, e endpoint, rep *doctorReport, nd needs) {
	sock, isUnix := strings.CutPrefix(e.Host, "unix://")
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	_, err := d.Ping(pctx)
	cancel()
	if err != nil {
		it := doctorItem{Check: "engine", Status: statusFail, Detail: fmt.Sprintf("no answer from the engine at %s: %v", e, err), Fix: engineAdvice(e, err)}
		var sockIt doctorItem
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
		rep.add(doctorItem{Check: "the rest", Status: statusSkip, Detail: "versions, disk, ports and images are checked once the engine answers"})
		return
	}
	rep.add(doctorItem{Check: "engine", Status: statusOK, Detail: fmt.Sprintf("answers at %s", e)})
	if isUnix {
		rep.add(socketItem(sock, e))
	}

	v, err := d.ServerVersion(ctx)
	switch {
	case err != nil:
		rep.add(doctorItem{Check: "version", Status: statusFail, Detail: fmt.Sprintf("the engine at %s did not say its version: %v", e, err), Fix: engineAdvice(e, err)})
	case versions.LessThan(v.APIVersion, minAPI):
		rep.add(doctorItem{Check: "version", Status: statusFail, Detail: fmt.Sprintf("Docker Engine %s (API %s) is older than dockstep supports (API %s, Docker 20.10)", v.Version, v.APIVersion, minAPI),
			Fix: "upgrade Docker to 20.10 or newer (https://docs.docker.com/engine/install/)"})
	default:
		rep.add(doctorItem{Check: "version", Status: statusOK, Detail: fmt.Sprintf("Docker Engine %s, API %s", v.Version, v.APIVersion)})
	}

	info, err := d.Info(ctx)
	if err != nil {
		rep.add(doctorItem{Check: "platform", Status: statusFail, Detail: fmt.Sprintf("the engine at %s did not describe itself: %v", e, err), Fix: engineAdvice(e, err)})
		return
	}
	plat := info.OSType + "/" + goArch(info.Architecture)
	if info.OSType != "linux" {
		rep.add(doctorItem{Check: "platform", Status: statusFail, Detail: fmt.Sprintf("the engine runs %s containers; the lessons use Linux images", info.OSType),
			Fix: "switch Docker Desktop to Linux containers (its menu: \"Switch to Linux containers\")"})
	} else {
		rep.add(doctorItem{Check: "platform", Status: statusOK, Detail: fmt.Sprintf("%s (%s)", plat, info.OperatingSystem)})
	}

	missing := doctorImages(ctx, d, rep, nd.Images, info.OSType, goArch(info.Architecture))
	rep.add(diskItem(info, isUnix, missing))
	// Docker Desktop's ports appear on this machine too; its socket is local.
	doctorPorts(ctx, d, rep, nd.Ports, isUnix || strings.HasPrefix(e.Host, "npipe://"))

	if m := info.RegistryConfig; m != nil && len(m.Mirrors) > 0 {
		rep.add(doctorItem{Check: "registry mirror", Status: statusInfo, Detail: strings.Join(m.Mirrors, ", ")})
	} else {
		rep.add(doctorItem{Check: "registry mirror", Status: statusInfo, Detail: "none configured: images come straight from Docker Hub (a workshop may give you a mirror: see registry-mirrors in docs/workshop.md)"})
	}
}

// socketItem says whether this user may connect to the engine's socket.
func socketItem(sock string, e endpoint) doctorItem {
	conn, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err == nil {
		conn.Close()
		return doctorItem{Check: "socket", Status: statusOK, Detail: "you may use " + sock}
	}
	if errors.Is(err, syscall.EACCES) {
		return doctorItem{Check: "socket", Status: statusFail, Detail: "permission denied on " + sock + ": this user may not use the engine", Fix: engineAdvice(e, err), denied: true}
	}
	return doctorItem{Check: "socket", Status: statusFail, Detail: fmt.Sprintf("cannot connect to %s: %v", sock, err), Fix: engineAdvice(e, err)}
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
// It returns how many are not present yet.
func doctorImages(ctx context.Context, d doctorEngine, rep *doctorReport, imgs []*imageNeed, osType, arch string) int {
	missing := 0
	for _, in := range imgs {
		it := doctorItem{Check: "image " + in.Ref, Lessons: in.Lessons}
		insp, err := d.ImageInspect(ctx, in.Ref)
		if err == nil {
			it.Status, it.Detail = statusOK, fmt.Sprintf("present (%s, %s/%s)", engine.HumanSize(insp.Size), insp.Os, insp.Architecture)
			if insp.Os != osType || insp.Architecture != arch {
				it.Status = statusFail
				it.Detail = fmt.Sprintf("present, but built for %s/%s while the engine runs %s/%s", insp.Os, insp.Architecture, osType, arch)
				it.Fix = fmt.Sprintf("docker pull --platform %s/%s %s", osType, arch, in.Ref)
			}
			rep.add(it)
			continue
		}
		if !client.IsErrNotFound(err) {
			it.Status, it.Detail, it.Fix = statusFail, fmt.Sprintf("cannot inspect it: %v", err), "run dockstep doctor again; if this persists, restart Docker"
			rep.add(it)
			continue
		}
		missing++
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		dist, err := d.DistributionInspect(dctx, in.Ref, "")
		cancel()
		if err != nil {
			it.Status = statusFail
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
			it.Status = statusFail
			it.Detail = fmt.Sprintf("not present, and it exists only for %s while the engine runs %s/%s", strings.Join(plats, ", "), osType, arch)
			it.Fix = "ask the lesson's author for an image built for your platform, or enable emulation (Docker Desktop does it by itself; on Linux install qemu-user-static)"
			rep.add(it)
			continue
		}
		it.Status, it.Detail = statusOK, "not present yet, but the engine can pull it; \"dockstep prefetch\" pulls it now"
		rep.add(it)
	}
	return missing
}

// diskItem checks the free space where the engine keeps its images. Only an
// engine on this machine can be measured: Docker Desktop and colima keep
// theirs inside a virtual machine, and a remote engine elsewhere.
func diskItem(info system.Info, isUnix bool, missing int) doctorItem {
	host, _ := hostname()
	if !isUnix || info.Name != host || info.DockerRootDir == "" {
		return doctorItem{Check: "disk", Status: statusSkip,
			Detail: fmt.Sprintf("the engine (%s) keeps its images in %s on another machine or in a virtual machine, which dockstep cannot measure from here; \"docker system df\" shows what Docker uses, and Docker Desktop's settings show its disk size", info.Name, info.DockerRootDir)}
	}
	free, err := freeBytes(info.DockerRootDir)
	if err != nil {
		return doctorItem{Check: "disk", Status: statusSkip, Detail: fmt.Sprintf("cannot measure the free space of %s: %v", info.DockerRootDir, err)}
	}
	return diskVerdict(info.DockerRootDir, free, missing)
}

// diskVerdict judges free bytes in dir: the lessons want headroom for their
// containers and builds, plus the images still to pull, whose size is known
// only once pulled.
func diskVerdict(dir string, free int64, missing int) doctorItem {
	want := fmt.Sprintf("at least %s", engine.HumanSize(headroom))
	if missing > 0 {
		want += fmt.Sprintf(", plus the %d image%s still to pull", missing, plural(missing))
	}
	if free < headroom {
		return doctorItem{Check: "disk", Status: statusFail,
			Detail: fmt.Sprintf("only %s free in %s; the lessons want %s", engine.HumanSize(free), dir, want),
			Fix:    "free some space: \"docker system df\" shows what Docker uses; \"docker image prune\" and \"docker container prune\" remove what is unused"}
	}
	return doctorItem{Check: "disk", Status: statusOK, Detail: fmt.Sprintf("%s free in %s (the lessons want %s)", engine.HumanSize(free), dir, want)}
}

// doctorPorts checks each host port the lessons publish: free, held by a
// container, or held by another program. Whether a program on this machine
// holds it matters only when the engine's ports appear here: a remote
// engine publishes on its own machine.
func doctorPorts(ctx context.Context, d doctorEngine, rep *doctorReport, ports []*portNeed, local bool) {
	for _, p := range ports {
		it := doctorItem{Check: fmt.Sprintf("port %d", p.Port), Lessons: p.Lessons}
		if p.Proto != "tcp" {
			it.Check += "/" + p.Proto
		}
		cs, err := d.ContainerList(ctx, container.ListOptions{Filters: filters.NewArgs(filters.Arg("publish", fmt.Sprintf("%d/%s", p.Port, p.Proto)))})
		if err != nil {
			it.Status, it.Detail = statusFail, fmt.Sprintf("cannot list the containers: %v", err)
			rep.add(it)
			continue
		}
		if len(cs) > 0 {
			name := containerName(cs[0])
			it.Status = statusFail
			it.Detail = fmt.Sprintf("held by container %s (image %s, %s), which the lessons need free (%s)", name, cs[0].Image, cs[0].Status, p.Where)
			it.Fix = fmt.Sprintf("stop it: docker stop %s", name)
			rep.add(it)
			continue
		}
		if !local {
			it.Status, it.Detail = statusOK, "no container publishes it on the engine's machine"
			rep.add(it)
			continue
		}
		holder, err := portHolder(p.Port, p.Proto)
		switch {
		case err == nil:
			it.Status, it.Detail = statusOK, "free"
		case errors.Is(err, syscall.EACCES):
			it.Status, it.Detail = statusOK, "no container holds it (ports below 1024 cannot be tried without root; the engine can still publish them)"
		case holder != "":
			it.Status, it.Detail = statusFail, fmt.Sprintf("taken by %s (%s)", holder, p.Where)
			it.Fix = "stop that program, or free the port some other way; the lessons need it"
		default:
			it.Status, it.Detail = statusFail, fmt.Sprintf("taken by another program: %v (%s)", err, p.Where)
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

// printDoctor writes the checklist: a mark, the check and what was found,
// and under each failure how to fix it.
func printDoctor(w io.Writer, rep *doctorReport, color bool) {
	if len(rep.Lessons) > 0 {
		fmt.Fprintf(w, "Checking this machine for %d lesson%s: %s\n", len(rep.Lessons), plural(len(rep.Lessons)), strings.Join(rep.Lessons, ", "))
	}
	for _, it := range rep.Checks {
		fmt.Fprintf(w, "%s %s: %s\n", mark(it.Status, color), it.Check, it.Detail)
		indent := strings.Repeat(" ", markWidth(color))
		if it.Status == statusFail && len(it.Lessons) > 0 {
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

func mark(s doctorStatus, color bool) string {
	if !color {
		switch s {
		case statusOK:
			return "[ok]  "
		case statusFail:
			return "[FAIL]"
		case statusInfo:
			return "[info]"
		}
		return "[skip]"
	}
	switch s {
	case statusOK:
		return "\x1b[32m✓\x1b[0m"
	case statusFail:
		return "\x1b[31m✗\x1b[0m"
	case statusInfo:
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

func failMark(color bool) string {
	if color {
		return "✗"
	}
	return "[FAIL]"
}
