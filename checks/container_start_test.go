package checks

import "testing"

// TestStartError: why a container could not start, as Docker 20.10 and
// current Docker wrap it, comes down to the reason itself.
func TestStartError(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`driver failed programming external connectivity on endpoint web (0a1b2c): Bind for 0.0.0.0:8888 failed: port is already allocated`,
			`Bind for 0.0.0.0:8888 failed: port is already allocated`},
		{`failed to set up container networking: driver failed programming external connectivity on endpoint web (0a1b2c): Bind for 0.0.0.0:8888 failed: port is already allocated`,
			`Bind for 0.0.0.0:8888 failed: port is already allocated`},
		{`driver failed programming external connectivity on endpoint web (0a1b2c): Error starting userland proxy: listen tcp4 0.0.0.0:8888: bind: address already in use`,
			`Error starting userland proxy: listen tcp4 0.0.0.0:8888: bind: address already in use`},
		{`failed to set up container networking: driver failed programming external connectivity on endpoint web (0a1b2c): failed to bind host port 0.0.0.0:8888/tcp: address already in use`,
			`failed to bind host port 0.0.0.0:8888/tcp: address already in use`},
		{`OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "/nonexistent": stat /nonexistent: no such file or directory: unknown`,
			`exec: "/nonexistent": stat /nonexistent: no such file or directory`},
		{`failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory: unknown`,
			`exec: "/nonexistent": stat /nonexistent: no such file or directory`},
		{`failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "/nonexistent": stat /nonexistent: no such file or directory`,
			`exec: "/nonexistent": stat /nonexistent: no such file or directory`},
	}
	for _, tc := range tests {
		if got := startError(tc.raw); got != tc.want {
			t.Errorf("startError(%q)\n got %q\nwant %q", tc.raw, got, tc.want)
		}
	}
}
