package checks

import (
	"fmt"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"gopkg.in/yaml.v3"
)

// The health field of a container check: the state of the health check
// the container was given with docker run --health-cmd (or its image's
// HEALTHCHECK), as docker ps shows it after Up: (healthy), (unhealthy) or
// (health: starting).

var healthStates = []string{container.Healthy, container.Unhealthy, container.Starting, container.NoHealthcheck}

// health reads the health field.
func (d *decoder) health(key string, v *yaml.Node) string {
	s := d.str(key, v)
	if s != "" && !contains(healthStates, s) {
		d.errorf(v, "%s %q is not one of %s", key, s, strings.Join(healthStates, ", "))
		return ""
	}
	return s
}

// healthTest is the command a health check runs, as docker run
// --health-cmd takes it, or "" when the container has none.
func healthTest(i *container.InspectResponse) string {
	if i.Config == nil || i.Config.Healthcheck == nil || len(i.Config.Healthcheck.Test) == 0 {
		return ""
	}
	t := i.Config.Healthcheck.Test
	switch t[0] {
	case "CMD-SHELL":
		return strings.Join(t[1:], " ")
	case "CMD":
		return strings.Join(t[1:], " ")
	}
	return "" // NONE: docker run --no-healthcheck, or HEALTHCHECK NONE
}

// healthInterval is how often Docker runs the container's health check.
func healthInterval(i *container.InspectResponse) time.Duration {
	if i.Config != nil && i.Config.Healthcheck != nil && i.Config.Healthcheck.Interval > 0 {
		return i.Config.Healthcheck.Interval
	}
	return 30 * time.Second // Docker's default
}

// healthOf is the health of a running container: none when it has no
// health check.
func healthOf(i *container.InspectResponse) *container.Health {
	if i.State == nil || i.State.Health == nil || healthTest(i) == "" {
		return &container.Health{Status: container.NoHealthcheck}
	}
	return i.State.Health
}

// lastTry says how the health check's last run ended, from the log the
// engine keeps of the last few runs: its exit code and what it printed.
func lastTry(h *container.Health) string {
	if len(h.Log) == 0 || h.Log[len(h.Log)-1] == nil {
		return ""
	}
	r := h.Log[len(h.Log)-1]
	out := strings.TrimSpace(r.Output)
	if lines := strings.Split(out, "\n"); len(lines) > 3 {
		out = strings.Join(lines[len(lines)-3:], "\n")
	}
	switch {
	case r.ExitCode < 0: // Docker could not run it, or it timed out
		return "its last try did not finish: " + out
	case out == "":
		return fmt.Sprintf("its last try exited with code %d and printed nothing", r.ExitCode)
	case r.ExitCode == 127: // the shell's code for a program it cannot find
		return fmt.Sprintf("its last try exited with code 127 and printed: %s (the container has no such program)", out)
	}
	return fmt.Sprintf("its last try exited with code %d and printed: %s", r.ExitCode, out)
}

// healthMismatch explains a running container whose health is not the one
// wanted, or returns "". A health check is part of a container's
// configuration, set when it is created: recreate says when the advice is
// to run the container again.
func (c *containerCheck) healthMismatch(who, name string, i *container.InspectResponse) (msg string, recreate bool) {
	h := healthOf(i)
	if h.Status == c.health {
		return "", false
	}
	msg = c.explainHealth(who, name, i, h)
	recreate = h.Status == container.NoHealthcheck || c.health == container.NoHealthcheck ||
		(h.Status == container.Unhealthy && c.health == container.Healthy)
	return msg, recreate
}

func (c *containerCheck) explainHealth(who, name string, i *container.InspectResponse, h *container.Health) string {
	who = named(who, name)
	test := healthTest(i)
	again := fmt.Sprintf("remove it (docker rm -f %s) and run it again", name)
	cmd := c.runCommand()
	if !strings.Contains(cmd, "--health-cmd") {
		cmd = ""
	}
	switch {
	case h.Status == container.NoHealthcheck:
		msg := fmt.Sprintf("%s has no health check, so Docker cannot tell whether it works. A health check is set when a container is created: %s with --health-cmd and a command that succeeds while the container works", who, again)
		if cmd != "" {
			msg += ": " + cmd
		}
		return msg
	case c.health == container.NoHealthcheck:
		return fmt.Sprintf("%s has a health check (%s), want none: %s without --health-cmd (or with --no-healthcheck, when its image has a HEALTHCHECK)", who, test, again)
	case h.Status == container.Starting:
		msg := fmt.Sprintf("the health check of %s has not passed yet (docker ps shows \"health: starting\"): Docker runs %q every %s, the first time %s after the container starts", who, test, healthInterval(i), healthInterval(i))
		if h.FailingStreak > 0 {
			msg += fmt.Sprintf("; it has failed %s so far, and %s", times(h.FailingStreak), lastTry(h))
		} else {
			msg += "; wait for it"
		}
		return msg
	case h.Status == container.Unhealthy:
		msg := fmt.Sprintf("the health check of %s has failed %s in a row, so Docker calls it unhealthy: it runs %q", who, times(h.FailingStreak), test)
		if t := lastTry(h); t != "" {
			msg += ", and " + t
		}
		if c.health == container.Healthy {
			msg += fmt.Sprintf(". Fix what it tests (the container turns healthy at the check's next success), or fix the command: a health check is set when a container is created, so %s with the corrected --health-cmd", again)
			if cmd != "" {
				msg += ", as in " + cmd
			}
		}
		return msg
	}
	return fmt.Sprintf("the health check of %s passes (it runs %q), want it %s", who, test, c.health)
}

// times is "once", "twice" or "N times".
func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}
