package demo

import (
	"context"
	"io"
	"os"
	"os/exec"

	"github.com/creack/pty"
)

// key is a key the presenter pressed.
type key int

const (
	keyNone  key = iota
	keyNext      // Enter or Space: type the next command, run it, go on
	keyRight     // →: the same, showing the whole command at once
	keyLeft      // ←: back a step
	keyAgain     // r: the step again
	keyPause     // p: hand the presenter a shell
	keyQuit      // q or Ctrl-C
	keyOther
)

// readKeys reads the presenter's keys as they come, a read at a time: a
// terminal in raw mode gives one key (or one escape sequence) a read.
func readKeys(in io.Reader) <-chan []byte {
	ch := make(chan []byte)
	if in == nil {
		return ch
	}
	go func() {
		buf := make([]byte, 64)
		for {
			n, err := in.Read(buf)
			if n > 0 {
				ch <- append([]byte(nil), buf[:n]...)
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

// decodeKey tells which key a read holds.
func decodeKey(b []byte) key {
	switch string(b) {
	case "\r", "\n", " ":
		return keyNext
	case "\x1b[C", "\x1bOC":
		return keyRight
	case "\x1b[D", "\x1bOD":
		return keyLeft
	case "r", "R":
		return keyAgain
	case "p", "P":
		return keyPause
	case "q", "Q", "\x03":
		return keyQuit
	}
	return keyOther
}

// waitKey waits for a key that moves the demo. p hands the presenter a
// shell and waits again once they are back.
func (d *demo) waitKey(ctx context.Context) key {
	for {
		select {
		case <-ctx.Done():
			return keyQuit
		case b := <-d.keys:
			switch k := decodeKey(b); k {
			case keyPause:
				d.pause(ctx)
			case keyOther:
			default:
				return k
			}
		}
	}
}

// dropKeys forgets the keys pressed so far.
func (d *demo) dropKeys() {
	for {
		select {
		case <-d.keys:
		default:
			return
		}
	}
}

// waitByte waits for any key and returns its first byte.
func (d *demo) waitByte(ctx context.Context) byte {
	select {
	case <-ctx.Done():
		return 0
	case b := <-d.keys:
		return b[0]
	}
}

// pause hands the presenter a shell of their own in the demo's folder, on
// the same screen, until they exit it.
func (d *demo) pause(ctx context.Context) {
	sh := os.Getenv("SHELL")
	if sh == "" {
		sh = "bash"
	}
	keys := d.scr.shownKeys()
	defer d.scr.keyLine(keys)
	d.scr.keyLine("paused: this shell is yours; type exit to come back to the demo")
	d.scr.printf("\r\x1b[2K")
	cmd := exec.Command(sh, "-i")
	cmd.Dir = d.o.Dir
	cmd.Env = d.o.Env
	rows := d.o.Height - headerRows - 1
	if d.o.Plain {
		rows = d.o.Height
	}
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(d.o.Width), Rows: uint16(rows)})
	if err != nil {
		d.freshPrompt(ctx, d.scr.red("cannot start "+sh+": "+err.Error()))
		return
	}
	copied := make(chan struct{})
	go func() {
		io.Copy(d.scr, f)
		close(copied)
	}()
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	for done := false; !done; {
		select {
		case b := <-d.keys:
			f.Write(b)
		case <-exited:
			done = true
		case <-ctx.Done():
			cmd.Process.Kill()
		}
	}
	f.Close()
	<-copied
	d.freshPrompt(ctx, d.scr.dim("back to the demo"))
}

// The keys' lines: keys and what they do, three spaces apart. keyLine
// shortens them to fit the screen.
const (
	keysType     = "Enter type the next command   → show it at once   ← back   r again   p shell   q quit"
	keysRun      = "Enter run it   ← back   r again   p shell   q quit"
	keysStepDone = "   ← back   r again   p shell   q quit" // after "Enter next step" or "Enter finish"
	keysRemove   = "y remove them now   any other key keep them (dockstep demo --reset removes them later)"
)
