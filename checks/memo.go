package checks

import (
	"maps"
	"slices"
	"sync"
)

// memoMu guards the memo of every Env. Checks of a step run at the same
// time, and the lock is held only to read or replace a slice.
var memoMu sync.Mutex

// recall returns the IDs that last matched the check with the given key.
func (e *Env) recall(key string) []string {
	memoMu.Lock()
	defer memoMu.Unlock()
	if e.memo == nil {
		return nil
	}
	return e.memo.ids[key]
}

// remember keeps the IDs that matched the check with the given key.
func (e *Env) remember(key string, ids []string) {
	memoMu.Lock()
	defer memoMu.Unlock()
	if e.memo == nil {
		e.memo = &memo{}
	}
	if e.memo.ids == nil {
		e.memo.ids = map[string][]string{}
	}
	e.memo.ids[key] = ids
}

// memo is what checks remember between evaluations: the containers that
// last matched each container check, by the check's key.
type memo struct {
	ids map[string][]string
}

// Memo returns a copy of what the checks evaluated against e remember, for
// keeping it on disk: a later process that gives it to SetMemo starts warm,
// asking the engine about those containers first. The keys and IDs are
// opaque.
func (e *Env) Memo() map[string][]string {
	memoMu.Lock()
	defer memoMu.Unlock()
	out := map[string][]string{}
	if e.memo != nil {
		for k, v := range e.memo.ids {
			out[k] = slices.Clone(v)
		}
	}
	return out
}

// SetMemo replaces what the checks evaluated against e remember with m, as
// Memo returned it (perhaps in another process). Entries that no longer
// fit the engine cost one failed lookup, then are forgotten or replaced.
func (e *Env) SetMemo(m map[string][]string) {
	memoMu.Lock()
	defer memoMu.Unlock()
	if e.memo == nil {
		e.memo = &memo{}
	}
	e.memo.ids = maps.Clone(m)
}
