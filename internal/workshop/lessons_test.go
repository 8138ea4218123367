package workshop

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/dockstep/dockstep/internal/engine"
)

// Fetch asks for the engine only when it has images to pull.
func TestFetchWithoutTheEngine(t *testing.T) {
	noEngine := func(context.Context) (FetchEngine, engine.Endpoint, error) {
		t.Error("the engine was asked for")
		return nil, engine.Endpoint{}, errors.New("no engine")
	}
	imgs := []*ImageNeed{{Ref: "busybox"}, {Ref: "nginx:alpine"}}
	for _, tc := range []struct {
		name string
		f    Fetching
		want string
	}{
		{"list", Fetching{Images: imgs, List: true}, "busybox\nnginx:alpine\n"},
		{"no images", Fetching{}, "The lessons need no images.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			tc.f.Out, tc.f.Connect = &out, noEngine
			if err := Fetch(context.Background(), tc.f); err != nil || out.String() != tc.want {
				t.Errorf("got %q, %v; want %q, nil", out.String(), err, tc.want)
			}
		})
	}
}

func TestFetchErrorSaysWhat(t *testing.T) {
	for _, tc := range []struct {
		err  FetchError
		want string
	}{
		{FetchError{Failed: 1}, "1 image could not be fetched; see the messages above"},
		{FetchError{Failed: 2, Pushing: true}, "2 images could not be fetched or pushed; see the messages above"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}
