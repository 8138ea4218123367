package replay

import (
	"context"
	"errors"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// attached runs an interactive command on the learner's own terminal, as a
// shell runs a job in the foreground: in a process group of its own that
// gets the terminal, so that what the learner types, Ctrl-C included, goes
// to the command and not to dockstep. When it ends, dockstep takes the
// terminal back, puts it in the mode it had, and throws away what the
// command left unread (such as the terminal's late answer to a cursor
// query), so that none of it is taken for keys at the next menu.
func (r *Replayer) attached(ctx context.Context, text string) error {
	fd := int(r.Terminal.Fd())
	if state, err := term.GetState(fd); err == nil {
		defer term.Restore(fd, state)
	}
	defer discardInput(fd)
	cmd := exec.Command("sh", "-c", text)
	cmd.Dir = r.Dir
	cmd.Env = r.Env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r.Terminal, r.Terminal, r.Terminal
	// A process group of its own in the terminal's foreground, when dockstep
	// has the foreground to give; else dockstep's, so that it may read.
	// Ctty is the terminal's descriptor in the child: its standard input.
	fg := foreground(fd)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: fg, Foreground: fg, Ctty: 0}
	if err := cmd.Start(); err != nil {
		return err
	}
	if fg {
		defer takeTerminal(fd)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			if fg {
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			} else {
				cmd.Process.Kill()
			}
		case <-done:
		}
	}()
	err := cmd.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// foreground reports whether dockstep's process group owns the terminal fd,
// so that it can hand the terminal over and take it back.
func foreground(fd int) bool {
	pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// takeTerminal makes dockstep's process group the terminal's foreground
// again. Doing so from the background raises SIGTTOU, ignored meanwhile.
func takeTerminal(fd int) {
	signal.Ignore(syscall.SIGTTOU)
	defer signal.Reset(syscall.SIGTTOU)
	unix.IoctlSetPointerInt(fd, unix.TIOCSPGRP, unix.Getpgrp())
}

// discardInput reads and drops what waits on the terminal, until nothing
// more has come for a moment: a terminal may answer a query the command
// sent just before it ended.
func discardInput(fd int) {
	var buf [256]byte
	for {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(quietInput/time.Millisecond))
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n == 0 || fds[0].Revents&unix.POLLIN == 0 {
			return
		}
		if n, err := unix.Read(fd, buf[:]); err != nil || n == 0 {
			return
		}
	}
}

// quietInput is how long the terminal must stay silent before the input a
// command left behind counts as all read.
const quietInput = 50 * time.Millisecond
