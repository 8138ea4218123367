package checks

import "sync"

// memoMu guards the memo of every Env. Checks of a step run at the same
// time, and the lock is held only to read or replace a slice.
var memoMu sync.Mutex

// recall returns the IDs that last matched the check with the given key.
func (e *Env) recall(key string) []string {
	memoMu.Lock()
	defer memoMu.Unlock()
	return e.memo[key]
}

// remember keeps the IDs that matched the check with the given key.
func (e *Env) remember(key string, ids []string) {
	memoMu.Lock()
	defer memoMu.Unlock()
	if e.memo == nil {
		e.memo = map[string][]string{}
	}
	e.memo[key] = ids
}
