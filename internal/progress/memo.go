package progress

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// memoFile, in the state folder, keeps the containers that last passed
// each container check (checks.Env.Memo), so that the next process to
// check the same step, such as dockstep check while the runner is open or
// after it, asks the engine about those containers first. It is a cache:
// a missing or damaged file only makes the next check start cold.
const memoFile = "containers.json"

// LoadMemo reads what the checks remembered last; nil when nothing can be
// read.
func (s *Store) LoadMemo() map[string][]string {
	data, err := os.ReadFile(filepath.Join(s.dir, memoFile))
	if err != nil {
		return nil
	}
	var m map[string][]string
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	return m
}

// SaveMemo writes what the checks remember, by a rename so that a reader
// never sees half a file. It is not synced to disk: losing it costs a cold
// check, no more.
func (s *Store) SaveMemo(m map[string][]string) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.dir, memoFile+".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), filepath.Join(s.dir, memoFile))
	}
	if werr != nil {
		os.Remove(f.Name())
	}
	return werr
}
