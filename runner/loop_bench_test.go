package runner

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/dockertest"
	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/lessons"
)

// BenchmarkEventToVerdict measures, against the real engine, the time from
// the engine's event for a learner's command (creating a container) to the
// runner's verdict that the step passed, and to the next step's menu. Each
// iteration is one step of a generated lesson. Run it with
//
//	go test -run '^$' -bench EventToVerdict -benchtime 30x ./runner
func BenchmarkEventToVerdict(b *testing.B) {
	c := dockertest.Client(b)
	image := dockertest.Name("dockstep-bench")
	dockertest.Busybox(b, c, image)
	prefix := dockertest.Name("dockstep-bench")

	var src strings.Builder
	src.WriteString("---\nformat: 1\ntitle: Bench\nsummary: One container per step.\n---\n\n# Bench\n")
	for i := 0; i < b.N; i++ {
		fmt.Fprintf(&src, "\n## Create container %d\n\n```check\ncontainer: {name: %s-%d, state: created}\n```\n", i, prefix, i)
	}
	reg := checks.Default()
	l, probs := lessons.ParseBytes(nil, "01-bench.md", "01-bench.md", []byte(src.String()), lessons.Options{Validator: reg})
	if len(probs) > 0 {
		b.Fatal(probs)
	}

	var mu sync.Mutex
	var verdicts []time.Duration
	p := newScriptedPrompter()
	r := &Runner{
		Out: &syncBuffer{}, ErrOut: &syncBuffer{}, Prompt: p, Docker: c, Registry: reg,
		Store: progress.NewStore(b.TempDir()), Dir: b.TempDir(), Poll: -1,
		onVerdict: func(v verdict, at time.Time) {
			if v == verdictPassed && !at.IsZero() {
				mu.Lock()
				verdicts = append(verdicts, time.Since(at))
				mu.Unlock()
			}
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, []*lessons.Lesson{l}, "bench") }()

	var menus []time.Duration
	menu := p.next(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		name := fmt.Sprintf("%s-%d", prefix, i)
		start := time.Now()
		resp, err := c.ContainerCreate(ctx, &container.Config{Image: image, Cmd: []string{"true"}}, nil, nil, nil, name)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.ContainerRemove(context.Background(), resp.ID, container.RemoveOptions{Force: true}) })
		select {
		case menu = <-p.calls:
		case <-time.After(10 * time.Second):
			b.Fatalf("step %d did not pass within 10s of creating %s", i+1, name)
		}
		menus = append(menus, time.Since(start))
	}
	b.StopTimer()
	menu.answer <- answer{index: len(menu.options) - 1} // Quit
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(verdicts) != b.N {
		b.Fatalf("got %d verdicts led by an engine event, want %d", len(verdicts), b.N)
	}
	b.ReportMetric(median(verdicts).Seconds()*1000, "ms-event-to-verdict-median")
	b.ReportMetric(median(menus).Seconds()*1000, "ms-create-to-next-menu-median")
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
