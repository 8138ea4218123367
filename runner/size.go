package runner

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// drawSize is the width and height the runner draws for on terminal out:
// one column short of it, so that a full line does not wrap, and no wider
// than 100 columns, which read better.
func drawSize(out *os.File) (w, h int, ok bool) {
	w, h, ok = TerminalSize(out)
	if !ok || w <= 20 {
		return 0, 0, false
	}
	return min(w-1, 100), h, true
}

// TerminalSize is the size of terminal f, in columns and rows.
func TerminalSize(f *os.File) (w, h int, ok bool) {
	w, h, err := term.GetSize(int(f.Fd()))
	return w, h, err == nil
}

// WatchTerminalSize sends terminal f's new size each time it is resized,
// until ctx ends. The demo's screen follows it; the runner's (Start)
// follows its draw size.
func WatchTerminalSize(ctx context.Context, f *os.File) <-chan [2]int {
	return watchSize(ctx, f, TerminalSize)
}

// watchSize sends size(f) on each SIGWINCH until ctx ends. Only the latest
// size is kept for the reader.
func watchSize(ctx context.Context, f *os.File, size func(*os.File) (int, int, bool)) <-chan [2]int {
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
			w, h, ok := size(f)
			if !ok {
				continue
			}
			select {
			case <-sizes: // a size not taken yet is stale
			default:
			}
			sizes <- [2]int{w, h}
		}
	}()
	return sizes
}
