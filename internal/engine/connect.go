package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/docker/docker/client"
)

// String names the endpoint and what chose it, for messages:
// "unix:///var/run/docker.sock (from the default socket)".
func (e Endpoint) String() string { return fmt.Sprintf("%s (from %s)", e.Host, e.Source) }

// UnreachableError says that the engine at an endpoint could not be used:
// it could not be found, a client could not be made for it, or it did not
// answer. Its message names the endpoint, where it came from, why, and
// what to do.
type UnreachableError struct {
	Endpoint Endpoint // empty when no endpoint could be resolved
	Err      error
	msg      string
}

func (e *UnreachableError) Error() string { return e.msg }
func (e *UnreachableError) Unwrap() error { return e.Err }

// ExitStatus is how dockstep ends on e: status 3, on every command that
// needs the engine.
func (e *UnreachableError) ExitStatus(cmd string) (int, string) { return 3, e.Error() }

// PingTimeout bounds how long Connect waits for the engine to answer.
const PingTimeout = 10 * time.Second

// Dial resolves the endpoint and makes a client for it, without asking the
// engine anything. Its errors are *UnreachableError.
func Dial(o Options) (*client.Client, Endpoint, error) {
	ep, err := Resolve(o)
	if err != nil {
		return nil, ep, &UnreachableError{Err: err, msg: fmt.Sprintf("finding the Docker engine your docker command uses: %v", err)}
	}
	c, err := NewClient(ep)
	if err != nil {
		return nil, ep, &UnreachableError{Endpoint: ep, Err: err, msg: fmt.Sprintf("cannot use the Docker engine at %s: %v", ep, err)}
	}
	return c, ep, nil
}

// Connect is the one way dockstep's commands reach the engine: it resolves
// the endpoint as the docker CLI does, makes a client (which negotiates the
// API version, so engines from Docker 20.10 on are served), and makes sure
// the engine answers. Its errors are *UnreachableError. Close the client
// when done.
func Connect(ctx context.Context, o Options) (*client.Client, Endpoint, error) {
	c, ep, err := Dial(o)
	if err != nil {
		return nil, ep, err
	}
	pctx, cancel := context.WithTimeout(ctx, PingTimeout)
	ping, err := c.Ping(pctx)
	cancel()
	if err != nil {
		c.Close()
		return nil, ep, Unreachable(ep, err)
	}
	// The ping's answer settles the API version, so that the client does
	// not ask the engine again before its first request: one round trip
	// less in every dockstep check.
	c.NegotiateAPIVersionPing(ping)
	return c, ep, nil
}

// Factory is a command's engine factory: each call Connects with o and
// gives the client as E, the small interface the command needs (the
// client must have its methods). The caller closes what it gets.
func Factory[E any](o Options) func(context.Context) (E, Endpoint, error) {
	return func(ctx context.Context) (E, Endpoint, error) {
		var e E
		c, ep, err := Connect(ctx, o)
		if err != nil {
			return e, ep, err
		}
		return any(c).(E), ep, nil
	}
}

// Dialer is Factory with Dial: the client made without asking the engine
// anything, for dockstep doctor, which asks and reports what fails.
func Dialer[E any](o Options) func() (E, Endpoint, error) {
	return func() (E, Endpoint, error) {
		var e E
		c, ep, err := Dial(o)
		if err != nil {
			return e, ep, err
		}
		return any(c).(E), ep, nil
	}
}

// Unreachable is the error for an engine at ep that failed with err: it
// names the endpoint and says what to do.
func Unreachable(ep Endpoint, err error) *UnreachableError {
	return &UnreachableError{Endpoint: ep, Err: err, msg: fmt.Sprintf("cannot reach the Docker engine at %s: %s", ep, Advice(ep, err))}
}

// Advice says what to do when the engine at ep cannot be reached with err:
// start it, fix the socket's permission, or pick another engine. The Docker
// client hides why a connection failed, so the endpoint's socket or address
// is dialled again here to learn it.
func Advice(ep Endpoint, err error) string {
	if cause := dialErr(ep); cause != nil {
		err = cause
	}
	sock, isUnix := strings.CutPrefix(ep.Host, "unix://")
	switch {
	case errors.Is(err, syscall.EACCES) || errors.Is(err, os.ErrPermission) || strings.Contains(err.Error(), "permission denied"):
		return fmt.Sprintf("you may not use the socket %s: join the docker group with \"sudo usermod -aG docker $USER\", then log out and back in (or run a rootless engine: https://docs.docker.com/engine/security/rootless/)", sock)
	case isUnix && (errors.Is(err, syscall.ENOENT) || strings.Contains(err.Error(), "no such file")):
		if strings.HasPrefix(ep.Source, "context ") {
			return fmt.Sprintf("nothing listens at %s: start the engine of that context (for colima: \"colima start\"; for Docker Desktop: open the app), or switch with \"docker context use default\"", sock)
		}
		return fmt.Sprintf("nothing listens at %s: start Docker (Docker Desktop: open the app; colima: \"colima start\"; Linux: \"sudo systemctl start docker\")", sock)
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(err.Error(), "connection refused"):
		return "the engine is not running there: start Docker, or point dockstep at the right engine with --host, DOCKER_HOST or \"docker context use\""
	case strings.HasPrefix(ep.Host, "ssh://"):
		return fmt.Sprintf("check that \"%s docker version\" works from this terminal without asking for a password (use an SSH key or agent), and that Docker runs on that machine", sshCommandLine(ep.Host))
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return "the engine did not answer in time: check that it is running and that the network to it works"
	}
	return "check that Docker is running (\"docker version\" shows the engine's version when it is), or point dockstep at the right engine with --host, DOCKER_HOST or \"docker context use\""
}

// dialErr dials the endpoint's socket or TCP address and returns why that
// fails; nil when it works or the endpoint is of another kind.
func dialErr(ep Endpoint) error {
	var network, addr string
	switch {
	case strings.HasPrefix(ep.Host, "unix://"):
		network, addr = "unix", strings.TrimPrefix(ep.Host, "unix://")
	case strings.HasPrefix(ep.Host, "tcp://"):
		u, err := url.Parse(ep.Host)
		if err != nil {
			return nil
		}
		network, addr = "tcp", u.Host
	default:
		return nil
	}
	conn, err := net.DialTimeout(network, addr, 3*time.Second)
	if err != nil {
		return err
	}
	conn.Close()
	return nil
}

// sshCommandLine is the ssh command a learner types to reach the machine of
// an ssh:// engine address.
func sshCommandLine(host string) string {
	u, err := url.Parse(host)
	if err != nil {
		return "ssh " + strings.TrimPrefix(host, "ssh://")
	}
	cmd := "ssh "
	if p := u.Port(); p != "" {
		cmd += "-p " + p + " "
	}
	if u.User != nil {
		cmd += u.User.Username() + "@"
	}
	return cmd + u.Hostname()
}
