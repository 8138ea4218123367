package checks

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["container"] = compileContainer }

// containerCheck passes when at least one container (exactly count, when
// given) matches every field given.
type containerCheck struct {
	image    *imageRef
	name     string
	state    string
	exitCode *int
	publish  []publishing
	command  string
	network  string
	mounts   []mountSpec
	env      map[string]string
	count    *int
	// detached, when set, wants the container started in the background
	// (docker run -d) or not: the engine records whether its output is
	// attached to the terminal that started it.
	detached *bool
	// restart is the restart policy wanted (container_restart.go).
	restart *restartPolicy
	// health is the health wanted: healthy, unhealthy, starting or none
	// (container_health.go).
	health string
	// commands are the step's own commands, for advice.
	commands []string
}

var containerFields = []string{"image", "name", "state", "exit-code", "publish", "command", "network", "mount", "env", "count", "detached", "restart", "health"}

var containerStates = []string{"running", "exited", "created", "paused", "any"}

func compileContainer(n *yaml.Node) (Check, error) {
	var d decoder
	c := &containerCheck{state: "running"}
	var exitNode, healthNode *yaml.Node
	d.fields(n, containerFields, "{image: busybox, state: exited}", func(key string, v *yaml.Node) {
		switch key {
		case "image":
			r := d.image(key, v)
			c.image = &r
		case "name":
			c.name = d.str(key, v)
		case "state":
			c.state = d.str(key, v)
			if c.state != "" && !contains(containerStates, c.state) {
				d.errorf(v, "state %q is not one of %s", c.state, strings.Join(containerStates, ", "))
			}
		case "exit-code":
			x := d.integer(key, v)
			c.exitCode, exitNode = &x, v
		case "publish":
			for _, it := range d.strNodes(key, v) {
				p, err := parsePublish(it.Value)
				if err != nil {
					d.errorf(it, "publish: %v", err)
					continue
				}
				c.publish = append(c.publish, p)
			}
		case "command":
			c.command = d.str(key, v)
		case "network":
			c.network = d.str(key, v)
		case "mount":
			for _, it := range d.strNodes(key, v) {
				m, err := parseMount(it.Value)
				if err != nil {
					d.errorf(it, "mount: %v", err)
					continue
				}
				c.mounts = append(c.mounts, m)
			}
		case "env":
			c.env = d.pairs(key, v)
		case "count":
			x := d.integer(key, v)
			if x < 0 {
				d.errorf(v, "count must be 0 or more")
			}
			c.count = &x
		case "detached":
			b := d.boolean(key, v)
			c.detached = &b
		case "restart":
			c.restart = d.restart(key, v)
		case "health":
			c.health = d.health(key, v)
			healthNode = v
		}
	})
	if c.health != "" && c.state != "running" {
		d.errorf(healthNode, "health needs state: running (only a running container runs its health check)")
	}
	if c.exitCode != nil && c.state == "running" {
		if n.Kind == yaml.MappingNode && !hasKey(n, "state") {
			c.state = "exited" // an exit code implies the container has exited
		} else {
			d.errorf(exitNode, "exit-code needs state: exited (a running container has no exit code)")
		}
	}
	return c, d.err()
}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

// mountSpec is a mount as docker run -v gives it: a volume name or a host
// path, then the path in the container.
type mountSpec struct {
	source string // volume name, or host path for a bind mount
	bind   bool
	dest   string
}

func parseMount(s string) (mountSpec, error) {
	parts := strings.Split(s, ":")
	if len(parts) == 3 && (parts[2] == "ro" || parts[2] == "rw") {
		parts = parts[:2]
	}
	if len(parts) != 2 || parts[0] == "" || !strings.HasPrefix(parts[1], "/") {
		return mountSpec{}, fmt.Errorf("%q: write a mount as VOLUME:/path or /host/path:/path, such as data:/var/lib/data", s)
	}
	bind := strings.HasPrefix(parts[0], "/") || strings.HasPrefix(parts[0], ".")
	return mountSpec{source: parts[0], bind: bind, dest: filepath.Clean(parts[1])}, nil
}

func (m mountSpec) String() string { return m.source + ":" + m.dest }

func (c *containerCheck) Kind() string { return "container" }

func (c *containerCheck) advise(commands []string) { c.commands = commands }

// runCommand is the command that starts the container the check wants:
// the step's own docker run when it has one, else one made from the
// check's fields.
func (c *containerCheck) runCommand() string {
	img := ""
	if c.image != nil {
		img = c.image.raw
	}
	if cmd := lessonCommand(c.commands, "docker", " run ", img, c.name); cmd != "" {
		return cmd
	}
	if c.image == nil {
		return ""
	}
	return "docker run " + c.runFlags() + c.image.raw
}

// what describes the containers the check looks for, for messages.
func (c *containerCheck) what() string {
	switch {
	case c.image != nil && c.name != "":
		return fmt.Sprintf("container %s from %s", c.name, c.image.raw)
	case c.image != nil:
		return "container from " + c.image.raw
	case c.name != "":
		return "container named " + c.name
	}
	return "container"
}

// candidates lists the containers that the image and name fields select:
// in any state with all, else the running ones only. All containers are
// listed with an ancestor filter, so that the cost does not grow with the
// containers of other images. Running containers are few whatever else the
// engine holds: they are listed while the image is inspected (the two
// answers come back at once) and picked by image here.
func candidates(ctx context.Context, env *Env, img *imageRef, name string, all bool) ([]container.Summary, error) {
	args := filters.NewArgs()
	if name != "" {
		args.Add("name", "^/"+regexp.QuoteMeta(name)+"$")
	}
	if img == nil {
		return env.Docker.ContainerList(ctx, container.ListOptions{All: all, Filters: args})
	}
	var running []container.Summary
	var listErr error
	listed := make(chan struct{})
	if all {
		close(listed)
	} else {
		go func() {
			defer close(listed)
			running, listErr = env.Docker.ContainerList(ctx, container.ListOptions{Filters: args})
		}()
	}
	insp, found, err := env.findImage(ctx, *img)
	<-listed
	switch {
	case err != nil:
		return nil, err
	case listErr != nil:
		return nil, listErr
	case !found:
		return nil, nil
	}
	list := running
	if all {
		args.Add("ancestor", insp.ID)
		if list, err = env.Docker.ContainerList(ctx, container.ListOptions{All: true, Filters: args}); err != nil {
			return nil, err
		}
	}
	// ancestor also selects containers of images built on this one.
	var out []container.Summary
	for _, s := range list {
		if s.ImageID == insp.ID || img.matches(s.Image) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (c *containerCheck) Evaluate(ctx context.Context, env *Env) Result {
	if c.count == nil {
		r, ok, err := c.quick(ctx, env)
		if err != nil {
			return engineFailure("container", err)
		}
		if ok {
			return r
		}
	}
	if c.state == "running" {
		// Only running containers can pass: list them first, and all
		// containers only when the check fails and needs a diagnosis.
		cands, err := candidates(ctx, env, c.image, c.name, false)
		if err != nil {
			return engineFailure("container", err)
		}
		if r := c.judge(ctx, env, cands, false); r.Passed || r.Err != nil {
			return r
		}
	}
	cands, err := candidates(ctx, env, c.image, c.name, true)
	if err != nil {
		return engineFailure("container", err)
	}
	r := c.judge(ctx, env, cands, true)
	if !r.Passed && r.Err == nil {
		// The container that was to publish a host port is missing or
		// wrong: that is why nothing answers there (see Judge).
		for _, p := range c.publish {
			if p.host != 0 {
				r.Port = p.host
				break
			}
		}
	}
	return r
}

// judge evaluates the check on the candidates. Unless explain is set, a
// failing check returns a Result without a diagnosis, at once.
func (c *containerCheck) judge(ctx context.Context, env *Env, cands []container.Summary, explain bool) Result {
	var matching []container.Summary
	var best *container.Summary
	var bestWrong []string
	older := 0 // containers of the image from before the step, not explained
	for i := range cands {
		wrong, err := c.mismatches(ctx, env, &cands[i], nil, false)
		if err != nil {
			return engineFailure("container", err)
		}
		switch {
		case len(wrong) == 0:
			matching = append(matching, cands[i])
		case c.name == "" && !env.Since.IsZero() && createdBefore(ctx, env, &cands[i], env.Since):
			// Found only by its image and made before this step began: it
			// is another step's work, and explaining it would mislead.
			older++
		case best == nil || len(wrong) < len(bestWrong):
			best, bestWrong = &cands[i], wrong
		}
	}
	if c.count != nil {
		if len(matching) == *c.count {
			return Result{Kind: "container", Passed: true, Message: fmt.Sprintf("%d %s, as wanted", len(matching), c.whatState(len(matching)))}
		}
		if !explain {
			return Result{Kind: "container"}
		}
		if *c.count == 0 && c.state == "running" {
			// The step stops them: say which still run, and how.
			names := summaryNames(matching)
			return Result{Kind: "container", Message: fmt.Sprintf("%s still running: %s; stop with docker stop %s (or Ctrl-C in the terminal where one runs in the foreground)",
				strings.Replace(c.whatState(len(matching)), "running ", "", 1), names, strings.ReplaceAll(names, ", ", " "))}
		}
		msg := fmt.Sprintf("want exactly %d %s, found %d", *c.count, c.whatState(*c.count), len(matching))
		if len(matching) > 0 {
			msg += ": " + summaryNames(matching)
		}
		if len(matching) < *c.count && best != nil {
			why, err := c.mismatches(ctx, env, best, nil, true)
			if err != nil {
				return engineFailure("container", err)
			}
			msg += "; " + joinWhy(why)
		}
		return Result{Kind: "container", Message: msg}
	}
	if len(matching) > 0 {
		env.remember(c.key(), []string{matching[0].ID})
		return Result{Kind: "container", Passed: true, Message: fmt.Sprintf("%s %s: %s", c.what(), stateWord(matching[0].State), containerName(matching[0].Names))}
	}
	if !explain {
		return Result{Kind: "container"}
	}
	if best != nil {
		why, err := c.mismatches(ctx, env, best, nil, true)
		if err != nil {
			return engineFailure("container", err)
		}
		r := Result{Kind: "container", Message: joinWhy(why)}
		if c.name != "" {
			r.Wrong = "container " + c.name
		}
		return r
	}
	if older > 0 {
		were := fmt.Sprintf("the %d containers from before it are", older)
		if older == 1 {
			were = "the container from before it is"
		}
		msg := fmt.Sprintf("no %s yet in this step (%s not this step's work)", c.whatState(1), were)
		if cmd := c.runCommand(); cmd != "" {
			msg += ": run " + cmd
		}
		return Result{Kind: "container", Message: msg}
	}
	return c.noCandidate(ctx, env)
}

// createdBefore says whether the container was created before t. The
// list gives whole seconds only, and a step begins a fraction of a second
// after the previous step's container was made: in the same second, the
// container's inspect tells the time to the nanosecond.
func createdBefore(ctx context.Context, env *Env, s *container.Summary, t time.Time) bool {
	switch {
	case s.Created < t.Unix():
		return true
	case s.Created > t.Unix():
		return false
	}
	insp, err := env.Docker.ContainerInspect(ctx, s.ID)
	if err != nil || insp.ContainerJSONBase == nil {
		return false
	}
	created, err := time.Parse(time.RFC3339Nano, insp.Created)
	return err == nil && created.Before(t)
}

// joinWhy joins the mismatches of a container into one message, in one
// line for the room (which shows a diagnosis's first line), with what to do
// about them that names the container (which differs from learner to
// learner) on a line of its own at the end: the mismatches that start with
// a newline.
func joinWhy(why []string) string {
	var line, after []string
	for _, w := range why {
		if strings.HasPrefix(w, "\n") {
			after = append(after, w)
		} else {
			line = append(line, w)
		}
	}
	return strings.Join(line, "; ") + strings.Join(after, "")
}

// whatState describes n containers the check looks for, with their state.
func (c *containerCheck) whatState(n int) string {
	w := c.what()
	if n != 1 {
		w = strings.Replace(w, "container", "containers", 1)
	}
	if c.state == "any" {
		return w
	}
	return c.state + " " + w
}

func stateWord(s string) string {
	if s == "running" {
		return "is running"
	}
	return "is " + s
}

func summaryNames(list []container.Summary) string {
	var names []string
	for _, s := range list {
		names = append(names, containerName(s.Names))
	}
	return strings.Join(names, ", ")
}

// noCandidate explains that no container has the image or name at all.
func (c *containerCheck) noCandidate(ctx context.Context, env *Env) Result {
	msg := "no " + c.what()
	if c.state != "any" && c.state != "running" {
		msg = fmt.Sprintf("no %s %s", c.state, c.what())
	}
	var hints []string
	if c.image != nil {
		_, found, err := env.findImage(ctx, *c.image)
		if err != nil {
			return engineFailure("container", err)
		}
		if !found {
			names, err := imageNames(ctx, env.Docker)
			if err != nil {
				return engineFailure("container", err)
			}
			hint := "no image " + c.image.raw
			if near := nearest(c.image.String(), names); near != "" {
				hint += "; did you mean " + near + "?"
			}
			hints = append(hints, hint)
		}
		// A container of a similar-named image: the learner mistyped the name.
		all, err := env.Docker.ContainerList(ctx, container.ListOptions{All: true})
		if err != nil {
			return engineFailure("container", err)
		}
		var imgs []string
		for _, s := range all {
			imgs = append(imgs, s.Image)
		}
		if near := nearest(c.image.String(), imgs); near != "" {
			for _, s := range all {
				if shortName(s.Image) == near {
					hints = append(hints, fmt.Sprintf("container %s is from %s, a different image: did you mean %s?", containerName(s.Names), near, c.image.raw))
					break
				}
			}
		}
	}
	if c.name != "" && c.image == nil {
		names, err := containerNames(ctx, env.Docker)
		if err != nil {
			return engineFailure("container", err)
		}
		if near := nearest(c.name, names); near != "" {
			hints = append(hints, "did you mean "+near+"?")
		}
	}
	for _, p := range c.publish {
		if p.host == 0 {
			continue
		}
		if h, err := portHolder(ctx, env.Docker, p.host, ""); err != nil {
			return engineFailure("container", err)
		} else if h != "" {
			hints = append(hints, h)
		}
	}
	if len(hints) == 0 {
		if cmd := c.runCommand(); cmd != "" {
			hints = append(hints, "start it with "+cmd)
		}
	}
	if len(hints) > 0 {
		msg += "; " + strings.Join(hints, "; ")
	}
	r := Result{Kind: "container", Message: msg}
	if c.name != "" {
		r.Missing = "container " + c.name
	}
	return r
}

// runFlags are the docker run flags the check's fields ask for, for a
// step whose solution has no docker run to quote.
func (c *containerCheck) runFlags() string {
	var b strings.Builder
	if c.state == "running" && (c.detached == nil || *c.detached) {
		b.WriteString("-d ")
	}
	if c.name != "" {
		b.WriteString("--name " + c.name + " ")
	}
	if c.restart != nil {
		b.WriteString("--restart " + c.restart.String() + " ")
	}
	for _, p := range c.publish {
		if p.host == 0 {
			b.WriteString("-P ")
			continue
		}
		b.WriteString("-p " + p.String() + " ")
	}
	for _, kv := range sortedPairs(c.env) {
		b.WriteString("-e " + kv + " ")
	}
	return b.String()
}

// mismatches lists, in a beginner's words, how a container differs from
// what the check wants; none means it matches. insp, when not nil, is the
// container inspected already. Unless explain is set, it asks the engine
// only what deciding needs (no logs, no port holders, no inspecting a
// container that differs already), so that sorting many candidates stays
// cheap; the one shown to the learner is then explained in full.
func (c *containerCheck) mismatches(ctx context.Context, env *Env, s *container.Summary, insp *container.InspectResponse, explain bool) ([]string, error) {
	who := "the " + c.what()
	if c.image == nil {
		who = "container " + containerName(s.Names)
	}
	var wrong []string
	inspect := func() (*container.InspectResponse, error) {
		if insp == nil {
			i, err := env.Docker.ContainerInspect(ctx, s.ID)
			if err != nil {
				return nil, err
			}
			insp = &i
		}
		return insp, nil
	}
	if c.state != "any" && s.State != c.state && !explain {
		wrong = append(wrong, fmt.Sprintf("%s is %s, want it %s", who, s.State, c.state))
	} else if c.state != "any" && s.State != c.state {
		msg, err := c.stateMismatch(ctx, env, s, who, inspect)
		if err != nil {
			return nil, err
		}
		if s.State != "running" && c.state == "running" {
			// docker run leaves a container created but not started when
			// the host port it asks for is taken.
			for _, p := range c.publish {
				if p.host == 0 {
					continue
				}
				if h, err := portHolder(ctx, env.Docker, p.host, s.ID); err != nil {
					return nil, err
				} else if h != "" {
					msg += "; " + h
				} else if s.State == "created" && portAnswers(ctx, p.host) {
					other := fmt.Sprintf("publish on another port (-p OTHER:%d)", p.container.num)
					if how := env.Rechoose[p.host]; how != "" {
						other = how
					}
					msg += fmt.Sprintf("; a program on this machine, not a container, holds port %d: stop it, or %s", p.host, other)
				}
			}
		}
		wrong = append(wrong, msg)
	}
	if len(c.publish) > 0 {
		binds := summaryBindings(s)
		if s.State != "running" && (explain || len(wrong) == 0) {
			i, err := inspect()
			if err != nil {
				return nil, err
			}
			binds = configBindings(i)
		}
		missing := false
		for _, p := range c.publish {
			if !hasBinding(binds, p) {
				wrong = append(wrong, publishMismatch(who, binds, p, s.State == "running"))
				missing = true
			}
		}
		if missing && explain {
			// docker run cannot add a port to a container that exists:
			// the learner must make a new one, and the old one is in the
			// way (its name, its host port).
			again := c.runCommand()
			if again == "" {
				again = "docker run " + c.runFlags() + "..."
			}
			name := containerName(s.Names)
			how := fmt.Sprintf("remove this one (docker rm -f %s)", name)
			if i, err := inspect(); err == nil && s.State == "running" && i.Config != nil && (i.Config.AttachStdout || i.Config.AttachStderr) {
				// It holds the terminal it was started in.
				how = fmt.Sprintf("stop this one (Ctrl-C in the terminal where it runs, or docker rm -f %s from another)", name)
			}
			wrong = append(wrong, "\n"+fmt.Sprintf("Ports are set when a container is created: %s and run it again: %s", how, again))
		}
	}
	if c.command != "" && !strings.Contains(s.Command, c.command) {
		wrong = append(wrong, fmt.Sprintf("%s runs %q, which does not contain %q", who, s.Command, c.command))
	}
	if c.network != "" {
		onIt := false
		if s.NetworkSettings != nil {
			_, onIt = s.NetworkSettings.Networks[c.network]
		}
		if !onIt {
			var nets []string
			if s.NetworkSettings != nil {
				for n := range s.NetworkSettings.Networks {
					nets = append(nets, n)
				}
			}
			sort.Strings(nets)
			// A container of that name is there: a docker run with the
			// name fails, so say to remove it first.
			name := containerName(s.Names)
			if s.State == "running" {
				wrong = append(wrong, fmt.Sprintf("%s is on network %s, not %s: attach it with docker network connect %s %s (or remove it with docker rm -f %s and run it again with --network %s)", who, orNone(nets), c.network, c.network, name, name, c.network))
			} else {
				// One that could not start (its network was not found)
				// would not start attached to one more: run it again.
				wrong = append(wrong, fmt.Sprintf("%s is on network %s, not %s: remove it (docker rm -f %s) and run it again with --network %s", who, orNone(nets), c.network, name, c.network))
			}
		}
	}
	for _, m := range c.mounts {
		if !hasMount(s.Mounts, m, env.Dir) {
			var has []string
			for _, mp := range s.Mounts {
				src := mp.Name
				if mp.Type == "bind" {
					src = mp.Source
				}
				has = append(has, src+":"+mp.Destination)
			}
			wrong = append(wrong, fmt.Sprintf("%s mounts %s, want %s: run it with -v %s", who, orNone(has), m, m))
		}
	}
	if !explain && len(wrong) > 0 {
		return wrong, nil // it differs already: no need to inspect it
	}
	if c.detached != nil {
		i, err := inspect()
		if err != nil {
			return nil, err
		}
		attached := i.Config != nil && (i.Config.AttachStdout || i.Config.AttachStderr) && !startedAgain(i)
		name := containerName(s.Names)
		switch {
		case *c.detached && attached:
			// Ctrl-C does not stop every program: one that runs as the
			// container's first process and sets no handler for it, such
			// as sleep, goes on. docker rm -f stops any, and gives the
			// terminal its prompt back.
			msg := fmt.Sprintf("%s was started in the foreground (docker run without -d): the terminal that started it is busy. From another terminal, remove it with docker rm -f %s (that gives the busy one its prompt back), then start it in the background", named(who, name), name)
			if cmd := c.runCommand(); cmd != "" {
				msg += ": " + cmd
			} else {
				msg += " with -d"
			}
			wrong = append(wrong, msg)
		case !*c.detached && !attached:
			wrong = append(wrong, fmt.Sprintf("%s was started in the background (docker run -d); this step runs it in the foreground, without -d", named(who, name)))
		}
	}
	if c.restart != nil || (c.health != "" && s.State == "running") {
		i, err := inspect()
		if err != nil {
			return nil, err
		}
		// A health check that must change means running the container
		// again, which sets the restart policy too.
		var health string
		recreate := false
		if c.health != "" && s.State == "running" {
			health, recreate = c.healthMismatch(who, containerName(s.Names), i)
		}
		if c.restart != nil {
			if msg := c.restartMismatch(who, containerName(s.Names), i, recreate); msg != "" {
				wrong = append(wrong, msg)
			}
		}
		if health != "" {
			wrong = append(wrong, health)
		}
	}
	if c.exitCode != nil && s.State == "exited" {
		i, err := inspect()
		if err != nil {
			return nil, err
		}
		if i.State != nil && i.State.ExitCode != *c.exitCode {
			wrong = append(wrong, fmt.Sprintf("%s exited with code %d, want %d", who, i.State.ExitCode, *c.exitCode))
		}
	}
	if len(c.env) > 0 {
		i, err := inspect()
		if err != nil {
			return nil, err
		}
		var has []string
		if i.Config != nil {
			has = i.Config.Env
		}
		if m := missingPairs(c.env, envMap(has)); m != "" {
			var flags []string
			for _, kv := range sortedPairs(c.env) {
				flags = append(flags, "-e "+kv)
			}
			run := c.runCommand()
			if run == "" {
				run = "docker run " + c.runFlags() + "..."
			}
			name := containerName(s.Names)
			wrong = append(wrong, fmt.Sprintf("%s lacks the environment variable %s: the environment is set when a container is created, so remove it (docker rm -f %s) and run it again with %s: %s", who, m, name, strings.Join(flags, " "), run))
		}
	}
	return wrong, nil
}

// startedAgain tells whether a container was started again after the run
// that created it (docker start, or its restart policy), seconds after its
// creation: whatever terminal ran it at first, it runs in the background
// now, as after Ctrl-C on a run without -d followed by docker start.
func startedAgain(i *container.InspectResponse) bool {
	if i.ContainerJSONBase == nil || i.State == nil {
		return false
	}
	created, err1 := time.Parse(time.RFC3339Nano, i.Created)
	started, err2 := time.Parse(time.RFC3339Nano, i.State.StartedAt)
	return err1 == nil && err2 == nil && started.Sub(created) > startedAgainAfter
}

// startedAgainAfter is how long after its creation a container's start is
// taken for a second start: docker run starts it within a second at most.
const startedAgainAfter = 5 * time.Second

func orNone(list []string) string {
	if len(list) == 0 {
		return "nothing"
	}
	return strings.Join(list, ", ")
}

// stateMismatch explains a container in the wrong state; for one that has
// exited, its exit code and the last lines of its log.
func (c *containerCheck) stateMismatch(ctx context.Context, env *Env, s *container.Summary, who string, inspect func() (*container.InspectResponse, error)) (string, error) {
	name := containerName(s.Names)
	switch {
	case s.State == "exited" && c.state == "running":
		i, err := inspect()
		if err != nil {
			return "", err
		}
		code := 0
		if i.State != nil {
			code = i.State.ExitCode
		}
		msg := fmt.Sprintf("%s (%s) exited with code %d", who, name, code)
		logs, err := lastLogLines(ctx, env.Docker, s.ID, i.Config != nil && i.Config.Tty, 5)
		if err != nil {
			return "", err
		}
		if logs == "" {
			msg += " and wrote nothing to its log"
		} else {
			msg += "; the last lines of its log:\n" + logs
		}
		return msg, nil
	case s.State == "created":
		i, err := inspect()
		if err != nil {
			return "", err
		}
		if i.State != nil && i.State.Error != "" {
			return fmt.Sprintf("%s was created but could not start; Docker said: %s", named(who, name), startError(i.State.Error)), nil
		}
		return fmt.Sprintf("%s (%s) was created but never started", who, name), nil
	case s.State == "paused":
		return fmt.Sprintf("%s (%s) is paused: docker unpause %s", who, name, name), nil
	case s.State == "running":
		return fmt.Sprintf("%s (%s) is still running, want it %s", who, name, c.state), nil
	}
	return fmt.Sprintf("%s (%s) is %s, want it %s", who, name, s.State, c.state), nil
}

// named is who with the container's name after it, unless who has it.
func named(who, name string) string {
	if strings.Contains(who, " "+name+" ") || strings.HasSuffix(who, " "+name) {
		return who
	}
	return who + " (" + name + ")"
}

// startError shortens the error Docker recorded for a container that
// could not start to the part a learner can act on.
func startError(s string) string {
	for {
		t := startErrorNoise.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	return strings.TrimSuffix(s, ": unknown")
}

// startErrorNoise is one layer of the wrapping that the engine, containerd
// and runc put around why a container could not start, in Docker 20.10's
// words and in current Docker's: what is left is the reason itself.
var startErrorNoise = regexp.MustCompile(`^(driver failed programming external connectivity on endpoint \S+ \([0-9a-f]+\): |failed to set up container networking: |failed to create task for container: |failed to create shim task: |OCI runtime create failed: |runc create failed: |unable to start container process: |error during container init: |container_linux\.go:\d+: starting container process caused: )`)

// binding is a published port: host port to container port.
type binding struct {
	host      int
	container port
}

func (b binding) String() string {
	if b.host == 0 {
		return fmt.Sprintf("%s (with -P)", b.container)
	}
	return fmt.Sprintf("%d→%s", b.host, b.container)
}

func summaryBindings(s *container.Summary) []binding {
	var out []binding
	seen := map[binding]bool{}
	for _, p := range s.Ports {
		if p.PublicPort == 0 {
			continue
		}
		b := binding{host: int(p.PublicPort), container: port{num: int(p.PrivatePort), proto: p.Type}}
		if !seen[b] { // once for IPv4 and once for IPv6
			seen[b] = true
			out = append(out, b)
		}
	}
	return out
}

// configBindings are the ports a container that is not running asked for:
// with -P, every port its image exposes, on a host port chosen at start
// (shown as host port 0).
func configBindings(i *container.InspectResponse) []binding {
	if i.HostConfig == nil {
		return nil
	}
	var out []binding
	if i.HostConfig.PublishAllPorts && i.Config != nil {
		for cp := range i.Config.ExposedPorts {
			out = append(out, binding{container: port{num: cp.Int(), proto: cp.Proto()}})
		}
	}
	for cp, hbs := range i.HostConfig.PortBindings {
		for _, hb := range hbs {
			h, _ := strconv.Atoi(hb.HostPort)
			out = append(out, binding{host: h, container: port{num: cp.Int(), proto: cp.Proto()}})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].host < out[b].host })
	return out
}

func hasBinding(binds []binding, p publishing) bool {
	for _, b := range binds {
		if (p.host == 0 || b.host == p.host) && b.container == p.container {
			return true
		}
	}
	return false
}

// publishMismatch explains a missing -p HOST:CONTAINER.
func publishMismatch(who string, binds []binding, want publishing, running bool) string {
	verb := "publishes"
	if !running {
		verb = "asked to publish"
	}
	if len(binds) == 0 && want.host == 0 {
		return fmt.Sprintf("%s publishes no ports: add -P (or -p HOST:%d) to docker run", who, want.container.num)
	}
	if len(binds) == 0 {
		return fmt.Sprintf("%s publishes no ports: add -p %s to docker run", who, want)
	}
	var has []string
	for _, b := range binds {
		has = append(has, b.String())
	}
	list := strings.Join(has, ", ")
	if want.host == 0 {
		return fmt.Sprintf("%s %s %s, but not port %s: publish it with -P or -p HOST:%d", who, verb, list, want.container, want.container.num)
	}
	for _, b := range binds {
		if b.host == want.container.num && b.container.num == want.host && b.container.proto == want.container.proto {
			return fmt.Sprintf("%s %s %s: the two ports are the wrong way round: -p takes the host port first, then the container's: use -p %s", who, verb, list, want)
		}
	}
	for _, b := range binds {
		if b.host == want.host {
			return fmt.Sprintf("%s %s %s, but the app listens on %d: use -p %s", who, verb, list, want.container.num, want)
		}
	}
	for _, b := range binds {
		if b.container == want.container {
			return fmt.Sprintf("%s %s %s, but the lesson uses host port %d: use -p %s", who, verb, list, want.host, want)
		}
	}
	return fmt.Sprintf("%s %s %s, want %d→%s: use -p %s", who, verb, list, want.host, want.container, want)
}

// portHolder names the running container, other than self, that holds a
// host port, or returns "" when none does. Only failing checks call it.
func portHolder(ctx context.Context, d Docker, host int, self string) (string, error) {
	list, err := d.ContainerList(ctx, container.ListOptions{})
	if err != nil {
		return "", err
	}
	for _, s := range list {
		if s.ID == self {
			continue
		}
		for _, p := range s.Ports {
			if int(p.PublicPort) == host {
				name := containerName(s.Names)
				return fmt.Sprintf("host port %d is held by container %s (from %s): stop it with docker stop %s, then start yours again", host, name, s.Image, name), nil
			}
		}
	}
	return "", nil
}

func hasMount(mounts []container.MountPoint, m mountSpec, dir string) bool {
	for _, mp := range mounts {
		if filepath.Clean(mp.Destination) != m.dest {
			continue
		}
		if !m.bind && mp.Type == "volume" && mp.Name == m.source {
			return true
		}
		if m.bind && mp.Type == "bind" {
			src := m.source
			if !filepath.IsAbs(src) {
				src = filepath.Join(dir, src)
			}
			if filepath.Clean(mp.Source) == filepath.Clean(src) {
				return true
			}
		}
	}
	return false
}

// quick passes the check by inspecting, by name or ID, the container the
// check names or the one that matched when last evaluated against env. The
// engine lists containers in time that grows with every container it holds,
// whatever the filters; inspecting one does not. When quick cannot pass the
// check, Evaluate lists the candidates, which also gives the diagnosis.
func (c *containerCheck) quick(ctx context.Context, env *Env) (Result, bool, error) {
	ids := env.recall(c.key())
	if c.name != "" {
		ids = append([]string{c.name}, ids...)
	}
	for _, id := range ids {
		insp, err := env.Docker.ContainerInspect(ctx, id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return Result{}, false, err
		}
		s := summaryOf(&insp)
		if c.image != nil && !c.image.matches(s.Image) {
			img, found, err := env.findImage(ctx, *c.image)
			if err != nil {
				return Result{}, false, err
			}
			if !found || img.ID != s.ImageID {
				continue
			}
		}
		if c.name != "" && containerName(s.Names) != c.name {
			continue
		}
		wrong, err := c.mismatches(ctx, env, &s, &insp, false)
		if err != nil {
			return Result{}, false, err
		}
		if len(wrong) == 0 {
			env.remember(c.key(), []string{s.ID})
			return Result{Kind: "container", Passed: true, Message: fmt.Sprintf("%s %s: %s", c.what(), stateWord(s.State), containerName(s.Names))}, true, nil
		}
	}
	return Result{}, false, nil
}

// key identifies the check, whatever compiled it, for Env's memo.
func (c *containerCheck) key() string {
	img, code := "", ""
	if c.image != nil {
		img = c.image.named.String()
	}
	if c.exitCode != nil {
		code = strconv.Itoa(*c.exitCode)
	}
	detached := ""
	if c.detached != nil {
		detached = strconv.FormatBool(*c.detached)
	}
	restart := ""
	if c.restart != nil {
		restart = c.restart.String()
	}
	return fmt.Sprintf("container\x00%s\x00%s\x00%s\x00%s\x00%v\x00%s\x00%s\x00%v\x00%v\x00%s\x00%s\x00%s",
		img, c.name, c.state, code, c.publish, c.command, c.network, c.mounts, sortedPairs(c.env), detached, restart, c.health)
}

// summaryOf gives an inspected container the form ContainerList gives it.
func summaryOf(i *container.InspectResponse) container.Summary {
	s := container.Summary{Mounts: i.Mounts}
	if i.ContainerJSONBase != nil {
		s.ID = i.ID
		s.Names = []string{"/" + strings.TrimPrefix(i.Name, "/")}
		s.ImageID = i.Image
		s.Command = strings.TrimSpace(i.Path + " " + strings.Join(i.Args, " "))
		if i.State != nil {
			s.State = i.State.Status
		}
	}
	if i.Config != nil {
		s.Image = i.Config.Image
	}
	if i.NetworkSettings != nil {
		s.NetworkSettings = &container.NetworkSettingsSummary{Networks: i.NetworkSettings.Networks}
		for cp, bs := range i.NetworkSettings.Ports {
			for _, b := range bs {
				h, _ := strconv.Atoi(b.HostPort)
				s.Ports = append(s.Ports, container.Port{IP: b.HostIP, PrivatePort: uint16(cp.Int()), PublicPort: uint16(h), Type: cp.Proto()})
			}
		}
	}
	return s
}

// portAnswers reports whether something accepts connections on a port of
// this machine.
func portAnswers(ctx context.Context, port int) bool {
	d := net.Dialer{Timeout: 300 * time.Millisecond}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
