package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/docker/docker/api/types/container"
	"gopkg.in/yaml.v3"

	"github.com/dockstep/dockstep/internal/clock"
)

func init() {
	builtinChecks["http"] = compileHTTP
	// An http check needs no engine; it only asks one, when there is one,
	// to explain a failure.
	engineFree["http"] = true
}

// httpCheck passes when a GET of the URL answers with the status and a body
// holding the text, retrying until the timeout so that a server that is
// still starting passes.
type httpCheck struct {
	url      string
	status   int
	contains string
	timeout  time.Duration
	// commands are the step's own commands, for advice.
	commands []string
}

func (c *httpCheck) advise(commands []string) { c.commands = commands }

// composeStep reports whether the step starts its containers with Compose,
// which publishes ports from compose.yaml, not from a -p flag.
func (c *httpCheck) composeStep() bool {
	return lessonCommand(c.commands, "docker compose", "up") != "" || lessonCommand(c.commands, "docker-compose", "up") != ""
}

func compileHTTP(n *yaml.Node) (Check, error) {
	var d decoder
	c := &httpCheck{status: 200, timeout: 5 * time.Second}
	if n != nil && n.Kind == yaml.ScalarNode {
		c.url = d.str("http", n)
		d.checkURL(n, c.url)
		return c, d.err()
	}
	d.fields(n, []string{"url", "status", "contains", "timeout"}, "{url: http://localhost:8888, contains: Hello}", func(key string, v *yaml.Node) {
		switch key {
		case "url":
			c.url = d.str(key, v)
			d.checkURL(v, c.url)
		case "status":
			c.status = d.integer(key, v)
			if c.status < 100 || c.status > 599 {
				d.errorf(v, "status %d is not an HTTP status (100 to 599)", c.status)
			}
		case "contains":
			c.contains = d.str(key, v)
		case "timeout":
			c.timeout = d.duration(key, v)
		}
	})
	if n != nil && n.Kind == yaml.MappingNode && c.url == "" && !hasKey(n, "url") {
		d.errorf(n, "url is missing, such as url: http://localhost:8888")
	}
	return c, d.err()
}

func (d *decoder) checkURL(v *yaml.Node, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		d.errorf(v, "url %q must be an http:// or https:// address, such as http://localhost:8888/", s)
	}
}

func (c *httpCheck) Kind() string { return "http" }

func (c *httpCheck) Evaluate(ctx context.Context, env *Env) Result {
	hc := env.HTTP
	if hc == nil {
		hc = &http.Client{}
	}
	timeout := c.timeout
	if env.MaxWait > 0 && env.MaxWait < timeout {
		timeout = env.MaxWait
	}
	clk := clock.Or(env.Clock)
	deadline := clk.Now().Add(timeout)
	var last string
	var answered bool
	for {
		attempt := deadline.Sub(clk.Now())
		if attempt > 2*time.Second {
			attempt = 2 * time.Second
		}
		if attempt < 200*time.Millisecond {
			attempt = 200 * time.Millisecond
		}
		msg, ok, got := c.try(ctx, hc, attempt)
		if ok {
			return Result{Kind: "http", Passed: true, Message: msg}
		}
		last, answered = msg, got
		if clk.Now().Add(250*time.Millisecond).After(deadline) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-clk.After(250 * time.Millisecond):
		}
	}
	msg := fmt.Sprintf("%s (still so after %s)", last, timeout)
	hint, unpublished := c.portHint(ctx, env, answered)
	if hint != "" {
		msg += "; " + hint
	}
	r := Result{Kind: "http", Message: msg}
	if unpublished != 0 {
		r.Port = unpublished
	}
	return r
}

// portHint says which running container, if any, publishes the URL's port
// on this machine: the usual reason a local URL does not answer, or answers
// with another app's page (answered). It is a best effort: without an
// engine, or when it does not answer, it says nothing.
// unpublished is the port when no running container publishes it.
func (c *httpCheck) portHint(ctx context.Context, env *Env, answered bool) (hint string, unpublished int) {
	u, err := url.Parse(c.url)
	if err != nil || env.Docker == nil {
		return "", 0
	}
	switch u.Hostname() {
	case "localhost", "127.0.0.1", "::1", "0.0.0.0":
	default:
		return "", 0
	}
	p := u.Port()
	if p == "" {
		p = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	hostPort, err := strconv.Atoi(p)
	if err != nil {
		return "", 0
	}
	list, err := env.Docker.ContainerList(ctx, container.ListOptions{})
	if err != nil {
		return "", 0
	}
	for _, s := range list {
		for _, b := range summaryBindings(&s) {
			if b.host == hostPort && answered {
				return fmt.Sprintf("that answer comes from container %s (from %s), which publishes %s: is it the app you meant?", containerName(s.Names), s.Image, b), 0
			}
			if b.host == hostPort {
				return c.wrongPortHint(ctx, env, &s, b), 0
			}
		}
	}
	if answered {
		return "", 0 // another program on this machine answers
	}
	// How the step publishes ports: Compose from compose.yaml's ports:,
	// docker run with -p.
	switch {
	case c.composeStep():
		return fmt.Sprintf("no running container publishes port %d of this machine: the service's ports: in compose.yaml must list \"%d:PORT\" (docker compose ps shows what runs)", hostPort, hostPort), hostPort
	case lessonCommand(c.commands, "docker run", strconv.Itoa(hostPort)+":") != "":
		return fmt.Sprintf("no running container publishes port %d of this machine: start it with %s", hostPort, lessonCommand(c.commands, "docker run", strconv.Itoa(hostPort)+":")), hostPort
	}
	return fmt.Sprintf("no running container publishes port %d of this machine (docker run -p %d:PORT)", hostPort, hostPort), hostPort
}

// wrongPortHint explains a container that publishes the URL's port, yet
// nothing answers behind it: most often -p or ports: names a container
// port the app does not listen on. When the image says which port it
// listens on (EXPOSE) and it is another, the hint gives the fix, in
// compose.yaml for a container of a Compose project.
func (c *httpCheck) wrongPortHint(ctx context.Context, env *Env, s *container.Summary, b binding) string {
	name := containerName(s.Names)
	hint := fmt.Sprintf("container %s (from %s) publishes %s: does the app in it listen on port %d?", name, s.Image, b, b.container.num)
	// The image's, not the container's: publishing a port exposes it on
	// the container too.
	i, err := env.Docker.ImageInspect(ctx, s.ImageID)
	if err != nil || i.Config == nil {
		return hint
	}
	var exposed []int
	for e := range i.Config.ExposedPorts {
		p, err := parsePort(e)
		if err != nil || p.proto != b.container.proto {
			continue
		}
		if p.num == b.container.num {
			return hint // the image says the app listens there
		}
		exposed = append(exposed, p.num)
	}
	if len(exposed) != 1 {
		return hint
	}
	want := fmt.Sprintf("%d:%d", b.host, exposed[0])
	hint = fmt.Sprintf("container %s (from %s) publishes %s, but its image says the app listens on %d (EXPOSE %d)", name, s.Image, b, exposed[0], exposed[0])
	if project := s.Labels[composeProject]; project != "" {
		return hint + fmt.Sprintf(": in compose.yaml, the service's ports: must read \"%s\"; then run docker compose up -d again", want)
	}
	return hint + fmt.Sprintf(": remove the container (docker rm -f %s) and run it again with -p %s", name, want)
}

// try makes one request and says what it found.
// answered is set when the server gave an HTTP answer, right or wrong.
func (c *httpCheck) try(ctx context.Context, hc *http.Client, timeout time.Duration) (msg string, ok, answered bool) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return fmt.Sprintf("cannot request %s: %v", c.url, err), false, false
	}
	resp, err := hc.Do(req)
	if err != nil {
		if strings.Contains(err.Error(), "connection refused") {
			how := "-p"
			if c.composeStep() {
				how = "ports: in compose.yaml"
			}
			return fmt.Sprintf("nothing answers at %s (connection refused): is the container running, with its port published (%s)?", c.url, how), false, false
		}
		if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
			strings.Contains(err.Error(), "server closed idle connection") {
			// Docker's proxy takes the connection, then finds nothing
			// listening on the container's side and hangs up (before the
			// request is written, net/http calls that an idle close).
			return fmt.Sprintf("%s takes connections but closes them at once without an answer: the port is published, but nothing listens behind it", c.url), false, false
		}
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
			return fmt.Sprintf("%s does not answer in time: the app may still be starting, or be stuck (docker logs shows what it does)", c.url), false, false
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is said already
		}
		return fmt.Sprintf("GET %s failed: %v", c.url, err), false, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Sprintf("GET %s: reading the answer: %v", c.url, err), false, true
	}
	if resp.StatusCode != c.status {
		return fmt.Sprintf("GET %s answered %s, want %d %s", c.url, resp.Status, c.status, http.StatusText(c.status)), false, true
	}
	if c.contains != "" && !strings.Contains(string(body), c.contains) {
		return fmt.Sprintf("GET %s answered %s, but the page does not contain %q; it begins: %q", c.url, resp.Status, c.contains, excerpt(string(body), 80)), false, true
	}
	return fmt.Sprintf("GET %s answered %s", c.url, resp.Status), true, true
}

func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
