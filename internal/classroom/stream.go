package classroom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The dashboard's stream (GET /api/stream) is Server-Sent Events:
//
//   - hello: the room's title, once per connection;
//   - learner: a learner's row, each time an event changes it, with the id
//     "SEQ.NOTE" (the last event and note the browser has), so that a
//     browser that reconnects with Last-Event-ID gets the rows changed
//     since, and nothing twice;
//   - note: an instructor's note, with the same kind of id;
//   - summary: the per-step figures and when each learner was last heard
//     from, at most every SummaryEvery, and every few seconds when idle so
//     that the connected marks stay true.
//
// Comments (":ping") keep idle connections open through proxies, and every
// write has a deadline: a dashboard that stops reading is dropped.

// cursor is where a dashboard is in the room's history.
type cursor struct{ seq, note int64 }

func (c cursor) String() string { return fmt.Sprintf("%d.%d", c.seq, c.note) }

// parseCursor reads a Last-Event-ID; anything else starts from the
// beginning.
func parseCursor(s string) cursor {
	a, b, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok {
		return cursor{}
	}
	seq, err1 := strconv.ParseInt(a, 10, 64)
	note, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || seq < 0 || note < 0 {
		return cursor{}
	}
	return cursor{seq, note}
}

// summaryMessage is the data of a summary event.
type summaryMessage struct {
	Now      time.Time       `json:"now"`
	Steps    []StepView      `json:"steps"`
	LastSeen map[int64]int64 `json:"last_seen"` // learner id → Unix ms
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")

	at := parseCursor(r.Header.Get("Last-Event-ID"))
	if q := r.URL.Query().Get("last"); q != "" && r.Header.Get("Last-Event-ID") == "" {
		at = parseCursor(q)
	}
	wake, stop := s.room.Subscribe()
	defer stop()

	var buf bytes.Buffer
	flush := func() error {
		if buf.Len() == 0 {
			return nil
		}
		rc.SetWriteDeadline(time.Now().Add(s.WriteTimeout))
		_, err := w.Write(buf.Bytes())
		buf.Reset()
		if err == nil {
			err = rc.Flush()
		}
		return err
	}
	message := func(event, id string, v any) {
		data, err := json.Marshal(v)
		if err != nil {
			data = []byte(`{}`)
		}
		if id != "" {
			fmt.Fprintf(&buf, "id: %s\n", id)
		}
		fmt.Fprintf(&buf, "event: %s\ndata: %s\n\n", event, data)
	}

	buf.WriteString("retry: 2000\n\n")
	message("hello", "", map[string]string{"title": s.info.Title, "join": s.JoinURL})
	summaryAt := time.Time{}
	dirty := true
	summaryTick := time.NewTicker(s.SummaryEvery)
	defer summaryTick.Stop()
	ping := time.NewTicker(s.Ping)
	defer ping.Stop()
	for {
		ls, ns, last := s.room.Changed(at.seq, at.note)
		for _, n := range ns {
			at.note = n.ID
			message("note", at.String(), n)
		}
		for _, l := range ls {
			if l.Seq > at.seq {
				at.seq = l.Seq
			}
			message("learner", at.String(), l)
		}
		if last > at.seq {
			at.seq = last
		}
		if len(ls)+len(ns) > 0 {
			dirty = true
		}
		if dirty && time.Since(summaryAt) >= s.SummaryEvery || time.Since(summaryAt) >= 5*s.SummaryEvery {
			s.summary(&buf, message)
			summaryAt, dirty = time.Now(), false
		}
		if err := flush(); err != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-wake:
		case <-summaryTick.C:
		case <-ping.C:
			buf.WriteString(":ping\n\n")
		}
	}
}

func (s *Server) summary(buf *bytes.Buffer, message func(event, id string, v any)) {
	seen := s.room.LastSeen()
	m := summaryMessage{Now: s.Now(), Steps: s.room.Steps(), LastSeen: make(map[int64]int64, len(seen))}
	for id, t := range seen {
		m.LastSeen[id] = t.UnixMilli()
	}
	message("summary", "", m)
}
