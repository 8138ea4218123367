package demo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
)

// The demo shell's prompts carry an invisible marker, an OSC sequence that
// terminals ignore, so that the demo knows when the shell waits for a line:
// after a command ended (PS1, with its exit status) or inside a command
// still being written (PS2, such as the lines of a here-document). The
// markers are taken out of the output before anybody sees it.
const (
	markerStart = "\x1b]6973;dockstep;"
	markerEnd   = "\a"
)

// prompt is what the shell's prompt marker said.
type prompt struct {
	// More is set for the continuation prompt (PS2): the shell waits for
	// the rest of a command.
	More bool
	// Status is the exit status of the last command, for PS1.
	Status int
}

// shell is an interactive bash in a pseudo-terminal. Everything it writes
// goes to out, without the prompt markers; the prompts it shows arrive on
// prompts.
type shell struct {
	cmd  *exec.Cmd
	pty  *os.File
	rc   string // the rc file, removed on close
	done chan struct{}
	// prompts receives each prompt the shell shows, in order.
	prompts chan prompt
	exited  chan struct{}
	// closing is closed when the shell is being closed: prompts nobody
	// waits for any more are dropped.
	closing chan struct{}

	mu  sync.Mutex
	out io.Writer
}

// startShell starts bash in dir, in a pseudo-terminal of the given size,
// writing to out. env is the environment of the shell (nil: dockstep's own).
func startShell(dir string, env []string, cols, rows int, out io.Writer) (*shell, error) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		return nil, errors.New("dockstep demo types the commands into bash, and bash is not on your PATH: install it (on Debian and Ubuntu: apt-get install bash)")
	}
	rc, err := os.CreateTemp("", "dockstep-demo-rc-")
	if err != nil {
		return nil, fmt.Errorf("writing the demo shell's settings: %w", err)
	}
	// The visible prompt is the folder's name and $, as short as a
	// presenter's own prompt in a talk.
	settings := `PS1='\[\e[1m\]\W \$\[\e[0m\] \[` + escape(markerStart) + `ps1;$?` + escape(markerEnd) + `\]'
PS2='> \[` + escape(markerStart) + `ps2` + escape(markerEnd) + `\]'
unset PROMPT_COMMAND
HISTFILE=/dev/null
bind 'set disable-completion on' 2>/dev/null
bind 'set enable-bracketed-paste off' 2>/dev/null
`
	if _, err := rc.WriteString(settings); err != nil {
		rc.Close()
		os.Remove(rc.Name())
		return nil, fmt.Errorf("writing the demo shell's settings: %w", err)
	}
	rc.Close()
	cmd := exec.Command(bash, "--noprofile", "--rcfile", rc.Name(), "-i")
	cmd.Dir = dir
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		os.Remove(rc.Name())
		return nil, fmt.Errorf("starting bash in a terminal: %w", err)
	}
	s := &shell{cmd: cmd, pty: f, rc: rc.Name(), out: out, prompts: make(chan prompt, 16), done: make(chan struct{}), exited: make(chan struct{}), closing: make(chan struct{})}
	go s.read()
	go func() {
		cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

// escape writes a control sequence the way bash's prompt strings take it.
func escape(s string) string {
	var b bytes.Buffer
	for _, c := range []byte(s) {
		switch c {
		case 0x1b:
			b.WriteString(`\e`)
		case '\a':
			b.WriteString(`\a`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// setOut sends the shell's output to w from now on.
func (s *shell) setOut(w io.Writer) {
	s.mu.Lock()
	s.out = w
	s.mu.Unlock()
}

// read copies the shell's output to out, taking the prompt markers out and
// sending them on prompts.
func (s *shell) read() {
	defer close(s.done)
	var sc markerScanner
	buf := make([]byte, 32*1024)
	for {
		n, err := s.pty.Read(buf)
		if n > 0 {
			text, marks := sc.scan(buf[:n])
			s.mu.Lock()
			if len(text) > 0 {
				s.out.Write(text)
			}
			s.mu.Unlock()
			for _, m := range marks {
				select {
				case s.prompts <- m:
				case <-s.closing:
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// markerScanner takes prompt markers out of a stream, even when one is
// split between two reads.
type markerScanner struct {
	held []byte // the start of what may be a marker
}

func (m *markerScanner) scan(p []byte) (text []byte, marks []prompt) {
	data := append(m.held, p...)
	m.held = nil
	for {
		i := bytes.Index(data, []byte(markerStart))
		if i < 0 {
			// Hold back a tail that could begin a marker.
			keep := 0
			for k := min(len(markerStart)-1, len(data)); k > 0; k-- {
				if bytes.HasSuffix(data, []byte(markerStart[:k])) {
					keep = k
					break
				}
			}
			text = append(text, data[:len(data)-keep]...)
			m.held = append([]byte(nil), data[len(data)-keep:]...)
			return text, marks
		}
		text = append(text, data[:i]...)
		rest := data[i+len(markerStart):]
		j := bytes.Index(rest, []byte(markerEnd))
		if j < 0 {
			m.held = append([]byte(nil), data[i:]...)
			return text, marks
		}
		body := string(rest[:j])
		data = rest[j+len(markerEnd):]
		switch {
		case body == "ps2":
			marks = append(marks, prompt{More: true})
		case len(body) > 4 && body[:4] == "ps1;":
			st, _ := strconv.Atoi(body[4:])
			marks = append(marks, prompt{Status: st})
		default:
			marks = append(marks, prompt{})
		}
	}
}

// write sends keys to the shell's terminal.
func (s *shell) write(p string) error {
	_, err := io.WriteString(s.pty, p)
	return err
}

// resize gives the shell's terminal a new size.
func (s *shell) resize(cols, rows int) error {
	return pty.Setsize(s.pty, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
}

// drain forgets prompts shown so far.
func (s *shell) drain() {
	for {
		select {
		case <-s.prompts:
		default:
			return
		}
	}
}

// close ends the shell and what runs in it: the terminal hangs up, as when
// a terminal window is closed, and bash passes the hang-up on to its jobs.
//
// Every wait is bounded: a shell that does not end on the hang-up is killed
// with its process group after a grace period, and the output of a job that
// still holds the terminal open is not waited for past a moment, so the
// demo always returns.
func (s *shell) close() {
	close(s.closing)
	s.pty.Close()
	select {
	case <-s.exited:
	default:
		s.cmd.Process.Signal(syscall.SIGHUP)
		select {
		case <-s.exited:
		case <-time.After(2 * time.Second):
			// bash leads its own session (pty.Start), so its process group
			// is its pid.
			syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.exited
		}
	}
	select {
	case <-s.done:
	case <-time.After(time.Second):
	}
	os.Remove(s.rc)
}
