package checks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/image"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["image"] = compileImage }

// imageCheck passes when an image exists locally, and, for each field given,
// has that property.
type imageCheck struct {
	ref     imageRef
	base    *imageRef
	exposes []port
	cmd     []string // nil when not checked
	cmdText string   // cmd as the lesson wrote it, when given as text
	workdir string
	env     map[string]string
	labels  map[string]string
	// differs is an image this one must not be: built again after a
	// change, it has a new ID.
	differs *imageRef
	// commands are the step's own commands, for advice.
	commands []string
}

func (c *imageCheck) advise(commands []string) { c.commands = commands }

var imageFields = []string{"ref", "base", "exposes", "cmd", "workdir", "env", "labels", "differs-from"}

func compileImage(n *yaml.Node) (Check, error) {
	var d decoder
	c := &imageCheck{}
	if n != nil && n.Kind == yaml.ScalarNode {
		c.ref = d.image("image", n)
		return c, d.err()
	}
	gotRef := false
	d.fields(n, imageFields, "{ref: python:3, exposes: 5000}", func(key string, v *yaml.Node) {
		switch key {
		case "ref":
			c.ref, gotRef = d.image(key, v), true
		case "base":
			r := d.image(key, v)
			c.base = &r
		case "differs-from":
			r := d.image(key, v)
			c.differs = &r
		case "exposes":
			for _, it := range d.strNodes(key, v) {
				p, err := parsePort(it.Value)
				if err != nil {
					d.errorf(it, "exposes: %v", err)
				}
				c.exposes = append(c.exposes, p)
			}
		case "cmd":
			switch v.Kind {
			case yaml.ScalarNode:
				c.cmdText = d.str(key, v)
				c.cmd = []string{"/bin/sh", "-c", c.cmdText}
			case yaml.SequenceNode:
				c.cmd = []string{}
				for _, it := range v.Content {
					if it.Kind != yaml.ScalarNode {
						d.errorf(it, "cmd: each item of the exec form must be text")
						continue
					}
					c.cmd = append(c.cmd, it.Value)
				}
			default:
				d.errorf(v, "cmd must be a command line or its exec form as a list, such as [python, app.py]")
			}
		case "workdir":
			c.workdir = d.str(key, v)
			if !path.IsAbs(c.workdir) {
				d.errorf(v, "workdir %q must be an absolute path, as Docker stores it", c.workdir)
			}
		case "env":
			c.env = d.pairs(key, v)
		case "labels":
			c.labels = d.pairs(key, v)
		}
	})
	if n != nil && n.Kind == yaml.MappingNode && !gotRef {
		d.errorf(n, "ref is missing: which image, such as ref: python:3")
	}
	return c, d.err()
}

func (c *imageCheck) Kind() string { return "image" }

func (c *imageCheck) Evaluate(ctx context.Context, env *Env) Result {
	insp, found, err := env.findImage(ctx, c.ref)
	if err != nil {
		return engineFailure("image", err)
	}
	if !found {
		return c.missing(ctx, env)
	}
	var wrong []string
	if c.base != nil {
		base, found, err := env.findImage(ctx, *c.base)
		if err != nil {
			return engineFailure("image", err)
		}
		switch {
		case !found:
			wrong = append(wrong, fmt.Sprintf("its base image %s is not here to compare with; docker pull %s", c.base.raw, c.base.raw))
		case !layersPrefix(base.RootFS.Layers, insp.RootFS.Layers):
			msg, elsewhere := c.notOnBase(env)
			if elsewhere {
				// Built from another Dockerfile: its other settings are
				// that file's, and building in the right folder is all
				// there is to do.
				return Result{Kind: "image", Message: fmt.Sprintf("image %s is here, but %s", c.ref.raw, msg)}
			}
			wrong = append(wrong, msg)
		}
	}
	if c.differs != nil {
		other, found, err := env.findImage(ctx, *c.differs)
		if err != nil {
			return engineFailure("image", err)
		}
		if found && other.ID == insp.ID {
			msg := fmt.Sprintf("it is the same image as %s (ID %s): nothing the build reads changed since %s was built, so every step came from the cache. Make the step's change, save the file", c.differs.raw, shortID(insp.ID), c.differs.raw)
			if cmd := lessonCommand(c.commands, "docker", "build", c.ref.raw); cmd != "" {
				msg += ", then build again: " + cmd
			} else {
				msg += ", then build again"
			}
			wrong = append(wrong, msg)
		}
	}
	cfg := insp.Config
	if cfg == nil {
		cfg = &dockerspec.DockerOCIImageConfig{}
	}
	for _, p := range c.exposes {
		if _, ok := cfg.ExposedPorts[p.String()]; !ok {
			has := exposedList(cfg.ExposedPorts)
			if has == "" {
				wrong = append(wrong, fmt.Sprintf("it exposes no ports, want %s: add EXPOSE %d to the Dockerfile and build again", p, p.num))
			} else {
				wrong = append(wrong, fmt.Sprintf("it exposes %s, not %s: add EXPOSE %d to the Dockerfile and build again", has, p, p.num))
			}
		}
	}
	if c.cmd != nil && !c.cmdMatches(cfg.Cmd, cfg.WorkingDir) {
		wrong = append(wrong, fmt.Sprintf("its CMD is %s, want %s", cmdString(cfg.Cmd), c.wantCmd()))
	}
	if c.workdir != "" && path.Clean(cfg.WorkingDir) != path.Clean(c.workdir) {
		has := cfg.WorkingDir
		if has == "" {
			has = "not set"
		}
		wrong = append(wrong, fmt.Sprintf("its WORKDIR is %s, want %s", has, c.workdir))
	}
	if m := missingPairs(c.env, envMap(cfg.Env)); m != "" {
		wrong = append(wrong, "its environment lacks "+m)
	}
	if m := missingPairs(c.labels, cfg.Labels); m != "" {
		wrong = append(wrong, "its labels lack "+m)
	}
	if len(wrong) > 0 {
		return Result{Kind: "image", Message: fmt.Sprintf("image %s is here, but %s", c.ref.raw, strings.Join(wrong, "; "))}
	}
	return Result{Kind: "image", Passed: true, Message: fmt.Sprintf("image %s is here", c.ref.raw)}
}

// missing explains that the image is absent, naming the nearest image that
// exists: a likely typing mistake.
func (c *imageCheck) missing(ctx context.Context, env *Env) Result {
	names, err := imageNames(ctx, env.Docker)
	if err != nil {
		return engineFailure("image", err)
	}
	msg := fmt.Sprintf("no image %s", c.ref.raw)
	built, err := c.builtElsewhere(ctx, env)
	if err != nil {
		return engineFailure("image", err)
	}
	near := nearest(c.ref.String(), names)
	build := lessonCommand(c.commands, "docker", "build", c.ref.raw)
	nearRepo, _, _ := strings.Cut(near, ":")
	switch {
	case built != "":
		msg += "; " + built
	case near != "" && build != "" && nearRepo == reference.FamiliarName(c.ref.named):
		// Another tag of the image, from an earlier step (catnip:v1 for
		// catnip:v3): not a typo, the build is still to do.
		msg += fmt.Sprintf(" yet (%s is another tag of it): build it with %s", near, build)
	case near != "":
		msg += fmt.Sprintf("; did you mean %s?", near)
	default:
		msg += " (docker images does not list it)"
		if pull := lessonCommand(c.commands, "docker", "pull", c.ref.raw); pull != "" {
			msg += "; get it with " + pull
			break
		}
		// docker build in another folder finds no Dockerfile and builds
		// nothing: say where the learner's Dockerfile is.
		// A build before the Dockerfile is written fails at once ("unable
		// to prepare context: ... Dockerfile: no such file or directory"):
		// say that it is missing.
		if build == "" || env.Dir == "" {
			break
		}
		_, err := os.Stat(filepath.Join(env.Dir, "Dockerfile"))
		switch {
		case err == nil:
			msg += fmt.Sprintf("; build it in the folder that holds your Dockerfile: cd %s, then %s", env.Dir, build)
		case errors.Is(err, fs.ErrNotExist) && !namesDockerfile(build):
			msg += fmt.Sprintf("; there is no Dockerfile in %s yet: write it there, then run %s in that folder", env.Dir, build)
		}
	}
	return Result{Kind: "image", Message: msg}
}

// builtElsewhere looks for an image built since the step began under
// another name, or none (docker build without -t), and says how to give
// it the lesson's name; "" when there is none.
//
// On an engine others use, images appear that the learner never built:
// one counts only when it is named like the lesson's (myname/catnip for
// learnr/catnip) or was built on the learner's base, the image the
// Dockerfile in their folder starts FROM (or the check's base), so that
// someone else's build is never taken for theirs.
func (c *imageCheck) builtElsewhere(ctx context.Context, env *Env) (string, error) {
	if env.Since.IsZero() {
		return "", nil
	}
	list, err := env.Docker.ImageList(ctx, image.ListOptions{})
	if err != nil {
		return "", err
	}
	var bases [][]string // the layers of the learner's possible bases
	learners := func(id string) (bool, error) {
		if bases == nil {
			if bases, err = c.learnerBases(ctx, env); err != nil {
				return false, err
			}
		}
		if len(bases) == 0 {
			return false, nil
		}
		insp, err := env.Docker.ImageInspect(ctx, id)
		if isNotFound(err) {
			return false, nil // removed meanwhile
		}
		if err != nil {
			return false, err
		}
		for _, b := range bases {
			if layersPrefix(b, insp.RootFS.Layers) {
				return true, nil
			}
		}
		return false, nil
	}
	// The newest, preferring one of the same name under another user
	// (myname/catnip for learnr/catnip).
	sort.Slice(list, func(a, b int) bool { return list[a].Created > list[b].Created })
	var found *image.Summary
	var tags []string
	for i, im := range list {
		// Created is in whole seconds: an image of the second the step
		// began is as likely the last step's (hello:single, tagged just
		// before the next step showed) as this one's.
		if im.Created <= env.Since.Unix() {
			break
		}
		var names []string
		for _, t := range im.RepoTags {
			if t != "<none>:<none>" {
				names = append(names, shortName(t))
			}
		}
		if !(len(names) > 0 && sameLastName(names[0], c.ref.String())) {
			if ok, err := learners(im.ID); err != nil {
				return "", err
			} else if !ok {
				continue
			}
		}
		if found == nil || len(names) > 0 && sameLastName(names[0], c.ref.String()) && !(len(tags) > 0 && sameLastName(tags[0], c.ref.String())) {
			found, tags = &list[i], names
		}
	}
	if found == nil {
		return "", nil
	}
	again := ""
	if cmd := lessonCommand(c.commands, "docker", "build", c.ref.raw); cmd != "" {
		again = ", or build it again with " + cmd
	}
	if len(tags) == 0 {
		id := strings.TrimPrefix(found.ID, "sha256:")[:12]
		return fmt.Sprintf("an image was just built without a name (ID %s; docker build without -t): name it with docker tag %s %s%s", id, id, c.ref.raw, again), nil
	}
	return fmt.Sprintf("an image was just built under another name, %s: give it the lesson's name with docker tag %s %s%s", tags[0], tags[0], c.ref.raw, again), nil
}

// learnerBases are the layers of the images the learner's build would
// start from: the check's base, and the image the last FROM of the
// Dockerfile in the learner's folder names (not a stage of its own). An
// image that is not here, or a Dockerfile that cannot be read, adds none.
func (c *imageCheck) learnerBases(ctx context.Context, env *Env) ([][]string, error) {
	var refs []imageRef
	if c.base != nil {
		refs = append(refs, *c.base)
	}
	if b, err := os.ReadFile(filepath.Join(env.Dir, "Dockerfile")); env.Dir != "" && err == nil {
		if ins, err := parseInstructions(string(b)); err == nil {
			var from string
			stages := map[string]bool{}
			for _, in := range ins {
				if in.keyword == "FROM" && len(in.args) > 0 {
					from = in.args[0]
					if len(in.args) == 3 && strings.EqualFold(in.args[1], "AS") {
						stages[strings.ToLower(in.args[2])] = true
					}
				}
			}
			if r, err := parseImageRef(from); from != "" && !stages[strings.ToLower(from)] && err == nil {
				refs = append(refs, r)
			}
		}
	}
	out := [][]string{} // not nil: looked already
	for _, r := range refs {
		insp, found, err := env.findImage(ctx, r)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, insp.RootFS.Layers)
		}
	}
	return out, nil
}

// sameLastName reports whether two image names end in the same name, tags
// aside: myname/catnip and learnr/catnip:latest.
func sameLastName(a, b string) bool {
	last := func(s string) string {
		s = s[strings.LastIndex(s, "/")+1:]
		s, _, _ = strings.Cut(s, ":")
		return s
	}
	return last(a) == last(b)
}

// notOnBase explains an image not built on the base image. When the
// Dockerfile in the working directory does start FROM the base, the image
// came from another Dockerfile: it was built in another folder.
func (c *imageCheck) notOnBase(env *Env) (msg string, elsewhere bool) {
	b, err := os.ReadFile(filepath.Join(env.Dir, "Dockerfile"))
	if env.Dir != "" && err == nil {
		if ins, err := parseInstructions(string(b)); err == nil {
			for _, in := range ins {
				if in.keyword == "FROM" && len(in.args) > 0 && c.base.matches(in.args[0]) {
					cmd := lessonCommand(c.commands, "docker", "build", c.ref.raw)
					if cmd == "" {
						cmd = "docker build -t " + c.ref.raw + " ."
					}
					return fmt.Sprintf("it is not built on %s, although the Dockerfile in %s starts FROM %s: it was built from another folder's Dockerfile. Build it in %s: cd %s, then %s", c.base.raw, env.Dir, c.base.raw, env.Dir, env.Dir, cmd), true
				}
			}
		}
	}
	return fmt.Sprintf("it is not built on %s: start the Dockerfile with FROM %s and build it again", c.base.raw, c.base.raw), false
}

// cmdMatches compares the image's CMD with the lesson's. A CMD the lesson
// writes as text is what Docker stores for the shell form
// ([/bin/sh -c TEXT]); the exec form with the same words is accepted too.
// After the program, arguments that name the same file in the image's
// WORKDIR are equal: ./app.py, app.py, /usr/src/app/app.py.
func (c *imageCheck) cmdMatches(has []string, workdir string) bool {
	same := func(a, b string) bool { return samePath(a, workdir) == samePath(b, workdir) }
	if len(has) == len(c.cmd) && len(has) > 0 && has[0] == c.cmd[0] && slices.EqualFunc(has[1:], c.cmd[1:], same) {
		return true
	}
	if slices.Equal(has, c.cmd) {
		return true
	}
	return c.cmdText != "" && strings.Join(strings.Fields(c.cmdText), " ") == strings.Join(has, " ")
}

func (c *imageCheck) wantCmd() string {
	if c.cmdText != "" {
		return c.cmdText
	}
	return cmdString(c.cmd)
}

func cmdString(cmd []string) string {
	if len(cmd) == 0 {
		return "not set"
	}
	b, _ := json.Marshal(cmd)
	return strings.ReplaceAll(string(b), `","`, `", "`)
}

func layersPrefix(base, img []string) bool {
	if len(base) == 0 || len(base) > len(img) {
		return false
	}
	return slices.Equal(base, img[:len(base)])
}

func exposedList[V any](m map[string]V) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		m[k] = v
	}
	return m
}

// missingPairs lists the pairs of want that has lacks or holds with another
// value, as NAME=value, or "" when there are none.
func missingPairs(want, has map[string]string) string {
	var out []string
	for _, kv := range sortedPairs(want) {
		k, v, _ := strings.Cut(kv, "=")
		if got, ok := has[k]; !ok {
			out = append(out, kv)
		} else if got != v {
			out = append(out, fmt.Sprintf("%s (it has %s=%s)", kv, k, got))
		}
	}
	return strings.Join(out, ", ")
}

// namesDockerfile tells whether a docker build command names its
// Dockerfile with -f (or --file) rather than reading ./Dockerfile.
func namesDockerfile(cmd string) bool {
	for _, w := range strings.Fields(cmd) {
		if w == "-f" || w == "--file" || strings.HasPrefix(w, "--file=") || strings.HasPrefix(w, "-f") && len(w) > 2 && !strings.HasPrefix(w, "--") {
			return true
		}
	}
	return false
}
