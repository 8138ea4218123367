package checks

import (
	"strings"

	"github.com/docker/docker/api/types/events"
)

// Subjects are the engine objects a step's checks look at: the containers,
// images, volumes, networks and Compose projects they name. The runner
// tells from them an engine event about the learner's work on the step
// from one about somebody else's, on an engine others use too.
type Subjects struct {
	Containers []string // container names
	Images     []imageRef
	Volumes    []string
	Networks   []string
	Projects   []string // Compose projects
}

// Subjecter is implemented by the checks that look at named engine objects.
type Subjecter interface{ Subjects() Subjects }

// SubjectsOf says what engine objects a compiled check names. A kind that
// names none (http, command, file) gives empty Subjects.
func SubjectsOf(c Check) Subjects {
	if s, ok := c.(Subjecter); ok {
		return s.Subjects()
	}
	return Subjects{}
}

// FileReader is implemented by the checks that read only files of the
// working folder (dockerfile, file).
type FileReader interface{ ReadsFilesOnly() bool }

// FilesOnly reports whether a compiled check reads only files of the
// working folder: no engine event can be the learner acting on it.
func FilesOnly(c Check) bool {
	f, ok := c.(FileReader)
	return ok && f.ReadsFilesOnly()
}

func (c *dockerfileCheck) ReadsFilesOnly() bool { return true }
func (c *fileCheck) ReadsFilesOnly() bool       { return true }

// Add gathers the subjects of another check in s.
func (s *Subjects) Add(o Subjects) {
	s.Containers = append(s.Containers, o.Containers...)
	s.Images = append(s.Images, o.Images...)
	s.Volumes = append(s.Volumes, o.Volumes...)
	s.Networks = append(s.Networks, o.Networks...)
	s.Projects = append(s.Projects, o.Projects...)
}

// Empty reports whether no object is named: then any engine event may be
// about the step.
func (s Subjects) Empty() bool {
	return len(s.Containers)+len(s.Images)+len(s.Volumes)+len(s.Networks)+len(s.Projects) == 0
}

// About reports whether an engine event concerns one of the subjects. With
// no subjects every event may. Events that do not say which object they are
// about by name (an image deleted, known by its ID only) count when the
// step looks at objects of that type. A near miss counts too, since it is
// most likely the learner's mistake: a name one or two letters off
// (static-sit, note for notes), an image of the same name under another
// user (myname/catnip for learnr/catnip).
func (s Subjects) About(m events.Message) bool {
	if s.Empty() {
		return true
	}
	attr := m.Actor.Attributes
	name := attr["name"]
	switch m.Type {
	case events.ContainerEventType:
		if near(s.Containers, strings.TrimPrefix(name, "/")) || contains(s.Projects, attr[composeProject]) {
			return true
		}
		for _, r := range s.Images {
			if r.matches(attr["image"]) {
				return true
			}
		}
		return false
	case events.ImageEventType:
		if len(s.Images) == 0 {
			return false
		}
		named := false
		for _, n := range []string{m.Actor.ID, name} {
			if n == "" || strings.HasPrefix(n, "sha256:") {
				continue
			}
			named = true
			for _, r := range s.Images {
				if r.matches(n) || sameLastName(n, r.String()) {
					return true
				}
			}
		}
		return !named
	case events.VolumeEventType:
		return near(s.Volumes, m.Actor.ID) || s.ofProject(m.Actor.ID)
	case events.NetworkEventType:
		return near(s.Networks, name) || s.ofProject(name)
	}
	return false
}

// near reports whether name is one of names, or one or two letters off
// one of at least four letters.
func near(names []string, name string) bool {
	if name == "" {
		return false
	}
	for _, n := range names {
		if n == name || len(n) >= 4 && distance(n, name) <= 2 {
			return true
		}
	}
	return false
}

// ofProject reports whether an object's name is one Compose gives the
// networks and volumes of a project: project_name.
func (s Subjects) ofProject(name string) bool {
	for _, p := range s.Projects {
		if p != "" && strings.HasPrefix(name, p+"_") {
			return true
		}
	}
	return false
}

func (c *containerCheck) Subjects() Subjects {
	s := Subjects{}
	if c.name != "" {
		s.Containers = append(s.Containers, c.name)
	}
	if c.image != nil {
		s.Images = append(s.Images, *c.image)
	}
	if c.network != "" {
		s.Networks = append(s.Networks, c.network)
	}
	for _, m := range c.mounts {
		if !m.bind && m.source != "" {
			s.Volumes = append(s.Volumes, m.source)
		}
	}
	return s
}

func (c *noContainerCheck) Subjects() Subjects {
	s := Subjects{}
	if c.name != "" {
		s.Containers = append(s.Containers, c.name)
	}
	if c.image != nil {
		s.Images = append(s.Images, *c.image)
	}
	return s
}

func (c *mountCheck) Subjects() Subjects {
	s := Subjects{Containers: []string{c.container}}
	if c.typ != "bind" && c.source != "" && !strings.HasPrefix(c.source, "/") && !strings.HasPrefix(c.source, ".") {
		s.Volumes = append(s.Volumes, c.source)
	}
	return s
}

func (c *noImageCheck) Subjects() Subjects   { return Subjects{Images: []imageRef{c.ref}} }
func (c *volumeCheck) Subjects() Subjects    { return Subjects{Volumes: []string{c.name}} }
func (c *noVolumeCheck) Subjects() Subjects  { return Subjects{Volumes: []string{c.name}} }
func (c *noNetworkCheck) Subjects() Subjects { return Subjects{Networks: []string{c.name}} }
func (c *composeCheck) Subjects() Subjects   { return Subjects{Projects: []string{c.project}} }

func (c *imageCheck) Subjects() Subjects {
	s := Subjects{Images: []imageRef{c.ref}}
	if c.differs != nil {
		s.Images = append(s.Images, *c.differs)
	}
	return s
}

func (c *ranCheck) Subjects() Subjects {
	s := Subjects{Images: []imageRef{c.image}}
	if c.name != "" {
		s.Containers = []string{c.name}
	}
	return s
}

func (c *networkCheck) Subjects() Subjects {
	return Subjects{Networks: []string{c.name}, Containers: c.containers}
}

func (c *layersCheck) Subjects() Subjects {
	return Subjects{Images: []imageRef{c.image, c.reuses}}
}

func (c *imageSizeCheck) Subjects() Subjects {
	s := Subjects{Images: []imageRef{c.ref}}
	if c.smallerThan != nil {
		s.Images = append(s.Images, *c.smallerThan)
	}
	return s
}

func (c *registryTagCheck) Subjects() Subjects {
	s := Subjects{}
	if r, err := parseImageRef(c.ref.String()); err == nil {
		s.Images = append(s.Images, r)
	}
	if c.image != nil {
		s.Images = append(s.Images, *c.image)
	}
	return s
}
