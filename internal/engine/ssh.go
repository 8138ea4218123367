package engine

import (
	"context"
	"fmt"
	"github.com/dockstep/dockstep/internal/safebuf"
	"io"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// sshCommand is the ssh program; tests point it at a stand-in.
var sshCommand = "ssh"

// sshArgs turns an ssh:// engine address into the arguments of the ssh
// command that connects to the engine on the far side, as the docker CLI
// does: ssh [-l user] [-p port] -- host docker system dial-stdio.
func sshArgs(host string) ([]string, error) {
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("ssh address %q: %w", host, err)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("ssh address %q names no host; write it as ssh://user@host", host)
	}
	if _, hasPass := u.User.Password(); hasPass {
		return nil, fmt.Errorf("ssh address %q holds a password; remove it and use an ssh key or agent", host)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("ssh address %q has a path (%s); an ssh engine address is ssh://user@host[:port]", host, u.Path)
	}
	var args []string
	if name := u.User.Username(); name != "" {
		args = append(args, "-l", name)
	}
	if p := u.Port(); p != "" {
		args = append(args, "-p", p)
	}
	args = append(args, "-o", "ConnectTimeout=30", "-T", "--", u.Hostname(), "docker", "system", "dial-stdio")
	return args, nil
}

// sshDialer returns a dialer whose every connection is an ssh process
// running "docker system dial-stdio" on the remote machine, which relays
// its standard streams to the engine there.
func sshDialer(host string) (func(ctx context.Context, network, addr string) (net.Conn, error), error) {
	args, err := sshArgs(host)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Not CommandContext: the connection outlives the request that
		// opened it, in the transport's pool.
		cmd := exec.Command(sshCommand, args...)
		c := &cmdConn{cmd: cmd, desc: sshCommand + " " + strings.Join(args, " ")}
		cmd.Stderr = &c.stderr
		if c.w, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
		if c.r, err = cmd.StdoutPipe(); err != nil {
			c.w.Close()
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			c.w.Close()
			c.r.Close()
			return nil, fmt.Errorf("starting %s: %w", c.desc, err)
		}
		return c, nil
	}, nil
}

// cmdConn is a connection made of a command's standard input and output.
type cmdConn struct {
	cmd    *exec.Cmd
	desc   string
	r      io.ReadCloser
	w      io.WriteCloser
	stderr safebuf.Buffer
	got    int64 // bytes read so far
	once   sync.Once
}

func (c *cmdConn) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.got += int64(n)
	if err == io.EOF && c.got == 0 {
		// The far side hung up before saying anything: ssh could not log
		// in or start docker there. Say why, if ssh said something. (Later,
		// an end of stream is an ordinary end, whatever ssh printed, such
		// as host key warnings.) Wait for ssh to end first: only then has
		// all it wrote to standard error been copied.
		c.Close()
		if msg := strings.TrimSpace(c.stderr.String()); msg != "" {
			return n, fmt.Errorf("%s: %s", c.desc, msg)
		}
	}
	return n, err
}

func (c *cmdConn) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil {
		// ssh ended (or the reader closed the connection after it did)
		// before taking the request: what it printed says why, better than
		// "broken pipe" or "file already closed".
		c.Close()
		if msg := strings.TrimSpace(c.stderr.String()); msg != "" {
			return n, fmt.Errorf("%s: %s", c.desc, msg)
		}
	}
	return n, err
}

func (c *cmdConn) Close() error {
	c.once.Do(func() {
		c.w.Close()
		done := make(chan struct{})
		go func() { c.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Second):
			c.cmd.Process.Kill()
			<-done
		}
	})
	return nil
}

func (c *cmdConn) LocalAddr() net.Addr  { return cmdAddr{} }
func (c *cmdConn) RemoteAddr() net.Addr { return cmdAddr{} }

// Deadlines are not supported on a pipe to a process; the HTTP client's own
// timeouts and the caller's context bound every request.
func (c *cmdConn) SetDeadline(time.Time) error      { return nil }
func (c *cmdConn) SetReadDeadline(time.Time) error  { return nil }
func (c *cmdConn) SetWriteDeadline(time.Time) error { return nil }

type cmdAddr struct{}

func (cmdAddr) Network() string { return "ssh" }
func (cmdAddr) String() string  { return "ssh" }
