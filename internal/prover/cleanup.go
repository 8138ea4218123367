package prover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/dockstep/dockstep/checks"
)

// CleanupDocker is the part of the Docker Engine API that Snapshot and
// Cleanup use. The client from github.com/docker/docker/client satisfies it.
type CleanupDocker interface {
	ContainerList(ctx context.Context, options container.ListOptions) ([]container.Summary, error)
	ContainerRemove(ctx context.Context, id string, options container.RemoveOptions) error
	ImageList(ctx context.Context, options image.ListOptions) ([]image.Summary, error)
	ImageRemove(ctx context.Context, ref string, options image.RemoveOptions) ([]image.DeleteResponse, error)
	ImageTag(ctx context.Context, source, target string) error
	VolumeList(ctx context.Context, options volume.ListOptions) (volume.ListResponse, error)
	VolumeRemove(ctx context.Context, id string, force bool) error
	NetworkList(ctx context.Context, options network.ListOptions) ([]network.Summary, error)
	NetworkRemove(ctx context.Context, id string) error
	Events(ctx context.Context, options events.ListOptions) (<-chan events.Message, <-chan error)
}

// Snapshot records the containers, images, volumes and networks of an engine
// at one moment, so that what appears after it can be told apart from what
// was already there, and removed without touching the rest.
type Snapshot struct {
	containers map[string]bool     // by ID
	images     map[string][]string // image ID to its repository tags
	tagged     map[string]string   // repository tag to the image ID it named
	volumes    map[string]bool     // by name
	networks   map[string]bool     // by ID
	taken      time.Time
}

// TakeSnapshot records what the engine holds now.
func TakeSnapshot(ctx context.Context, d CleanupDocker) (*Snapshot, error) {
	s := &Snapshot{
		containers: map[string]bool{},
		images:     map[string][]string{},
		tagged:     map[string]string{},
		volumes:    map[string]bool{},
		networks:   map[string]bool{},
		taken:      time.Now(),
	}
	cs, err := d.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	for _, c := range cs {
		s.containers[c.ID] = true
	}
	is, err := d.ImageList(ctx, image.ListOptions{All: true})
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	for _, i := range is {
		s.images[i.ID] = normalizeRefs(i.RepoTags)
		for _, tag := range s.images[i.ID] {
			s.tagged[tag] = i.ID
		}
	}
	vs, err := d.VolumeList(ctx, volume.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing volumes: %w", err)
	}
	for _, v := range vs.Volumes {
		s.volumes[v.Name] = true
	}
	ns, err := d.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing networks: %w", err)
	}
	for _, n := range ns {
		s.networks[n.ID] = true
	}
	return s, nil
}

// Scope limits a cleanup to the objects a lesson names: image references
// (busybox, python:3, ada/catnip) and container, volume and network names.
// A new image is in scope when one of its tags is; a new container when
// one of its names is, or when its image is a new image in scope. A new
// container of an image that existed before, under a name the lesson does
// not give, is left: the learner may have started it meanwhile. An empty Scope takes in every new object,
// which is right only on an engine nobody else uses at the same time.
type Scope []string

func (sc Scope) set() map[string]bool {
	m := map[string]bool{}
	for _, s := range sc {
		m[s] = true
		m[normalizeRef(s)] = true
	}
	return m
}

// Removed says what a cleanup removed, by name where there is one.
type Removed struct {
	Containers []string
	Images     []string
	// Untagged are tags added during the lesson to images that existed
	// before it; only the tag is removed.
	Untagged []string
	Volumes  []string
	Networks []string
	// Restored are tags given back to the images that held them before:
	// the new image that took the tag was removed.
	Restored []string
	// Left are objects recorded as the lesson's that no longer are (a tag
	// or volume name now used by another object), or whose removal would
	// take away a tag the learner had; they are not touched.
	Left []string
}

// Count is the number of objects removed.
func (r Removed) Count() int {
	return len(r.Containers) + len(r.Images) + len(r.Untagged) + len(r.Volumes) + len(r.Networks)
}

func (r Removed) String() string {
	var parts []string
	add := func(what string, names []string) {
		if len(names) > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", what, strings.Join(names, ", ")))
		}
	}
	add("containers", r.Containers)
	add("images", r.Images)
	add("tags", r.Untagged)
	add("volumes", r.Volumes)
	add("networks", r.Networks)
	add("tags given back", r.Restored)
	add("left alone", r.Left)
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, "; ")
}

// Objects are Docker objects by ID: what New finds appeared on an engine
// since a snapshot. Kept (dockstep demo keeps them in a file), they let
// exactly those objects be removed later, and nothing else.
type Objects struct {
	Containers []Object `json:"containers,omitempty"`
	Images     []Object `json:"images,omitempty"`
	// Tags are tags added to images older than the snapshot (Name), with
	// the ID of the image they named (ID); only the tag is removed, and
	// only while it still names that image.
	Tags     []Object `json:"tags,omitempty"`
	Volumes  []Object `json:"volumes,omitempty"`
	Networks []Object `json:"networks,omitempty"`
}

// Object is one Docker object: its ID (for a volume, its name) and the name
// it is shown by.
type Object struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Identity tells a volume from a later one of the same name: its
	// creation time, driver, labels and options.
	Identity string `json:"identity,omitempty"`
	// Restore, for an image, maps each tag it took from an image older
	// than the snapshot to that image's ID: removing it gives the tag back.
	Restore map[string]string `json:"restore,omitempty"`
}

// Count is the number of objects.
func (o Objects) Count() int {
	return len(o.Containers) + len(o.Images) + len(o.Tags) + len(o.Volumes) + len(o.Networks)
}

// Add adds the objects of more that o does not hold yet.
func (o *Objects) Add(more Objects) {
	add := func(to, more []Object) []Object {
		for _, m := range more {
			if !slices.ContainsFunc(to, func(x Object) bool { return x.ID == m.ID && x.Name == m.Name }) {
				to = append(to, m)
			}
		}
		return to
	}
	o.Containers = add(o.Containers, more.Containers)
	o.Images = add(o.Images, more.Images)
	o.Tags = add(o.Tags, more.Tags)
	o.Volumes = add(o.Volumes, more.Volumes)
	o.Networks = add(o.Networks, more.Networks)
}

// Cleanup removes what appeared on the engine since the snapshot and is in
// scope (New), then removes it (Remove). Nothing recorded in the snapshot
// is removed. It goes on after a failure and returns every error.
func (s *Snapshot) Cleanup(ctx context.Context, d CleanupDocker, scope Scope) (Removed, error) {
	o, err := s.New(ctx, d, scope)
	if o.Count() == 0 {
		return Removed{}, err
	}
	removed, rerr := Remove(ctx, d, o)
	return removed, errors.Join(err, rerr)
}

// New lists what appeared on the engine since the snapshot and is in
// scope: containers, images (with an image in scope, the untagged layers
// built on it), tags added to older images, volumes and networks.
func (s *Snapshot) New(ctx context.Context, d CleanupDocker, scope Scope) (Objects, error) {
	var out Objects
	var errs []error
	in := scope.set()
	all := len(scope) == 0

	images, err := d.ImageList(ctx, image.ListOptions{All: true})
	if err != nil {
		return out, fmt.Errorf("listing images: %w", err)
	}
	newImage := map[string]bool{} // new images in scope, by ID
	for _, i := range images {
		if _, old := s.images[i.ID]; old {
			continue
		}
		if all || anyIn(in, normalizeRefs(i.RepoTags)) {
			newImage[i.ID] = true
		}
	}
	// An untagged new image built on one in scope is in scope too: the
	// layers a build left behind when it failed half-way.
	for grew := true; grew; {
		grew = false
		for _, i := range images {
			if _, old := s.images[i.ID]; old || newImage[i.ID] || len(normalizeRefs(i.RepoTags)) > 0 {
				continue
			}
			if newImage[i.ParentID] {
				newImage[i.ID] = true
				grew = true
			}
		}
	}
	for _, i := range images {
		if !newImage[i.ID] {
			continue
		}
		o := Object{ID: i.ID, Name: shown(i.RepoTags, i.ID)}
		for _, tag := range normalizeRefs(i.RepoTags) {
			if old, ok := s.tagged[tag]; ok && old != i.ID {
				if o.Restore == nil {
					o.Restore = map[string]string{}
				}
				o.Restore[tag] = old
			}
		}
		out.Images = append(out.Images, o)
	}

	cs, err := d.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		return out, fmt.Errorf("listing containers: %w", err)
	}
	for _, c := range cs {
		if s.containers[c.ID] {
			continue
		}
		names := trimSlashes(c.Names)
		// By its image only when that image is new: a container of an
		// older image may be one the learner started meanwhile.
		if !all && !anyIn(in, names) && !newImage[c.ImageID] {
			continue
		}
		out.Containers = append(out.Containers, Object{ID: c.ID, Name: shown(names, c.ID)})
	}

	for _, i := range images {
		before, old := s.images[i.ID]
		if !old || len(before) == 0 {
			// Removing the only tag of an image that had none would delete it.
			continue
		}
		for _, tag := range i.RepoTags {
			if slices.Contains(before, normalizeRef(tag)) || !(all || in[normalizeRef(tag)]) {
				continue
			}
			out.Tags = append(out.Tags, Object{ID: i.ID, Name: tag})
		}
	}

	vs, err := d.VolumeList(ctx, volume.ListOptions{})
	if err != nil {
		errs = append(errs, fmt.Errorf("listing volumes: %w", err))
	} else {
		for _, v := range vs.Volumes {
			if !s.volumes[v.Name] && (all || in[v.Name]) {
				out.Volumes = append(out.Volumes, Object{ID: v.Name, Name: v.Name, Identity: volumeIdentity(v)})
			}
		}
	}

	ns, err := d.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		errs = append(errs, fmt.Errorf("listing networks: %w", err))
	} else {
		for _, n := range ns {
			if !s.networks[n.ID] && (all || in[n.Name]) {
				out.Networks = append(out.Networks, Object{ID: n.ID, Name: n.Name})
			}
		}
	}
	return out, errors.Join(errs...)
}

// Remove removes the objects that still exist: containers first (with their
// anonymous volumes), then images (children before their parents), tags,
// volumes and networks. An object already gone is passed over, and so is a
// tag or volume that is no longer the one recorded (a tag moved to another
// image, a volume made again under the same name). An image that took a tag
// from an older image gives it back when it goes; when that older image is
// gone, the new one stays, so that the tag does. It goes on after a failure
// and returns every error.
func Remove(ctx context.Context, d CleanupDocker, o Objects) (Removed, error) {
	var out Removed
	var errs []error
	for _, c := range o.Containers {
		err := d.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		switch {
		case cerrdefs.IsNotFound(err):
		case err != nil:
			errs = append(errs, fmt.Errorf("removing container %s: %w", c.Name, err))
		default:
			out.Containers = append(out.Containers, c.Name)
		}
	}

	var images []image.Summary
	if len(o.Images) > 0 || len(o.Tags) > 0 {
		var err error
		images, err = d.ImageList(ctx, image.ListOptions{All: true})
		if err != nil {
			errs = append(errs, fmt.Errorf("listing images: %w", err))
			// Without the list, no tag can be shown to be still ours.
			o.Tags = nil
		}
	}
	exists := map[string]bool{}
	tagged := map[string]string{} // tag to the image ID it names now
	for _, i := range images {
		exists[i.ID] = true
		for _, tag := range normalizeRefs(i.RepoTags) {
			tagged[tag] = i.ID
		}
	}
	if len(o.Images) > 0 {
		wanted := map[string]Object{}
		for _, i := range o.Images {
			wanted[i.ID] = i
		}
		// Children before their parents: by the parent links the classic
		// builder records, else newest first (a child is younger than its
		// parent, though maybe within the same second).
		sort.SliceStable(images, func(a, b int) bool { return images[a].Created > images[b].Created })
		var remaining []image.Summary
		for _, i := range images {
			if _, ok := wanted[i.ID]; ok {
				remaining = append(remaining, i)
			}
		}
		for len(remaining) > 0 {
			hasChild := map[string]bool{}
			for _, i := range remaining {
				hasChild[i.ParentID] = true
			}
			var later []image.Summary
			for _, i := range remaining {
				if hasChild[i.ID] {
					later = append(later, i)
					continue
				}
				name := shown(i.RepoTags, i.ID)
				restored, ok := giveTagsBack(ctx, d, wanted[i.ID], name, exists, &out, &errs)
				if !ok {
					continue
				}
				_, err := d.ImageRemove(ctx, i.ID, image.RemoveOptions{Force: true, PruneChildren: true})
				switch {
				case cerrdefs.IsNotFound(err):
					// Gone already, with a child it was the parent of.
				case err != nil:
					errs = append(errs, fmt.Errorf("removing image %s: %w", name, err))
				default:
					out.Images = append(out.Images, name)
				}
				out.Restored = append(out.Restored, restored...)
			}
			if len(later) == len(remaining) {
				// Cannot happen with real parent links; do not loop forever.
				for _, i := range later {
					errs = append(errs, fmt.Errorf("removing image %s: its child images are in the way", shown(i.RepoTags, i.ID)))
				}
				break
			}
			remaining = later
		}
	}

	for _, tag := range o.Tags {
		now, ok := tagged[normalizeRef(tag.Name)]
		if !ok {
			continue
		}
		if tag.ID != "" && now != tag.ID {
			out.Left = append(out.Left, fmt.Sprintf("tag %s (it names another image now)", tag.Name))
			continue
		}
		_, err := d.ImageRemove(ctx, tag.Name, image.RemoveOptions{PruneChildren: false})
		switch {
		case cerrdefs.IsNotFound(err):
		case err != nil:
			errs = append(errs, fmt.Errorf("removing the tag %s: %w", tag.Name, err))
		default:
			out.Untagged = append(out.Untagged, tag.Name)
		}
	}

	if len(o.Volumes) > 0 {
		vs, err := d.VolumeList(ctx, volume.ListOptions{})
		if err != nil {
			errs = append(errs, fmt.Errorf("listing volumes: %w", err))
		}
		now := map[string]string{}
		for _, v := range vs.Volumes {
			now[v.Name] = volumeIdentity(v)
		}
		for _, v := range o.Volumes {
			id, ok := now[v.ID]
			if !ok {
				continue
			}
			if id != v.Identity {
				out.Left = append(out.Left, fmt.Sprintf("volume %s (made again since)", v.Name))
				continue
			}
			err := d.VolumeRemove(ctx, v.ID, true)
			switch {
			case cerrdefs.IsNotFound(err):
			case err != nil:
				errs = append(errs, fmt.Errorf("removing volume %s: %w", v.Name, err))
			default:
				out.Volumes = append(out.Volumes, v.Name)
			}
		}
	}
	for _, n := range o.Networks {
		err := d.NetworkRemove(ctx, n.ID)
		switch {
		case cerrdefs.IsNotFound(err):
		case err != nil:
			errs = append(errs, fmt.Errorf("removing network %s: %w", n.Name, err))
		default:
			out.Networks = append(out.Networks, n.Name)
		}
	}
	return out, errors.Join(errs...)
}

// giveTagsBack moves the tags a new image took from older ones back to
// them, before the new image is removed, and says whether it may be
// removed: not when an older image is gone, since its tag would go too.
func giveTagsBack(ctx context.Context, d CleanupDocker, img Object, name string, exists map[string]bool, out *Removed, errs *[]error) ([]string, bool) {
	tags := slices.Sorted(maps.Keys(img.Restore))
	for _, tag := range tags {
		if !exists[img.Restore[tag]] {
			out.Left = append(out.Left, fmt.Sprintf("image %s (it holds the tag %s, which named an image that is gone now)", name, tag))
			return nil, false
		}
	}
	var restored []string
	for _, tag := range tags {
		if err := d.ImageTag(ctx, img.Restore[tag], tag); err != nil {
			*errs = append(*errs, fmt.Errorf("giving the tag %s back to image %s: %w; image %s is left", tag, shown(nil, img.Restore[tag]), err, name))
			return restored, false
		}
		restored = append(restored, fmt.Sprintf("%s (to %s)", tag, shown(nil, img.Restore[tag])))
	}
	return restored, true
}

// volumeIdentity tells a volume from another of the same name.
func volumeIdentity(v *volume.Volume) string {
	return fmt.Sprintf("created=%s driver=%s labels=%v options=%v", v.CreatedAt, v.Driver, v.Labels, v.Options)
}

// Pulled lists the images pulled since the snapshot, as the engine's pull
// events name them, but not those pushed first: an image the lesson pushes
// to a registry and pulls back is its own, nothing to fetch before class.
// What an image holds does not tell a pull: on the containerd image store
// an image built here has a repository digest as one pulled does.
func (s *Snapshot) Pulled(ctx context.Context, d CleanupDocker) ([]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs, errs := d.Events(ctx, events.ListOptions{
		Since: unixTime(s.taken),
		Until: unixTime(time.Now()),
		Filters: filters.NewArgs(filters.Arg("type", string(events.ImageEventType)),
			filters.Arg("event", string(events.ActionPull)), filters.Arg("event", string(events.ActionPush))),
	})
	pushed, seen := map[string]bool{}, map[string]bool{}
	var out []string
	for {
		select {
		case m := <-msgs:
			ref := normalizeRef(m.Actor.ID)
			switch {
			case m.Action == events.ActionPush:
				pushed[ref] = true
			case m.Action == events.ActionPull && !pushed[ref] && !seen[ref]:
				seen[ref] = true
				out = append(out, ref)
			}
		case err := <-errs:
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("reading the engine's pull events: %w", err)
			}
			sort.Strings(out)
			return out, nil
		}
	}
}

// unixTime writes t as the engine's event filters take it.
func unixTime(t time.Time) string { return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond()) }

// SameImage reports whether two image references name the same image, as
// busybox and docker.io/library/busybox:latest do.
func SameImage(a, b string) bool { return checks.SameImage(a, b) }

// normalizeRef writes an image reference the way the engine lists it.
func normalizeRef(ref string) string { return checks.NormalizeImage(ref) }

func normalizeRefs(refs []string) []string {
	var out []string
	for _, r := range refs {
		if r == "<none>:<none>" {
			continue
		}
		out = append(out, normalizeRef(r))
	}
	return out
}

func anyIn(set map[string]bool, list []string) bool {
	for _, s := range list {
		if set[s] {
			return true
		}
	}
	return false
}

func trimSlashes(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimPrefix(n, "/")
	}
	return out
}

// shown names an object by its first name, or else by its short ID.
func shown(names []string, id string) string {
	for _, n := range names {
		if n != "" && n != "<none>:<none>" {
			return n
		}
	}
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}
