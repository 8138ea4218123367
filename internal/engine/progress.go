package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Transfer sums up a pull or a push, from the engine's progress stream.
type Transfer struct {
	// Layers is how many layers the image has; Reused how many of them were
	// already there (on the engine for a pull, in the registry for a push).
	Layers, Reused int
	// Bytes is the size of the layers moved, as far as the stream told it.
	Bytes int64
	// Status is the engine's closing line, such as "Status: Downloaded newer
	// image for busybox:latest".
	Status string
}

// message is one line of the engine's JSON progress stream.
type message struct {
	Status   string `json:"status"`
	ID       string `json:"id"`
	Progress struct {
		Current int64 `json:"current"`
		Total   int64 `json:"total"`
	} `json:"progressDetail"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
}

type layer struct {
	current, total int64
	done, reused   bool
}

// layer statuses the engine sends, and what they mean to a bar.
var (
	moving   = map[string]bool{"Downloading": true, "Pushing": true}
	finished = map[string]bool{"Download complete": true, "Pull complete": true, "Pushed": true}
	reused   = map[string]bool{"Already exists": true, "Layer already exists": true}
	// quiet statuses are not printed as plain lines: they come many times a
	// second or say nothing a reader needs.
	quiet = map[string]bool{"Downloading": true, "Extracting": true, "Pushing": true, "Waiting": true, "Verifying Checksum": true, "Preparing": true}
)

// Follow reads a pull or push progress stream to its end, drawing progress
// to out under label: on a terminal (tty) one bar redrawn in place, otherwise
// plain lines, one per event that matters. It returns the error the engine
// reported in the stream, if any.
func Follow(r io.Reader, out io.Writer, label string, tty bool) (Transfer, error) {
	layers := map[string]*layer{}
	var t Transfer
	var last time.Time
	draw := func(final bool) {
		if !tty || (!final && time.Since(last) < 100*time.Millisecond) {
			return
		}
		last = time.Now()
		fmt.Fprintf(out, "\r%s\x1b[K", barLine(label, layers, final))
		if final {
			fmt.Fprintln(out)
		}
	}
	dec := json.NewDecoder(r)
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			draw(true)
			return t, fmt.Errorf("reading the engine's progress: %w", err)
		}
		if m.Error != "" || m.ErrorDetail != nil {
			draw(true)
			msg := m.Error
			if msg == "" {
				msg = m.ErrorDetail.Message
			}
			return t, errors.New(msg)
		}
		status := m.Status
		if strings.HasPrefix(status, "Mounted from") {
			status = "Layer already exists"
		}
		isLayer := m.ID != "" && (moving[status] || finished[status] || reused[status] || quiet[status] || status == "Pulling fs layer")
		switch {
		case isLayer:
			l := layers[m.ID]
			if l == nil {
				l = &layer{}
				layers[m.ID] = l
			}
			if moving[status] {
				l.current, l.total = m.Progress.Current, m.Progress.Total
			}
			if finished[status] {
				l.done = true
				if l.total > 0 {
					l.current = l.total
				}
			}
			if reused[status] {
				l.done, l.reused = true, true
			}
		case m.ID == "" && status != "":
			t.Status = status
		}
		if !tty && status != "" && !quiet[status] {
			if m.ID != "" {
				fmt.Fprintf(out, "%s: %s: %s\n", label, m.ID, status)
			} else {
				fmt.Fprintf(out, "%s: %s\n", label, status)
			}
		}
		draw(false)
	}
	for _, l := range layers {
		t.Layers++
		if l.reused {
			t.Reused++
		}
		t.Bytes += l.total
	}
	draw(true)
	return t, nil
}

// barLine draws one line: label, a bar of the bytes moved, and the count of
// layers done.
func barLine(label string, layers map[string]*layer, final bool) string {
	const width = 30
	var cur, total int64
	done := 0
	ids := make([]string, 0, len(layers))
	for id := range layers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		l := layers[id]
		cur += l.current
		total += l.total
		if l.done {
			done++
		}
	}
	filled := 0
	switch {
	case total > 0:
		filled = int(float64(width) * float64(cur) / float64(total))
	case final:
		filled = width
	}
	if filled > width {
		filled = width
	}
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	if filled > 0 && filled < width {
		bar = bar[:filled-1] + ">" + bar[filled:]
	}
	return fmt.Sprintf("%-28s [%s] %9s / %-9s %d/%d layers", label, bar, HumanSize(cur), HumanSize(total), done, len(layers))
}

// HumanSize writes a byte count the way docker does: 1.2MB, 345kB.
func HumanSize(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	f := float64(n)
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%dB", n)
	}
	return fmt.Sprintf("%.3g%s", f, units[i])
}
