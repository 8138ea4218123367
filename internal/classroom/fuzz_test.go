package classroom

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecodeBatch feeds the decoder anything: it must never panic, and a
// batch it accepts must hold only valid events and survive a round trip.
func FuzzDecodeBatch(f *testing.F) {
	for _, seed := range []string{
		`{"events":[]}`,
		`{"events":[{"id":"a-1","kind":"lesson_started","at":"2026-12-01T09:00:00Z","lesson":"l","lesson_title":"L","steps":["a","b"],"done":[1]}]}`,
		`{"events":[{"id":"a-2","kind":"check_failed","at":"2026-12-01T09:00:00Z","lesson":"l","step":2,"failed":[{"kind":"port","diagnosis":"8888→80"}]}],"notes_after":3}`,
		`{"events":[{"id":"","kind":"x"}]}`,
		`{"events":null}`,
		`[]`, `null`, `{"events":[{"at":"9999-12-31T23:59:59Z"}]}`,
		"{\"events\":[{\"id\":\"\xff\"}]}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBatch(bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := range b.Events {
			if err := b.Events[i].Validate(); err != nil {
				t.Fatalf("accepted an invalid event: %v", err)
			}
		}
		again, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("cannot encode an accepted batch: %v", err)
		}
		b2, err := DecodeBatch(bytes.NewReader(again))
		if err != nil {
			t.Fatalf("an accepted batch, encoded again, is refused: %v\n%s", err, again)
		}
		if len(b2.Events) != len(b.Events) {
			t.Fatalf("round trip changed the batch: %d events, then %d", len(b.Events), len(b2.Events))
		}
	})
}
