package main

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
	if who := hostPortHolder(port); !strings.HasPrefix(who, "by ") {
		t.Errorf("hostPortHolder(%d) = %q while this test listens on it, want who holds it", port, who)
	}
	l.Close()
	if who := hostPortHolder(port); who != "" {
		t.Errorf("hostPortHolder(%d) = %q after the port was freed, want \"\"", port, who)
	}
}
