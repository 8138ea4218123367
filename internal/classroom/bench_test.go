package classroom

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkRoomLoad puts a room server, in a process of its own on a real
// database, under a workshop's load: 300 learners posting one event a
// second each, with five dashboards streaming, for 60 seconds (change with
// DOCKSTEP_LOAD_LEARNERS and DOCKSTEP_LOAD_SECONDS). It reports the p50
// and p99 latency of a post, the server's CPU time and peak memory, and
// fails unless the events stored equal the events sent.
//
//	go test ./internal/classroom -run '^$' -bench RoomLoad -benchtime 1x
func BenchmarkRoomLoad(b *testing.B) {
	learners := envInt("DOCKSTEP_LOAD_LEARNERS", 300)
	seconds := envInt("DOCKSTEP_LOAD_SECONDS", 60)
	const dashboards = 5
	for i := 0; i < b.N; i++ {
		db := filepath.Join(b.TempDir(), "room.db")
		p := startServerProcess(b, db)
		pid := p.cmd.Process.Pid
		tokens := make([]string, learners)
		for j := range tokens {
			tokens[j] = join(b, p.base, p.code, fmt.Sprintf("learner %d", j+1))
		}
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: learners}}

		// Dashboards: read the stream and count its learner messages.
		ctx, cancel := context.WithCancel(context.Background())
		var streamed atomic.Int64
		var dash sync.WaitGroup
		for d := 0; d < dashboards; d++ {
			dash.Add(1)
			go func() {
				defer dash.Done()
				req, _ := http.NewRequestWithContext(ctx, "GET", p.base+"/api/stream?token="+p.token, nil)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				defer res.Body.Close()
				sc := bufio.NewScanner(res.Body)
				sc.Buffer(make([]byte, 1<<20), 1<<20)
				for sc.Scan() {
					if sc.Text() == "event: learner" {
						streamed.Add(1)
					}
				}
			}()
		}

		cpu0 := cpuTime(b, pid)
		var mu sync.Mutex
		var lat []time.Duration
		var sent, failed atomic.Int64
		start := time.Now()
		var wg sync.WaitGroup
		b.ResetTimer()
		for j, tok := range tokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Spread the learners over the second.
				time.Sleep(time.Duration(j) * time.Second / time.Duration(learners))
				tick := time.NewTicker(time.Second)
				defer tick.Stop()
				kinds := []Kind{StepStarted, CheckFailed, HintShown, CheckFailed, StepPassed}
				for n := 0; n < seconds; n++ {
					k := kinds[n%len(kinds)]
					e := ev(fmt.Sprintf("e%d", n), k, n/len(kinds)+1)
					if k == CheckFailed {
						e.Failed = []Failure{{Kind: "container", Diagnosis: "publishes 8888→80, the app listens on 5000"}}
					}
					var rep EventsReply
					t0 := time.Now()
					status := postBatch(client, p.base, tok, Batch{Events: []Event{e}}, &rep)
					d := time.Since(t0)
					if status != 200 || len(rep.Acked) != 1 {
						failed.Add(1)
					} else {
						sent.Add(1)
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					}
					<-tick.C
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		cpu := cpuTime(b, pid) - cpu0
		peak := peakRSS(b, pid)
		cancel()
		dash.Wait()

		var exp struct{ Events []ExportedEvent }
		getJSON(b, p.base+"/api/export.json", p.token, &exp)
		if failed.Load() > 0 || int64(len(exp.Events)) != sent.Load() {
			b.Fatalf("sent %d events (%d posts failed), stored %d: they must be equal", sent.Load(), failed.Load(), len(exp.Events))
		}
		sort.Slice(lat, func(x, y int) bool { return lat[x] < lat[y] })
		pct := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
		b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99-ms")
		b.ReportMetric(cpu.Seconds()/elapsed.Seconds()*100, "server-cpu-%")
		b.ReportMetric(float64(peak)/(1<<20), "server-peak-MB")
		b.ReportMetric(float64(sent.Load()), "events-sent")
		b.ReportMetric(float64(len(exp.Events)), "events-stored")
		b.Logf("%d learners × %d s, %d dashboards: %d events sent and stored; p50 %v, p99 %v; server CPU %v over %v; peak RSS %.1f MB; %d rows streamed",
			learners, seconds, dashboards, sent.Load(), pct(0.5), pct(0.99), cpu.Round(time.Millisecond), elapsed.Round(time.Second), float64(peak)/(1<<20), streamed.Load())
		p.kill()
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// cpuTime is the user and system CPU time of process pid so far.
func cpuTime(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Skipf("no /proc here: %v", err)
	}
	// The fields after the command name, which is in parentheses.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}

// peakRSS is the peak resident memory of process pid, in bytes.
func peakRSS(b *testing.B, pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skipf("no /proc here: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
