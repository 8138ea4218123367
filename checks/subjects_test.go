package checks

import (
	"testing"

	"github.com/docker/docker/api/types/events"
)

// ev is an engine event as Docker 20.10 and later send it.
func ev(typ events.Type, action events.Action, id string, attrs ...string) events.Message {
	a := map[string]string{}
	for i := 0; i+1 < len(attrs); i += 2 {
		a[attrs[i]] = attrs[i+1]
	}
	return events.Message{Type: typ, Action: action, Actor: events.Actor{ID: id, Attributes: a}}
}

// TestSubjectsAbout: an engine event is about a step's work when it names
// an object the step's checks look at, and is someone else's otherwise.
func TestSubjectsAbout(t *testing.T) {
	const c, img, vol, nw = events.ContainerEventType, events.ImageEventType, events.VolumeEventType, events.NetworkEventType
	tests := []struct {
		name  string
		check string
		event events.Message
		want  bool
	}{
		{"container by name", `container: {name: web, image: "nginx:alpine"}`,
			ev(c, events.ActionStart, "c1", "name", "web", "image", "httpd"), true},
		{"container by image, other name", `container: {name: web, image: "nginx:alpine"}`,
			ev(c, events.ActionStart, "c1", "name", "quirky_turing", "image", "nginx:alpine"), true},
		{"someone else's container", `container: {name: web, image: "nginx:alpine"}`,
			ev(c, events.ActionStart, "c1", "name", "ci-foreign-1", "image", "busybox"), false},
		{"image without tag means latest", `container: {image: busybox, command: echo}`,
			ev(c, events.ActionDie, "c1", "name", "x", "image", "busybox:latest"), true},
		{"no-container", `no-container: {name: static-site}`,
			ev(c, events.ActionDestroy, "c1", "name", "static-site", "image", "prakhar1989/static-site"), true},
		{"no-container, other", `no-container: {name: static-site}`,
			ev(c, events.ActionDestroy, "c1", "name", "other", "image", "busybox"), false},
		{"image tagged by build", `image: {ref: "catnip:v1", base: "python:3"}`,
			ev(img, events.ActionTag, "sha256:abc", "name", "catnip:v1"), true},
		{"another image tagged", `image: {ref: "catnip:v1", base: "python:3"}`,
			ev(img, events.ActionTag, "sha256:abc", "name", "theirs:latest"), false},
		{"image deleted, known by id only", `no-image: "catnip:v1"`,
			ev(img, events.ActionDelete, "sha256:abc", "name", "sha256:abc"), true},
		{"image event, step has no image", `no-container: {name: web}`,
			ev(img, events.ActionDelete, "sha256:abc", "name", "sha256:abc"), false},
		{"pulled", `image: busybox`, ev(img, events.ActionPull, "busybox:latest", "name", "busybox"), true},
		{"volume", `volume: notes`, ev(vol, events.ActionCreate, "notes", "driver", "local"), true},
		{"other volume", `volume: notes`, ev(vol, events.ActionCreate, "3f9e0c", "driver", "local"), false},
		{"mounted volume", `mount: {container: notebook, destination: /data, source: notes}`,
			ev(vol, events.ActionDestroy, "notes"), true},
		{"bind mount's container", `mount: {container: homepage, destination: /usr/share/nginx/html, source: ./site, type: bind}`,
			ev(c, events.ActionStart, "c1", "name", "homepage", "image", "nginx:alpine"), true},
		{"network connect", `network: {name: shop-net, containers: [shop, visitor]}`,
			ev(nw, events.ActionConnect, "n1", "name", "shop-net", "container", "c1", "type", "bridge"), true},
		{"default bridge connect", `network: {name: shop-net, containers: [shop, visitor]}`,
			ev(nw, events.ActionConnect, "n1", "name", "bridge", "container", "c1", "type", "bridge"), false},
		{"network's container", `network: {name: shop-net, containers: [shop, visitor]}`,
			ev(c, events.ActionStart, "c1", "name", "visitor", "image", "alpine"), true},
		{"compose container", `compose: {project: visits, services: [web, redis]}`,
			ev(c, events.ActionStart, "c1", "name", "visits-web-1", "image", "visits-web", composeProject, "visits"), true},
		{"other project", `compose: {project: visits, services: [web, redis]}`,
			ev(c, events.ActionStart, "c1", "name", "shop-web-1", "image", "shop-web", composeProject, "shop"), false},
		{"compose network", `compose: {project: visits, state: down}`,
			ev(nw, events.ActionDestroy, "n1", "name", "visits_default", "type", "bridge"), true},
		{"compose volume", `compose: {project: visits, state: removed}`,
			ev(vol, events.ActionDestroy, "visits_redis-data"), true},
		{"pushed", `registry-tag: {ref: "localhost:5000/hello-share:v1", image: "localhost:5000/hello-share:v1"}`,
			ev(img, events.ActionPush, "localhost:5000/hello-share:v1", "name", "localhost:5000/hello-share"), true},
		{"layers", `layers: {image: "app:v2", reuses: "app:v1", new-layers: 1}`,
			ev(img, events.ActionTag, "sha256:abc", "name", "app:v1"), true},
		{"image size", `image-size: {ref: "hello:multi", max: 40MB, smaller-than: "hello:single"}`,
			ev(img, events.ActionTag, "sha256:abc", "name", "hello:single"), true},
		{"ran", `ran: {image: alpine, exit-code: 0}`,
			ev(c, events.ActionDie, "c1", "name", "x", "image", "alpine", "exitCode", "0"), true},
		{"the named container ran from another image", `ran: {image: alpine, name: scratchpad}`,
			ev(c, events.ActionDie, "c1", "name", "scratchpad", "image", "busybox", "exitCode", "0"), true},
		{"a typo of the container's name", `no-container: {name: static-site}`,
			ev(c, events.ActionStart, "c1", "name", "static-sit", "image", "busybox"), true},
		{"a typo of the volume's name", `volume: notes`, ev(vol, events.ActionCreate, "note", "driver", "local"), true},
		{"the image under another user", `image: {ref: "learnr/catnip", base: "python:3"}`,
			ev(img, events.ActionTag, "sha256:abc", "name", "myname/catnip:latest"), true},
		{"a name far from the step's", `no-container: {name: web}`,
			ev(c, events.ActionStart, "c1", "name", "db", "image", "busybox"), false},
		{"http names nothing: any event may matter", `http: {url: "http://localhost:8080"}`,
			ev(c, events.ActionStart, "c1", "name", "anything", "image", "busybox"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := SubjectsOf(compile(t, tt.check))
			if got := s.About(tt.event); got != tt.want {
				t.Errorf("About(%s %s %v) = %v, want %v (subjects %+v)", tt.event.Type, tt.event.Action, tt.event.Actor, got, tt.want, s)
			}
		})
	}
}
