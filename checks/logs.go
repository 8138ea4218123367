package checks

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// lastLogLines returns up to n last lines of a container's log, each
// indented for showing under a message, or "" when the log is empty.
func lastLogLines(ctx context.Context, d Docker, id string, tty bool, n int) (string, error) {
	rc, err := d.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: strconv.Itoa(n)})
	if err != nil {
		if isNotFound(err) {
			return "", nil
		}
		return "", fmt.Errorf("read the log of container %s: %w", id, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if tty {
		_, err = io.Copy(&buf, io.LimitReader(rc, 64<<10))
	} else {
		_, err = stdcopy.StdCopy(&buf, &buf, io.LimitReader(rc, 64<<10))
	}
	if err != nil {
		return "", fmt.Errorf("read the log of container %s: %w", id, err)
	}
	return indentTail(buf.String(), n), nil
}

// maxLogLine is how much of one log line a diagnosis shows: a server that
// logs a line of 400 characters per request (the registry does) would
// otherwise fill the learner's screen with five of them.
const maxLogLine = 160

// indentTail keeps the last n non-empty lines of s, indented, each cut to
// maxLogLine characters.
func indentTail(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			l = strings.TrimRight(l, " \t\r")
			if r := []rune(l); len(r) > maxLogLine {
				l = strings.TrimRight(string(r[:maxLogLine-2]), " ") + " …"
			}
			lines = append(lines, "    "+l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
