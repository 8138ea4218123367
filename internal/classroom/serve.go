package classroom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dockstep/dockstep/internal/progress"
)

// ServeOptions say where and how the room is served.
type ServeOptions struct {
	// Addr is the address to listen on, HOST:PORT; ":0" picks a port.
	Addr string
	// DB is the room's database file; empty means room.db in the
	// classroom folder of dockstep's state folder (progress.StateDir).
	DB string
	// Title names the room; empty keeps the stored one.
	Title string
	// TLSCert and TLSKey, both or neither, serve HTTPS.
	TLSCert, TLSKey string
	// Out receives the lines for the projector and the instructor.
	Out io.Writer
	// Ready, when set, is called with the server once it listens.
	Ready func(*Server, net.Addr)
}

// Serve runs the room server until ctx is done. It prints the learners'
// join line and the instructor's dashboard address to o.Out.
func Serve(ctx context.Context, o ServeOptions) error {
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together: give both, or neither")
	}
	if o.DB == "" {
		dir, err := progress.StateDir()
		if err != nil {
			return err
		}
		o.DB = filepath.Join(dir, "classroom", "room.db")
	}
	store, err := OpenStore(o.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	srv, err := NewServer(ctx, store, o.Title)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w; choose another address with --addr", o.Addr, err)
	}
	scheme := "http"
	if o.TLSCert != "" {
		scheme = "https"
	}
	port := ln.Addr().(*net.TCPAddr).Port
	host, _, _ := net.SplitHostPort(o.Addr)
	learnerHost := host
	if host == "" || host == "0.0.0.0" || host == "::" {
		learnerHost = lanAddress()
	}
	dashHost := host
	if host == "" || host == "0.0.0.0" || host == "::" {
		dashHost = "localhost"
	}
	info := srv.Info()
	srv.JoinURL = fmt.Sprintf("%s://%s/join/%s", scheme, net.JoinHostPort(learnerHost, fmt.Sprint(port)), info.Code)
	fmt.Fprintf(o.Out, "room: %s (database %s)\n", info.Title, o.DB)
	fmt.Fprintf(o.Out, "learners: dockstep join %s\n", srv.JoinURL)
	fmt.Fprintf(o.Out, "dashboard: %s://%s/?token=%s\n", scheme, net.JoinHostPort(dashHost, fmt.Sprint(port)), info.Instructor)

	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// No WriteTimeout: the dashboard's stream is long; each of its
		// writes has its own deadline.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	if o.Ready != nil {
		o.Ready(srv, ln.Addr())
	}
	errc := make(chan error, 1)
	go func() {
		if o.TLSCert != "" {
			errc <- hs.ServeTLS(ln, o.TLSCert, o.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	hs.Shutdown(sctx)
	return nil
}

// lanAddress is the machine's first IPv4 address that is not loopback, the
// one learners on the same network reach; "localhost" without one.
func lanAddress() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "localhost"
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	return "localhost"
}

// ServeUntilStopped is dockstep classroom serve: Serve until Ctrl-C or
// SIGTERM. What stops the room from being served is a *ServeError.
func ServeUntilStopped(ctx context.Context, o ServeOptions) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Serve(ctx, o); err != nil {
		return &ServeError{err}
	}
	return nil
}

// ServeError is a room that could not be served.
type ServeError struct{ Err error }

func (e *ServeError) Error() string { return e.Err.Error() }
func (e *ServeError) Unwrap() error { return e.Err }

// ExitStatus is how dockstep ends on e: status 2, after the command's name.
func (e *ServeError) ExitStatus(cmd string) (int, string) { return 2, cmd + ": " + e.Error() }
