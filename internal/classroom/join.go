package classroom

import (
	"context"
	"fmt"
	"io"

	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/runner"
)

// Join opens learner name's seat in the room at joinURL, its queue kept in
// dockstep's state folder (progress.StateDir). Start sends it.
func Join(joinURL, name string, errOut io.Writer) (*Seat, error) {
	dir, err := progress.StateDir()
	if err != nil {
		return nil, err
	}
	seat, err := OpenSeat(dir, joinURL, name, errOut)
	if err != nil {
		return nil, fmt.Errorf("joining the room: %w", err)
	}
	return seat, nil
}

// Joiner is how the runner joins the room at joinURL (runner.Session's
// Join): the learner's seat, already sending.
func Joiner(joinURL string, errOut io.Writer) func(ctx context.Context, name string) (runner.Seat, error) {
	return func(ctx context.Context, name string) (runner.Seat, error) {
		seat, err := Join(joinURL, name, errOut)
		if err != nil {
			return nil, err
		}
		seat.Start()
		return seat, nil
	}
}
