package runner

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// DrawSize is the width and height the runner draws for on terminal out:
// one column short of it, so that a full line does not wrap, and no wider
// than 100 columns, which read better.
func DrawSize(out *os.File) (w, h int, ok bool) {
	w, h, err := term.GetSize(int(out.Fd()))
	if err != nil || w <= 20 {
		return 0, 0, false
	}
	return min(w-1, 100), h, true
}

// WatchSize sends the new draw size each time the terminal is resized
// (SIGWINCH), until ctx ends: what Runner.Resized takes. Only the latest
// size is kept for the runner.
func WatchSize(ctx context.Context, out *os.File) <-chan [2]int {
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	sizes := make(chan [2]int, 1)
	go func() {
		defer signal.Stop(winch)
		for {
			select {
			case <-winch:
			case <-ctx.Done():
				return
			}
			w, h, ok := DrawSize(out)
			if !ok {
				continue
			}
			select {
			case <-sizes: // a size the runner has not taken yet is stale
			default:
			}
			sizes <- [2]int{w, h}
		}
	}()
	return sizes
}
