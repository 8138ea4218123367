package classroom

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStoreSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "room.db")
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var mode string
	s.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	if v != SchemaVersion || mode != "wal" {
		t.Errorf("user_version %d, journal_mode %s; want %d, wal", v, mode, SchemaVersion)
	}
	s.Close()

	// A database from a newer dockstep is refused, not damaged.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, SchemaVersion+1))
	db.Close()
	if _, err := OpenStore(path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("opening a newer database: %v, want an error saying it is newer", err)
	}
}

func TestStoreAppendKeepsEachIDOnce(t *testing.T) {
	s, err := OpenStore(filepath.Join(t.TempDir(), "room.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, _ := s.AddLearner("a", time.Now())
	b, _ := s.AddLearner("b", time.Now())
	ctx := context.Background()
	added, err := s.Append(ctx, a.ID, []Event{ev("1", StepStarted, 1), ev("2", StepPassed, 1), {ID: "h", Kind: Heartbeat, At: time.Now()}}, time.Now())
	if err != nil || len(added) != 2 {
		t.Fatalf("added %d (err %v), want 2: heartbeats are not stored", len(added), err)
	}
	added, _ = s.Append(ctx, a.ID, []Event{ev("2", StepPassed, 1), ev("3", StepStarted, 2)}, time.Now())
	if len(added) != 1 || added[0].ID != "3" {
		t.Errorf("added %+v, want only event 3", added)
	}
	// Ids are each learner's own.
	added, _ = s.Append(ctx, b.ID, []Event{ev("1", StepStarted, 1)}, time.Now())
	if len(added) != 1 {
		t.Errorf("b's event 1 was taken for a's")
	}
	var seqs []int64
	s.Events(ctx, 0, func(e StoredEvent) error { seqs = append(seqs, e.Seq); return nil })
	if len(seqs) != 4 || seqs[0] >= seqs[3] {
		t.Errorf("stored seqs %v, want 4 in order", seqs)
	}
}

// TestKill9LosesNoAcknowledgedEvent kills a real server process with
// SIGKILL while learners post, restarts it on the same database, and finds
// every event it had acknowledged.
func TestKill9LosesNoAcknowledgedEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	db := filepath.Join(t.TempDir(), "room.db")
	p := startServerProcess(t, db)
	const learners = 4
	var mu sync.Mutex
	acked := map[string]bool{}
	tokens := make([]string, learners)
	for i := range tokens {
		tokens[i] = join(t, p.base, p.code, fmt.Sprintf("k%d", i))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	enough := make(chan struct{})
	var once sync.Once
	for i, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				var batch Batch
				for k := 0; k < 3; k++ {
					batch.Events = append(batch.Events, ev(fmt.Sprintf("l%d-%d-%d", i, n, k), CheckFailed, 1, Failure{"port", "nothing listens"}))
				}
				var rep EventsReply
				if status := postBatch(http.DefaultClient, p.base, tok, batch, &rep); status != 200 {
					continue // the server is gone; keep trying until told to stop
				}
				mu.Lock()
				for _, id := range rep.Acked {
					acked[fmt.Sprintf("%d/%s", i+1, id)] = true
				}
				if len(acked) >= 600 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		}()
	}
	<-enough
	p.kill() // SIGKILL, in the middle of the stream
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()

	p2 := startServerProcess(t, db)
	if p2.code != p.code || p2.token != p.token {
		t.Fatalf("the restarted room has other credentials")
	}
	var exp struct{ Events []ExportedEvent }
	getJSON(t, p2.base+"/api/export.json", p2.token, &exp)
	stored := map[string]bool{}
	for _, e := range exp.Events {
		stored[fmt.Sprintf("%d/%s", e.Learner, e.ID)] = true
	}
	var lost []string
	for id := range acked {
		if !stored[id] {
			lost = append(lost, id)
		}
	}
	if len(lost) > 0 {
		t.Fatalf("%d of %d acknowledged events lost after kill -9, such as %v", len(lost), len(acked), lost[:min(5, len(lost))])
	}
	t.Logf("%d events acknowledged before kill -9, %d stored after the restart", len(acked), len(stored))
	// And the restarted server takes new events from the same learners.
	var rep EventsReply
	if status := postBatch(http.DefaultClient, p2.base, tokens[0], Batch{Events: []Event{ev("after", StepPassed, 1)}}, &rep); status != 200 {
		t.Errorf("posting after the restart: %d", status)
	}
}
