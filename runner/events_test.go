package runner

import (
	"context"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"

	"github.com/dockstep/dockstep/internal/clock"
	"github.com/dockstep/dockstep/internal/dockertest"
)

func TestRelevantEvents(t *testing.T) {
	tests := []struct {
		typ    events.Type
		action events.Action
		want   bool
	}{
		{events.ContainerEventType, events.ActionCreate, true},
		{events.ContainerEventType, events.ActionStart, true},
		{events.ContainerEventType, events.ActionDie, true},
		{events.ContainerEventType, events.ActionDestroy, true},
		{events.ContainerEventType, "health_status: healthy", true},
		{events.ContainerEventType, events.ActionUpdate, true},
		{events.ContainerEventType, events.ActionAttach, false},
		{events.ContainerEventType, events.ActionExecStart, false},
		{events.ImageEventType, events.ActionPull, true},
		{events.ImageEventType, events.ActionTag, true},
		{events.ImageEventType, events.ActionUnTag, true},
		{events.ImageEventType, events.ActionDelete, true},
		{events.ImageEventType, events.ActionSave, false},
		{events.VolumeEventType, events.ActionCreate, true},
		{events.VolumeEventType, events.ActionMount, false},
		{events.NetworkEventType, events.ActionConnect, true},
		{events.PluginEventType, events.ActionCreate, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.typ)+"/"+string(tc.action), func(t *testing.T) {
			if got := relevant(events.Message{Type: tc.typ, Action: tc.action}); got != tc.want {
				t.Errorf("relevant(%s %s) = %v, want %v", tc.typ, tc.action, got, tc.want)
			}
		})
	}
}

// TestWatchEngineSeesRealEvents follows the real engine's stream while a
// container is created and removed.
func TestWatchEngineSeesRealEvents(t *testing.T) {
	c := dockertest.Client(t)
	ref := dockertest.Name("dockstep-watch")
	dockertest.Busybox(t, c, ref)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan event, 16)
	go watchEngine(ctx, c, clock.System{}, watchOptions{}, func(ev event) { got <- ev })
	time.Sleep(200 * time.Millisecond) // let the subscription start

	name := dockertest.Name("dockstep-watch")
	before := time.Now()
	resp, err := c.ContainerCreate(ctx, &container.Config{Image: ref, Cmd: []string{"true"}}, nil, nil, nil, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ContainerRemove(context.Background(), resp.ID, container.RemoveOptions{Force: true}) })
	select {
	case ev := <-got:
		if ev.kind != evEngine {
			t.Fatalf("got a %v event, want an engine event", ev.kind)
		}
		if ev.at.Before(before.Add(-time.Second)) {
			t.Errorf("event time %v is before the container was created (%v)", ev.at, before)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s of creating a container")
	}
}
