package workshop

import (
	"fmt"

	"github.com/dockstep/dockstep/checks"
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
	Where   string // where the first lesson that needs it says so (lessons.Pos.Where)
}

// CollectNeeds gathers the images and host ports of the lessons: the
// images of their front matter, and what their checks need (checks.Needs),
// with each lesson's variables as vars gives them (nil: sample values).
// A check that does not compile with those values needs nothing here: lint
// and the commands that run it say what is wrong.
func CollectNeeds(reg *checks.Registry, ls []*lessons.Lesson, vars func(*lessons.Lesson) map[string]string) Needs {
	var n Needs
	images := map[string]*ImageNeed{}
	ports := map[string]*PortNeed{}
	addImage := func(l *lessons.Lesson, ref string) {
		key := checks.NormalizeImage(ref)
		in := images[key]
		if in == nil {
			in = &ImageNeed{Ref: ref}
			images[key] = in
			n.Images = append(n.Images, in)
		}
		in.Lessons = appendOnce(in.Lessons, l.ID)
	}
	addPort := func(l *lessons.Lesson, p checks.PortNeed, pos lessons.Pos) {
		key := fmt.Sprintf("%d/%s", p.Port, p.Proto)
		pn := ports[key]
		if pn == nil {
			pn = &PortNeed{Port: p.Port, Proto: p.Proto, Where: pos.Where()}
			ports[key] = pn
			n.Ports = append(n.Ports, pn)
		}
		pn.Lessons = appendOnce(pn.Lessons, l.ID)
	}
	for _, l := range ls {
		vs := l.SampleVars()
		if vars != nil {
			vs = vars(l)
		}
		for _, ref := range l.Images {
			addImage(l, lessons.Expand(ref, vs))
		}
		for _, s := range l.Steps {
			for _, c := range s.Checks {
				cn, err := reg.Needs(c, vs)
				if err != nil {
					continue
				}
				for _, im := range cn.Images {
					addImage(l, im.Ref)
				}
				for _, p := range cn.Ports {
					addPort(l, p, c.Pos)
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
