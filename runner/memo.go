package runner

import (
	"maps"
	"slices"

	"github.com/dockstep/dockstep/internal/progress"
)

// memoSaver saves the checks' memo when it changed since it was last saved.
type memoSaver struct {
	store *progress.Store
	saved map[string][]string
}

func (m *memoSaver) save(now map[string][]string) {
	if m.store == nil || maps.EqualFunc(now, m.saved, slices.Equal) {
		return
	}
	if m.store.SaveMemo(now) == nil {
		m.saved = now
	}
}
