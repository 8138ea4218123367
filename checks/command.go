package checks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

func init() {
	builtinChecks["command"] = compileCommand
	engineFree["command"] = true
}

// commandCheck is the escape hatch: a shell command, run in the learner's
// working directory, that passes when it exits with status 0.
type commandCheck struct {
	run     string
	want    string // what the command checks, in words, for a failure
	timeout time.Duration
}

func compileCommand(n *yaml.Node) (Check, error) {
	var d decoder
	c := &commandCheck{timeout: 10 * time.Second}
	d.shorthand(n, "run", "the shell command to run", []string{"run", "want", "timeout"}, "{run: test -s out.txt, want: out.txt is not empty}",
		func(v *yaml.Node) { c.run = d.str("command", v) },
		func(key string, v *yaml.Node) {
			switch key {
			case "run":
				c.run = d.str(key, v)
			case "want":
				c.want = d.str(key, v)
			case "timeout":
				c.timeout = d.duration(key, v)
			}
		})
	return c, d.err()
}

func (c *commandCheck) Kind() string { return "command" }

func (c *commandCheck) Evaluate(ctx context.Context, env *Env) Result {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", c.run)
	cmd.Dir = env.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if err == nil {
		return Result{Kind: "command", Passed: true, Message: fmt.Sprintf("%q succeeded", c.run)}
	}
	var how string
	var ee *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		how = fmt.Sprintf("did not finish within %s", c.timeout)
	case errors.As(err, &ee):
		how = fmt.Sprintf("exited with status %d", ee.ExitCode())
	default:
		return Result{Kind: "command", Message: fmt.Sprintf("cannot run %q: %v", c.run, err), Err: fmt.Errorf("command check: run %q: %w", c.run, err)}
	}
	msg := fmt.Sprintf("%q %s", c.run, how)
	if c.want != "" {
		// What the learner has yet to do comes first, in words; the
		// command and its status say how that was found.
		msg = fmt.Sprintf("%s: not yet (%q %s)", c.want, c.run, how)
	}
	if tail := indentTail(out.String(), 5); tail != "" {
		msg += ":\n" + tail
	}
	r := Result{Kind: "command", Message: msg}
	if u := c.uses(); u != "" {
		r.Uses = []string{u}
	}
	return r
}

// uses names the container the command runs in, when it starts with
// docker exec, such as "container notebook" for
// docker exec notebook cat /data/todo.txt: a check that says the
// container is missing or wrong says why the command fails.
func (c *commandCheck) uses() string {
	f := strings.Fields(c.run)
	if len(f) < 3 || f[0] != "docker" || f[1] != "exec" {
		return ""
	}
	for i := 2; i < len(f); i++ {
		a := f[i]
		switch {
		case a == "-e" || a == "--env" || a == "--env-file" || a == "-u" || a == "--user" || a == "-w" || a == "--workdir" || a == "--detach-keys":
			i++ // the flag's value
		case strings.HasPrefix(a, "-"):
		default:
			return "container " + a
		}
	}
	return ""
}
