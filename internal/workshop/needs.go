package workshop

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"gopkg.in/yaml.v3"

	"github.com/dockstep/dockstep/lessons"
)

// Needs are what a set of lessons asks of the learner's machine: images to
// have and host ports to publish on.
type Needs struct {
	Images []*ImageNeed
	Ports  []*PortNeed
	Tools  []*ToolNeed
}

// ImageNeed is an image some lessons need.
type ImageNeed struct {
	Ref     string   // as the first lesson wrote it
	Lessons []string // ids of the lessons that need it
}

// PortNeed is a host port some lessons publish.
type PortNeed struct {
	Port    int
	Proto   string // tcp or udp
	Lessons []string
	Where   string // file:line of the first mention
}

// CollectNeeds gathers the images and ports of the lessons: the images of
// their front matter and the base of their image checks; the host ports of
// publish fields in checks, of http checks on localhost, and of -p options
// in the commands of their solutions.
func CollectNeeds(ls []*lessons.Lesson) Needs {
	var n Needs
	images := map[string]*ImageNeed{}
	ports := map[string]*PortNeed{}
	addImage := func(l *lessons.Lesson, ref string) {
		key := imageKey(ref)
		in := images[key]
		if in == nil {
			in = &ImageNeed{Ref: ref}
			images[key] = in
			n.Images = append(n.Images, in)
		}
		in.Lessons = appendOnce(in.Lessons, l.ID)
	}
	addPort := func(l *lessons.Lesson, p int, proto string, pos lessons.Pos) {
		key := fmt.Sprintf("%d/%s", p, proto)
		pn := ports[key]
		if pn == nil {
			pn = &PortNeed{Port: p, Proto: proto, Where: fmt.Sprintf("%s:%d", pos.File, pos.Line)}
			ports[key] = pn
			n.Ports = append(n.Ports, pn)
		}
		pn.Lessons = appendOnce(pn.Lessons, l.ID)
	}
	for _, l := range ls {
		vars := l.SampleVars()
		for _, ref := range l.Images {
			addImage(l, lessons.Expand(ref, vars))
		}
		for _, s := range l.Steps {
			for _, a := range s.Solution {
				if a.Kind != lessons.Run && a.Kind != lessons.Background {
					continue
				}
				for _, pub := range commandPublishes(lessons.Expand(a.Text, vars)) {
					for _, p := range publishedPorts(pub) {
						addPort(l, p.port, p.proto, a.Pos)
					}
				}
			}
			for _, c := range s.Checks {
				v := c.Expand(vars)
				if c.Kind == "image" && v != nil && v.Kind == yaml.MappingNode {
					if b := mapValue(v, "base"); b != nil && b.Kind == yaml.ScalarNode && b.Value != "" {
						addImage(l, b.Value)
					}
				}
				for _, pub := range fieldValues(v, "publish") {
					for _, p := range publishedPorts(pub) {
						addPort(l, p.port, p.proto, c.Pos)
					}
				}
				if c.Kind == "http" {
					urls := fieldValues(v, "url")
					if v != nil && v.Kind == yaml.ScalarNode {
						urls = append(urls, v.Value)
					}
					for _, u := range urls {
						if p, ok := localURLPort(u); ok {
							addPort(l, p, "tcp", c.Pos)
						}
					}
				}
			}
		}
	}
	n.Tools = collectTools(ls)
	return n
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// imageKey is the canonical form of an image reference, so that busybox,
// busybox:latest and docker.io/library/busybox count as one image.
func imageKey(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.TagNameOnly(named).String()
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// fieldValues returns every scalar given to key anywhere in n, whether the
// key holds one value or a list.
func fieldValues(n *yaml.Node, key string) []string {
	if n == nil {
		return nil
	}
	var out []string
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == key {
				switch v.Kind {
				case yaml.ScalarNode:
					out = append(out, v.Value)
				case yaml.SequenceNode:
					for _, it := range v.Content {
						if it.Kind == yaml.ScalarNode {
							out = append(out, it.Value)
						}
					}
				}
				continue
			}
			out = append(out, fieldValues(v, key)...)
		}
		return out
	}
	for _, c := range n.Content {
		out = append(out, fieldValues(c, key)...)
	}
	return out
}

type hostPort struct {
	port  int
	proto string
}

// publishedPorts reads the host ports of a publish option as docker run
// takes it: [ip:]hostPort:containerPort[/proto], where hostPort may be a
// range such as 8000-8002. A spec without a host port publishes on a port
// the engine picks, so it needs none.
func publishedPorts(spec string) []hostPort {
	spec = strings.Trim(strings.TrimSpace(spec), `"'`)
	proto := "tcp"
	if s, p, ok := strings.Cut(spec, "/"); ok {
		spec, proto = s, strings.ToLower(p)
	}
	// Drop the container port, then any IP in front (which may be [v6]).
	i := strings.LastIndex(spec, ":")
	if i < 0 {
		return nil
	}
	host := spec[:i]
	if j := strings.LastIndex(host, ":"); j >= 0 {
		host = host[j+1:]
	}
	if host == "" {
		return nil
	}
	lo, hi := host, host
	if a, b, ok := strings.Cut(host, "-"); ok {
		lo, hi = a, b
	}
	from, err1 := strconv.Atoi(lo)
	to, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || from < 1 || to > 65535 || to < from || to-from > 100 {
		return nil
	}
	var out []hostPort
	for p := from; p <= to; p++ {
		out = append(out, hostPort{p, proto})
	}
	return out
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

// shortFlagsWithP matches a cluster of short flags ending in p, such as -p
// or -dp, whose value is the next word; withValue matches -p8888:80.
var (
	shortFlagsWithP = regexp.MustCompile(`^-[a-zA-Z]*p$`)
	pWithValue      = regexp.MustCompile(`^-[a-zA-Z]*p=?([0-9\[].*)$`)
)

// commandPublishes returns the values of -p and --publish options of the
// docker commands in a shell command line.
func commandPublishes(cmd string) []string {
	cmd = strings.ReplaceAll(cmd, "\\\n", " ")
	var out []string
	for _, line := range strings.Split(cmd, "\n") {
		words := strings.Fields(line)
		inDocker := false
		quote := rune(0) // the quote a quoted argument opened, until it closes
		for i := 0; i < len(words); i++ {
			w := words[i]
			if quote != 0 {
				// Inside a quoted argument, such as sh -c 'nc -lp 80': not
				// docker's options.
				if strings.ContainsRune(w, quote) {
					quote = 0
				}
				continue
			}
			if q := rune(w[0]); (q == '\'' || q == '"') && strings.Count(w, string(q))%2 == 1 {
				quote = q
				continue
			}
			switch {
			case w == "docker" || strings.HasSuffix(w, "/docker"):
				inDocker = true
			case w == "|" || w == "&&" || w == ";" || w == "||":
				inDocker = false
			case !inDocker:
			case (w == "--publish" || shortFlagsWithP.MatchString(w)) && i+1 < len(words):
				out = append(out, words[i+1])
				i++
			case strings.HasPrefix(w, "--publish="):
				out = append(out, strings.TrimPrefix(w, "--publish="))
			default:
				if m := pWithValue.FindStringSubmatch(w); m != nil {
					out = append(out, m[1])
				}
			}
		}
	}
	return out
}
