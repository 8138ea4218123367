package checks

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"
	"gopkg.in/yaml.v3"
)

// The restart field of a container check: the restart policy the container
// was given with docker run --restart (or docker update --restart).

// restartPolicy is a restart policy as docker run --restart takes it.
type restartPolicy struct {
	name string // no, always, unless-stopped or on-failure
	// retries is N of on-failure:N; nil means any number (on-failure).
	retries *int
}

var restartPolicies = []string{"no", "always", "unless-stopped", "on-failure"}

func (p restartPolicy) String() string {
	if p.retries != nil {
		return fmt.Sprintf("%s:%d", p.name, *p.retries)
	}
	return p.name
}

// restart reads the restart field: no, always, unless-stopped, on-failure
// or on-failure:N.
func (d *decoder) restart(key string, v *yaml.Node) *restartPolicy {
	s := d.str(key, v)
	if s == "" {
		return nil
	}
	name, n, hasN := strings.Cut(s, ":")
	if !contains(restartPolicies, name) {
		d.errorf(v, "%s %q is not one of no, always, unless-stopped, on-failure or on-failure:N", key, s)
		return nil
	}
	p := &restartPolicy{name: name}
	if hasN {
		if name != "on-failure" {
			d.errorf(v, "%s %q: only on-failure takes a number of retries (on-failure:3)", key, s)
			return nil
		}
		x, err := strconv.Atoi(n)
		if err != nil || x < 1 {
			d.errorf(v, "%s %q: the number after on-failure: is how many times Docker retries, a whole number above 0, such as on-failure:3", key, s)
			return nil
		}
		p.retries = &x
	}
	return p
}

// restartOf is the restart policy of an inspected container, as docker run
// --restart takes it. A container run without --restart has "no" (Docker
// 20.10 records it as an empty name).
func restartOf(i *container.InspectResponse) restartPolicy {
	if i.HostConfig == nil {
		return restartPolicy{name: "no"}
	}
	rp := i.HostConfig.RestartPolicy
	if rp.IsNone() {
		return restartPolicy{name: "no"}
	}
	p := restartPolicy{name: string(rp.Name)}
	if rp.IsOnFailure() && rp.MaximumRetryCount > 0 {
		n := rp.MaximumRetryCount
		p.retries = &n
	}
	return p
}

// matches reports whether the container's policy has is the one wanted:
// on-failure without a number accepts any number of retries.
func (p restartPolicy) matches(has restartPolicy) bool {
	if p.name != has.name {
		return false
	}
	return p.retries == nil || (has.retries != nil && *has.retries == *p.retries)
}

// describeRestart says what policy a container has, for messages.
func describeRestart(p restartPolicy) string {
	switch {
	case p.name == "no":
		return "was run without --restart (its restart policy is no: Docker never starts it again by itself)"
	case p.name == "on-failure" && p.retries == nil:
		return "has restart policy on-failure (with retries without end)"
	}
	return "has restart policy " + p.String()
}

// restartMismatch explains a container whose restart policy is not the
// one wanted, or returns "". A restart policy can be changed on a
// container that exists, so the advice starts with docker update, unless
// recreate says that the container must be run again anyway (for a
// health check), with the flag.
func (c *containerCheck) restartMismatch(who, name string, i *container.InspectResponse, recreate bool) string {
	has := restartOf(i)
	if c.restart.matches(has) {
		return ""
	}
	msg := fmt.Sprintf("%s %s, want --restart %s", named(who, name), describeRestart(has), c.restart)
	if recreate {
		return msg
	}
	msg += fmt.Sprintf(": set it on this container with docker update --restart %s %s", c.restart, name)
	if cmd := c.runCommand(); strings.Contains(cmd, "--restart") {
		msg += ", or remove it and run it again with " + cmd
	} else {
		msg += fmt.Sprintf(", or give docker run --restart %s when you start it", c.restart)
	}
	return msg
}
