//go:build !unix

package classroom

import "sync"

var queueLock sync.Mutex

// lockFile serialises queue updates within this process; elsewhere than
// Unix, two dockstep processes of one learner may race on the queue.
func lockFile(string) (func(), error) {
	queueLock.Lock()
	return queueLock.Unlock, nil
}
