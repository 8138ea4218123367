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
	// Unsized is how many of the layers moved came without a size. The
	// engine with the containerd image store reports a layer's bytes only
	// while it is downloading, so a layer fetched between two of its
	// progress reports (every 100 ms) arrives with none.
	Unsized int
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

// layer is one blob of the stream. The containerd image store reports the
// image's manifest and config as blobs too, with the statuses of layers, but
// only layers are announced with "Pulling fs layer" (or found to exist).
type layer struct {
	current, total int64
	done, reused   bool
	isLayer        bool
}

// layer statuses the engine sends, and what they mean to a bar.
var (
	moving   = map[string]bool{"Downloading": true, "Pushing": true}
	finished = map[string]bool{"Download complete": true, "Pull complete": true, "Pushed": true}
	reused   = map[string]bool{"Already exists": true, "Layer already exists": true}
	// quiet statuses are not printed as plain lines: they come many times a
	// second or say nothing a reader needs.
	quiet = map[string]bool{"Downloading": true, "Extracting": true, "Pushing": true, "Waiting": true, "Verifying Checksum": true, "Preparing": true}
	// layerOnly statuses are given to layers only, not to a manifest or a
	// config blob.
	layerOnly = map[string]bool{"Pulling fs layer": true, "Pull complete": true, "Preparing": true, "Pushing": true, "Pushed": true}
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
		isBlob := m.ID != "" && (moving[status] || finished[status] || reused[status] || quiet[status] || layerOnly[status])
		switch {
		case isBlob:
			l := layers[m.ID]
			if l == nil {
				l = &layer{}
				layers[m.ID] = l
			}
			if layerOnly[status] || reused[status] {
				l.isLayer = true
			}
			if moving[status] && m.Progress.Total > 0 {
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
		if isBlob && !layers[m.ID].isLayer && finished[status] {
			// A manifest or config blob: not news to a reader.
		} else if !tty && status != "" && !quiet[status] {
			if m.ID != "" {
				fmt.Fprintf(out, "%s: %s: %s\n", label, m.ID, status)
			} else {
				fmt.Fprintf(out, "%s: %s\n", label, status)
			}
		}
		draw(false)
	}
	for _, l := range layers {
		if !l.isLayer {
			continue
		}
		t.Layers++
		switch {
		case l.reused:
			t.Reused++
		case l.total == 0:
			t.Unsized++
		}
		t.Bytes += l.total
	}
	draw(true)
	return t, nil
}

// barLine draws one line: label, a bar of the bytes moved, and the count of
// layers done. When some layer moved came without a size, the bar counts
// layers instead of bytes, and says that sizes are missing.
func barLine(label string, layers map[string]*layer, final bool) string {
	const width = 30
	var cur, total int64
	done, count, unsized := 0, 0, 0
	ids := make([]string, 0, len(layers))
	for id := range layers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		l := layers[id]
		if !l.isLayer {
			continue
		}
		count++
		cur += l.current
		total += l.total
		if l.done {
			done++
		}
		if l.total == 0 && !l.reused {
			unsized++
		}
	}
	filled := 0
	switch {
	case unsized > 0 && count > 0:
		filled = width * done / count
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
	size := fmt.Sprintf("%9s / %-9s", HumanSize(cur), HumanSize(total))
	if unsized > 0 {
		size = fmt.Sprintf("%9s + %d unsized", HumanSize(cur), unsized)
	}
	return fmt.Sprintf("%-28s [%s] %s %d/%d layers", label, bar, size, done, count)
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
