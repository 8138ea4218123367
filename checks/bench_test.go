package checks

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/dockstep/dockstep/internal/dockertest"
)

// BenchmarkChecks measures an image check and a container check with a
// handful, then 1,000, unrelated images and containers on the engine: the
// checks filter on the engine's side, so the two figures should be close.
// The objects are made only when -bench runs this, and removed after.
//
//	go test -run '^$' -bench Checks -benchtime 200x ./checks
func BenchmarkChecks(b *testing.B) {
	c := dockertest.Client(b)
	ctx := context.Background()
	target := dockertest.Name("dockstep-test/bench-target")
	dockertest.Busybox(b, c, target+":latest", "LABEL bench="+target)
	web := dockertest.Name("dockstep-bench-web")
	dockertest.RemoveContainerAtEnd(b, c, web)
	port := dockertest.FreePort(b)
	dockertest.Run(b, "run", "-d", "--name", web, "-p", fmt.Sprintf("%d:5000", port), target, "sleep", "600")
	filler := dockertest.Name("dockstep-test/bench-filler")
	dockertest.Busybox(b, c, filler+":latest")

	imageCheck := compile(b, "image: "+target)
	containerCheck := compile(b, fmt.Sprintf(`container: {image: %s, publish: "%d:5000"}`, target, port))
	namedCheck := compile(b, fmt.Sprintf(`container: {name: %s, publish: "%d:5000"}`, web, port))
	// A fresh Env each time is what dockstep check does (cold); the runner
	// checks a step again and again against one Env (warm).
	bench := func(name string, chk Check, warm bool) {
		b.Run(name, func(b *testing.B) {
			env := &Env{Docker: c}
			for b.Loop() {
				if !warm {
					env = &Env{Docker: c}
				}
				if r := chk.Evaluate(ctx, env); !r.Passed {
					b.Fatalf("check failed: %s %v", r.Message, r.Err)
				}
			}
		})
	}
	all := func(n string) {
		bench("image/"+n, imageCheck, false)
		bench("container-cold/"+n, containerCheck, false)
		bench("container-warm/"+n, containerCheck, true)
		bench("container-named/"+n, namedCheck, false)
	}

	made := 0
	fill := func(n int) {
		b.Helper()
		fillEngine(b, c, filler, made, n)
		made = n
	}
	fill(5)
	all("few")
	fill(1000)
	all("1000")
}

// fillEngine adds tags filler-i of the filler image and containers created
// (never started) from them, for i from `from` to n, removing them when the
// benchmark ends.
func fillEngine(b *testing.B, c *client.Client, filler string, from, n int) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	work := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				tag := fmt.Sprintf("%s:t%d", filler, i)
				if err := c.ImageTag(ctx, filler, tag); err != nil {
					errs <- err
					continue
				}
				if _, err := c.ContainerCreate(ctx, &container.Config{Image: tag, Cmd: []string{"true"}, Labels: map[string]string{"dockstep-bench": filler}}, nil, nil, nil, fmt.Sprintf("%s-%d", filler[len("dockstep-test/"):], i)); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := from; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatalf("filling the engine: %v", err)
	}
	b.Cleanup(func() { emptyEngine(c, filler, from, n) })
}

func emptyEngine(c *client.Client, filler string, from, n int) {
	ctx := context.Background()
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				c.ContainerRemove(ctx, fmt.Sprintf("%s-%d", filler[len("dockstep-test/"):], i), container.RemoveOptions{Force: true})
				c.ImageRemove(ctx, fmt.Sprintf("%s:t%d", filler, i), image.RemoveOptions{})
			}
		}()
	}
	for i := from; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
}
