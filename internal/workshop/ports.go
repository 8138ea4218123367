package workshop

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// portHolder tries to listen on a host port, on every address as a
// published port does. It returns nil when the port is free; otherwise the
// error, and, when it can tell, who holds the port ("process python3 (pid
// 4242)").
func portHolder(procRoot string, port int, proto string) (string, error) {
	addr := fmt.Sprintf(":%d", port)
	var err error
	if proto == "udp" {
		var pc net.PacketConn
		if pc, err = net.ListenPacket("udp", addr); err == nil {
			pc.Close()
		}
	} else {
		var l net.Listener
		if l, err = net.Listen("tcp", addr); err == nil {
			l.Close()
		}
	}
	if err == nil {
		return "", nil
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return "", err
	}
	return procHolder(procRoot, port, proto), err
}

// procHolder names the process listening on port from the kernel's socket
// tables (/proc/net/tcp and tcp6, or udp) and the processes' open files.
// It returns "" when it cannot tell, such as on systems without /proc.
func procHolder(procRoot string, port int, proto string) string {
	inodes := map[string]string{} // socket inode: owner's uid
	for _, table := range []string{proto, proto + "6"} {
		for inode, uid := range listeningInodes(filepath.Join(procRoot, "net", table), port, proto) {
			inodes[inode] = uid
		}
	}
	if len(inodes) == 0 {
		return ""
	}
	fds, _ := filepath.Glob(filepath.Join(procRoot, "[0-9]*", "fd", "*"))
	for _, fd := range fds {
		target, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(target, "socket:[") {
			continue
		}
		inode := strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]")
		if _, ok := inodes[inode]; !ok {
			continue
		}
		pidDir := filepath.Dir(filepath.Dir(fd))
		comm, err := os.ReadFile(filepath.Join(pidDir, "comm"))
		if err != nil {
			continue
		}
		return fmt.Sprintf("process %s (pid %s)", strings.TrimSpace(string(comm)), filepath.Base(pidDir))
	}
	// The process is not ours to look into; the table still says whose it is.
	for _, uid := range inodes {
		name := "uid " + uid
		if u, err := user.LookupId(uid); err == nil {
			name = u.Username
		}
		return fmt.Sprintf("a program run by %s (\"sudo lsof -i :%d\" names it)", name, port)
	}
	return ""
}

// listeningInodes reads a /proc/net socket table and returns the inodes,
// with their owners' uids, of the sockets bound to port: listening ones for
// tcp, every bound one for udp.
func listeningInodes(path string, port int, proto string) map[string]string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 {
			continue
		}
		_, hexPort, ok := strings.Cut(fields[1], ":")
		if !ok {
			continue
		}
		p, err := strconv.ParseUint(hexPort, 16, 16)
		if err != nil || int(p) != port {
			continue
		}
		// State 0A is TCP_LISTEN; 07 is an unconnected (bound) UDP socket.
		if (proto == "tcp" && fields[3] != "0A") || (proto == "udp" && fields[3] != "07") {
			continue
		}
		out[fields[9]] = fields[7]
	}
	return out
}

// HostPortHolder says who holds a TCP port on this computer, for the
// runner to tell a learner at once that the port they chose is taken; ""
// when it is free or dockstep cannot tell.
func HostPortHolder(port int) string {
	who, err := portHolder("/proc", port, "tcp")
	switch {
	case err == nil || !errors.Is(err, syscall.EADDRINUSE):
		return ""
	case strings.HasPrefix(who, "process docker-proxy "):
		return "by a Docker container: see docker ps"
	case who == "":
		return "by another program"
	}
	return "by " + who
}
