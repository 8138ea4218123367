package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"
)

// castWriter records what is written through it as an asciicast v2 file
// (the format of asciinema: a JSON header line, then one JSON array per
// write, [seconds, "o", text]), so that `asciinema play` replays it.
type castWriter struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	now   func() time.Time
	held  []byte // the start of a UTF-8 character cut off by a write
	err   error
}

// castHeader is the first line of an asciicast v2 file.
type castHeader struct {
	Version   int               `json:"version"`
	Width     int               `json:"width"`
	Height    int               `json:"height"`
	Timestamp int64             `json:"timestamp"`
	Title     string            `json:"title,omitempty"`
	Env       map[string]string `json:"env,omitempty"`
}

// newCastWriter writes the header to w and returns a writer that records
// what it is given. now tells the time; nil means time.Now.
func newCastWriter(w io.Writer, cols, rows int, title string, env map[string]string, now func() time.Time) (*castWriter, error) {
	if now == nil {
		now = time.Now
	}
	start := now()
	h, err := json.Marshal(castHeader{Version: 2, Width: cols, Height: rows, Timestamp: start.Unix(), Title: title, Env: env})
	if err != nil {
		return nil, err
	}
	if _, err := fmt.Fprintf(w, "%s\n", h); err != nil {
		return nil, fmt.Errorf("writing the recording: %w", err)
	}
	return &castWriter{w: w, start: start, now: now}, nil
}

// Write records p as one output event. A UTF-8 character cut in two by the
// end of p waits for its rest, since each event must be valid text.
func (c *castWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	data := append(c.held, p...)
	c.held = nil
	cut := len(data)
	// Look back at most three bytes for a character not yet complete.
	for i := len(data) - 1; i >= 0 && i >= len(data)-3; i-- {
		if utf8.RuneStart(data[i]) {
			if !utf8.FullRune(data[i:]) {
				cut = i
			}
			break
		}
	}
	c.held = append([]byte(nil), data[cut:]...)
	if cut == 0 {
		return len(p), nil
	}
	text, err := json.Marshal(string(data[:cut]))
	if err != nil {
		return 0, err
	}
	t := c.now().Sub(c.start).Seconds()
	if _, err := fmt.Fprintf(c.w, "[%.6f, \"o\", %s]\n", t, text); err != nil {
		c.err = fmt.Errorf("writing the recording: %w", err)
		return 0, c.err
	}
	return len(p), nil
}
