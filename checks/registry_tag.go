package checks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"gopkg.in/yaml.v3"
)

func init() { builtinChecks["registry-tag"] = compileRegistryTag }

// registryTagCheck passes when a registry holds a tag, asked through the
// registry's HTTP API (the Docker Registry HTTP API V2, which Docker Hub and
// every registry speak). With image, the tag must also be that local image:
// the same content, as after a push or a pull.
type registryTagCheck struct {
	ref   reference.NamedTagged
	raw   string
	image *imageRef
}

// manifestTypes are the manifests a registry may answer with.
var manifestTypes = []string{
	"application/vnd.docker.distribution.manifest.v2+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.oci.image.index.v1+json",
}

func compileRegistryTag(n *yaml.Node) (Check, error) {
	var d decoder
	c := &registryTagCheck{}
	read := func(v *yaml.Node) {
		r := d.image("ref", v)
		if r.named == nil {
			return
		}
		c.raw = r.raw
		tagged, ok := r.named.(reference.NamedTagged)
		if !ok || reference.Domain(r.named) == "docker.io" && !strings.HasPrefix(r.raw, "docker.io/") {
			d.errorf(v, "ref %q must name the registry and a tag, such as localhost:5000/catnip:v1", r.raw)
			return
		}
		if reference.Domain(r.named) == "docker.io" {
			d.errorf(v, "ref %q is on Docker Hub, which answers only with a login token, so this check could never pass: use a registry the lesson starts, such as localhost:5000/catnip:v1", r.raw)
			return
		}
		c.ref = tagged
	}
	if n != nil && n.Kind == yaml.ScalarNode {
		read(n)
		return c, d.err()
	}
	d.fields(n, []string{"ref", "image"}, "{ref: localhost:5000/catnip:v1, image: localhost:5000/catnip:v1}", func(key string, v *yaml.Node) {
		switch key {
		case "ref":
			read(v)
		case "image":
			r := d.image(key, v)
			c.image = &r
		}
	})
	if n != nil && n.Kind == yaml.MappingNode && !hasKey(n, "ref") {
		d.errorf(n, "ref is missing: which registry, repository and tag, such as localhost:5000/catnip:v1")
	}
	return c, d.err()
}

func (c *registryTagCheck) Kind() string { return "registry-tag" }

// base is the registry's API address. Docker speaks plain HTTP to
// registries on this machine and HTTPS to any other.
func (c *registryTagCheck) base() string {
	host := reference.Domain(c.ref)
	scheme := "https"
	h := strings.Split(host, ":")[0]
	if h == "localhost" || strings.HasPrefix(h, "127.") || h == "[::1]" {
		scheme = "http"
	}
	return scheme + "://" + host + "/v2/" + reference.Path(c.ref)
}

func (c *registryTagCheck) Evaluate(ctx context.Context, env *Env) Result {
	hc := env.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Second}
	}
	host := reference.Domain(c.ref)
	get := func(url string, accept []string) (*http.Response, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, nil, err
		}
		for _, a := range accept {
			req.Header.Add("Accept", a)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp, body, err
	}
	resp, body, err := get(c.base()+"/manifests/"+c.ref.Tag(), manifestTypes)
	if err != nil {
		return Result{Kind: "registry-tag", Message: c.noRegistry(ctx, env, host, err)}
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		msg := fmt.Sprintf("the registry at %s has no tag %s of %s", host, c.ref.Tag(), reference.Path(c.ref))
		if tr, tb, err := get(c.base()+"/tags/list", nil); err == nil && tr.StatusCode == http.StatusOK {
			var tags struct{ Tags []string }
			if json.Unmarshal(tb, &tags) == nil && len(tags.Tags) > 0 {
				msg += " (it has " + strings.Join(tags.Tags, ", ") + ")"
			}
		} else {
			msg += " (nor any tag of that repository)"
		}
		fix := fmt.Sprintf(": tag your image with docker tag IMAGE %s, then docker push %s", c.raw, c.raw)
		// Tagged but not pushed (or pushed under another name, such as
		// docker push hello-share, which goes to Docker Hub): only the push
		// is missing.
		if r, err := parseImageRef(c.raw); err == nil && env.Docker != nil {
			if _, found, err := env.findImage(ctx, r); err == nil && found {
				fix = fmt.Sprintf(": your machine has the image %s, so push that name: docker push %s", c.raw, c.raw)
			}
		}
		return Result{Kind: "registry-tag", Message: msg + fix}
	case resp.StatusCode == http.StatusUnauthorized:
		return Result{Kind: "registry-tag", Message: fmt.Sprintf("the registry at %s asks for a login to show %s; this check reads only registries that answer without one", host, c.raw)}
	case resp.StatusCode != http.StatusOK:
		return Result{Kind: "registry-tag", Message: fmt.Sprintf("the registry at %s answered %s for %s", host, resp.Status, c.raw)}
	}
	if c.image == nil {
		return Result{Kind: "registry-tag", Passed: true, Message: fmt.Sprintf("the registry at %s has %s", host, c.raw)}
	}
	return c.sameImage(ctx, env, resp.Header.Get("Docker-Content-Digest"), body)
}

// sameImage compares the tag's manifest with the local image. Docker names
// an image by its configuration's digest (or, with the containerd image
// store, by its manifest's), and remembers the manifest digest of each
// repository it pushed the image to or pulled it from.
func (c *registryTagCheck) sameImage(ctx context.Context, env *Env, digest string, manifest []byte) Result {
	insp, found, err := env.findImage(ctx, *c.image)
	if err != nil {
		return engineFailure("registry-tag", err)
	}
	if !found {
		r := (&imageCheck{ref: *c.image}).missing(ctx, env)
		r.Kind = "registry-tag"
		return r
	}
	var m struct {
		Config struct{ Digest string }
	}
	json.Unmarshal(manifest, &m)
	same := insp.ID == digest || m.Config.Digest != "" && insp.ID == m.Config.Digest
	for _, rd := range insp.RepoDigests {
		if digest != "" && strings.HasSuffix(rd, "@"+digest) {
			same = true
		}
	}
	if !same {
		return Result{Kind: "registry-tag", Message: fmt.Sprintf("the registry has %s, but it is not your image %s (ID %s): push it again with docker push %s", c.raw, c.image.raw, shortID(insp.ID), c.raw)}
	}
	return Result{Kind: "registry-tag", Passed: true, Message: fmt.Sprintf("the registry's %s is your image %s (ID %s)", c.raw, c.image.raw, shortID(insp.ID))}
}

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// unwrapURLError drops the method and URL that net/http puts before the
// reason a request failed.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// noRegistry explains that nothing answered at the registry's address: a
// stopped container that publishes its port is named, with how to start it
// again; otherwise how to start a registry on that port.
func (c *registryTagCheck) noRegistry(ctx context.Context, env *Env, host string, err error) string {
	why := "nothing listens there"
	if !strings.Contains(err.Error(), "connection refused") {
		why = EngineTrouble(unwrapURLError(err))
	}
	msg := fmt.Sprintf("no registry answers at %s (%s)", host, why)
	port := "5000"
	if i := strings.LastIndex(host, ":"); i >= 0 {
		port = host[i+1:]
	}
	if env.Docker != nil {
		if name := stoppedPublisher(ctx, env.Docker, port); name != "" {
			return msg + fmt.Sprintf(": container %s, which publishes port %s, is stopped; start it again with docker start %s", name, port, name)
		}
	}
	return msg + fmt.Sprintf(": start one, such as docker run -d -p %s:5000 --name registry registry:2", port)
}

// stoppedPublisher names a container that is not running and publishes
// host port port when it runs, or "". Trouble asking the engine means "".
func stoppedPublisher(ctx context.Context, d Docker, port string) string {
	list, err := d.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("status", "exited"), filters.Arg("status", "created"))})
	if err != nil {
		return ""
	}
	for i, s := range list {
		if i >= 20 {
			break
		}
		insp, err := d.ContainerInspect(ctx, s.ID)
		if err != nil || insp.HostConfig == nil {
			continue
		}
		for _, bs := range insp.HostConfig.PortBindings {
			for _, b := range bs {
				if b.HostPort == port {
					return containerName(s.Names)
				}
			}
		}
	}
	return ""
}
