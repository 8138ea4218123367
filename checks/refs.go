package checks

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"gopkg.in/yaml.v3"
)

// imageRef is an image reference as a lesson writes it. busybox,
// busybox:latest, library/busybox and docker.io/library/busybox:latest all
// name the same image; a missing tag means latest.
type imageRef struct {
	raw   string          // as written, for messages
	named reference.Named // normalised, with a tag unless a digest is given
}

func parseImageRef(s string) (imageRef, error) {
	n, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return imageRef{}, fmt.Errorf("%q is not an image reference such as busybox or python:3: %v", s, err)
	}
	return imageRef{raw: s, named: reference.TagNameOnly(n)}, nil
}

// imageField reads a field that holds an image reference.
func (d *decoder) image(key string, v *yaml.Node) imageRef {
	s := d.str(key, v)
	if s == "" {
		return imageRef{}
	}
	r, err := parseImageRef(s)
	if err != nil {
		d.errorf(v, "%s: %v", key, err)
	}
	return r
}

// String is the reference as docker images shows it: busybox:latest.
func (r imageRef) String() string { return reference.FamiliarString(r.named) }

// matches reports whether name, as the engine reports an image or the image
// of a container, is this reference.
func (r imageRef) matches(name string) bool {
	n, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return false
	}
	return reference.TagNameOnly(n).String() == r.named.String()
}

// findImage inspects the image the reference names. It reports found=false
// when there is no such image; an error means the engine did not answer.
// The engine also resolves short image IDs, so the answer is accepted only
// when one of the image's names is the reference.
func findImage(ctx context.Context, d Docker, r imageRef) (image.InspectResponse, bool, error) {
	insp, err := d.ImageInspect(ctx, r.named.String())
	if err != nil {
		if isNotFound(err) {
			return insp, false, nil
		}
		return insp, false, err
	}
	for _, t := range append(append([]string{}, insp.RepoTags...), insp.RepoDigests...) {
		if r.matches(t) {
			return insp, true, nil
		}
	}
	return insp, false, nil
}

// imageNames lists the names of every tagged image, for suggestions. It is
// only called once a check has failed, so its cost does not weigh on checks
// that pass.
func imageNames(ctx context.Context, d Docker) ([]string, error) {
	imgs, err := d.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("dangling", "false"))})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, im := range imgs {
		for _, t := range im.RepoTags {
			if t != "<none>:<none>" {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// containerNames lists the names of every container, in any state, for
// suggestions. Like imageNames, it is only called once a check has failed.
func containerNames(ctx context.Context, d Docker) ([]string, error) {
	all, err := d.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(all))
	for _, s := range all {
		names = append(names, containerName(s.Names))
	}
	return names, nil
}

// shortName drops a :latest tag, as people say "busybox".
func shortName(s string) string { return strings.TrimSuffix(s, ":latest") }

// nearest returns the candidate most like want, or "" when none is close
// enough to be a likely typing mistake.
func nearest(want string, candidates []string) string {
	want = shortName(want)
	best, bestD := "", -1
	for _, c := range candidates {
		c = shortName(c)
		if c == want {
			continue
		}
		d := distance(want, c)
		limit := max(2, len(want)/4)
		wantRepo, _, _ := strings.Cut(want, ":")
		cRepo, _, _ := strings.Cut(c, ":")
		if wantRepo == cRepo {
			d = 0 // same repository, another tag: always worth naming
		}
		if d <= limit && (bestD < 0 || d < bestD || d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// port is a container port such as 5000/tcp.
type port struct {
	num   int
	proto string
}

func (p port) String() string { return fmt.Sprintf("%d/%s", p.num, p.proto) }

// parsePort reads 5000 or 5000/tcp; the protocol defaults to tcp.
func parsePort(s string) (port, error) {
	num, proto, ok := strings.Cut(s, "/")
	if !ok {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	if proto != "tcp" && proto != "udp" && proto != "sctp" {
		return port{}, fmt.Errorf("%q: the protocol must be tcp, udp or sctp", s)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 65535 {
		return port{}, fmt.Errorf("%q is not a port: want a number from 1 to 65535, such as 5000 or 5000/tcp", s)
	}
	return port{num: n, proto: proto}, nil
}

// publishing is a published port as docker run -p gives it: host:container.
type publishing struct {
	host      int // 0: any host port, as -P or -p CONTAINER picks
	container port
}

func (p publishing) String() string {
	if p.host == 0 {
		return strconv.Itoa(p.container.num)
	}
	return fmt.Sprintf("%d:%d", p.host, p.container.num)
}

// parsePublish reads HOST:CONTAINER, or CONTAINER alone for a container
// port published on whatever host port the engine picks (docker run -P).
func parsePublish(s string) (publishing, error) {
	host, cport, ok := strings.Cut(s, ":")
	if !ok {
		p, err := parsePort(s)
		if err != nil {
			return publishing{}, fmt.Errorf("%q: write a published port as HOST:CONTAINER, such as 8888:5000, or CONTAINER alone for any host port", s)
		}
		return publishing{container: p}, nil
	}
	h, err := strconv.Atoi(host)
	if err != nil || h < 1 || h > 65535 {
		return publishing{}, fmt.Errorf("%q: the host port %q is not a number from 1 to 65535", s, host)
	}
	p, err := parsePort(cport)
	if err != nil {
		return publishing{}, err
	}
	return publishing{host: h, container: p}, nil
}

func sortedPairs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
