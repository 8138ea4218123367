//go:build !unix

package workshop

import (
	"errors"
	"runtime"
)

// freeBytes is not measured on this system: the engine runs in Docker
// Desktop's virtual machine anyway.
func freeBytes(dir string) (int64, error) {
	return 0, errors.New("free space is not measured on " + runtime.GOOS)
}
