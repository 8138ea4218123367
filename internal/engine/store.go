package engine

import (
	"fmt"

	"github.com/docker/docker/api/types/system"
)

// ImageStore says where the engine keeps its images, from what docker info
// reports: the containerd image store (Docker Desktop, and Docker Engine
// installed new since version 29), or the classic one with a graph driver
// such as overlay2 (older installs, and Debian's docker.io). The two report
// pulls, builds and image IDs differently.
func ImageStore(info system.Info) (desc string, containerd bool) {
	for _, kv := range info.DriverStatus {
		if kv[0] == "driver-type" && kv[1] == "io.containerd.snapshotter.v1" {
			return fmt.Sprintf("containerd (snapshotter %s)", info.Driver), true
		}
	}
	return fmt.Sprintf("classic (%s)", info.Driver), false
}
