package workshop

import (
	"net"
	"strings"
	"testing"
)

// The runner is told who holds a port the learner chose.
func TestHostPortHolder(t *testing.T) {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if who := HostPortHolder(port); !strings.HasPrefix(who, "by ") {
		t.Errorf("HostPortHolder(%d) = %q while this test listens on it, want who holds it", port, who)
	}
	l.Close()
	if who := HostPortHolder(port); who != "" {
		t.Errorf("HostPortHolder(%d) = %q after the port was freed, want \"\"", port, who)
	}
}
