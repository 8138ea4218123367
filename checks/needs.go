package checks

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/distribution/reference"

	"github.com/dockstep/dockstep/lessons"
)

// Needs is what a check asks of the machine it is evaluated on, for the
// commands that prepare one (doctor, prefetch) and the prover. It is read
// from the compiled check, so a new kind or field cannot escape them.
type Needs struct {
	// Engine is set when the check asks the Docker engine.
	Engine bool
	// Images are images the check expects to build on or run: the base of
	// an image check, the FROM of a dockerfile check.
	Images []ImageNeed
	// Ports are host ports the check expects a container to publish, or a
	// server on this machine to answer on.
	Ports []PortNeed
	// Files are the files the check reads, relative to the working folder.
	Files []string
}

// ImageNeed is an image a check needs.
type ImageNeed struct {
	Ref string // in the short form docker shows: busybox:latest
	// Platform, such as linux/amd64, when the check names one; empty for
	// the engine's own.
	Platform string
}

// PortNeed is a host port a check needs free for the lesson to use.
type PortNeed struct {
	Port  int
	Proto string // tcp, udp or sctp
}

// needer is implemented by the kinds that need more than the engine.
type needer interface{ needs() Needs }

// NeedsOf says what a compiled check needs.
func NeedsOf(c Check) Needs {
	var n Needs
	if nd, ok := c.(needer); ok {
		n = nd.needs()
	}
	n.Engine = NeedsEngine(c.Kind())
	return n
}

// Needs compiles a check with the variables' values and says what it
// needs.
func (r *Registry) Needs(spec lessons.CheckSpec, vars map[string]string) (Needs, error) {
	c, err := r.Compile(spec, vars)
	if err != nil {
		return Needs{}, err
	}
	return NeedsOf(c), nil
}

func (c *imageCheck) needs() Needs {
	var n Needs
	if c.base != nil {
		n.Images = append(n.Images, ImageNeed{Ref: c.base.String()})
	}
	return n
}

func (c *dockerfileCheck) needs() Needs {
	n := Needs{Files: []string{c.path}}
	if c.from != nil {
		n.Images = append(n.Images, ImageNeed{Ref: c.from.String()})
	}
	return n
}

func (c *fileCheck) needs() Needs { return Needs{Files: []string{c.path}} }

func (c *containerCheck) needs() Needs {
	var n Needs
	for _, p := range c.publish {
		if p.host != 0 {
			n.Ports = append(n.Ports, PortNeed{Port: p.host, Proto: p.container.proto})
		}
	}
	return n
}

func (c *httpCheck) needs() Needs {
	var n Needs
	if p, ok := localURLPort(c.url); ok {
		n.Ports = append(n.Ports, PortNeed{Port: p, Proto: "tcp"})
	}
	return n
}

// localURLPort returns the port of a URL on this machine, such as
// http://localhost:8888/.
func localURLPort(raw string) (int, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return 0, false
	}
	switch u.Hostname() {
	case "localhost", "127.0.0.1", "::1", "0.0.0.0":
	default:
		return 0, false
	}
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		default:
			return 0, false
		}
	}
	p, err := strconv.Atoi(port)
	return p, err == nil && p > 0 && p < 65536
}

// NormalizeImage writes an image reference the way the engine lists it, so
// that busybox, busybox:latest and docker.io/library/busybox:latest compare
// equal: docker.io/library/busybox:latest becomes busybox:latest. A
// reference pinned by digest keeps it. Anything that is not a reference
// (an image ID, a word) is returned as it is.
func NormalizeImage(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.FamiliarString(reference.TagNameOnly(named))
}

// SameImage reports whether two image references name the same image.
func SameImage(a, b string) bool { return NormalizeImage(a) == NormalizeImage(b) }
