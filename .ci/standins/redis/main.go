// Command redis-server is a stand-in for Redis (a test double: see
// ../README.md). It speaks enough of the Redis protocol (RESP) for the
// course: PING, ECHO, GET, SET, INCR, DEL, EXISTS and QUIT, on keys held in
// memory, and saves them to /data/dump.json on SHUTDOWN, SAVE and SIGTERM
// (docker stop), loading them when it starts, so that a volume at /data
// keeps the data as Redis's own dump file would.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

const dump = "/data/dump.json"

var (
	mu   sync.Mutex
	keys = map[string]string{}
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "--version" || os.Args[1] == "-v") {
		fmt.Println("Redis server v=7 (dockstep stand-in)")
		return
	}
	if b, err := os.ReadFile(dump); err == nil {
		json.Unmarshal(b, &keys)
		log.Printf("DB loaded from disk: %d keys", len(keys))
	}
	ln, err := net.Listen("tcp", ":6379")
	if err != nil {
		log.Fatal(err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		save()
		log.Print("Redis is now ready to exit, bye bye...")
		os.Exit(0)
	}()
	log.Print("Ready to accept connections tcp")
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(c)
	}
}

func save() {
	mu.Lock()
	defer mu.Unlock()
	b, _ := json.Marshal(keys)
	if err := os.WriteFile(dump, b, 0o644); err != nil {
		log.Printf("cannot save: %v", err)
		return
	}
	log.Print("DB saved on disk")
}

// readCommand reads one command: a RESP array of bulk strings, or an
// inline command (words on a line), as redis-cli and nc send them.
func readCommand(r *bufio.Reader) ([]string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimRight(line, "\r\n")
	if !strings.HasPrefix(line, "*") {
		return strings.Fields(line), nil
	}
	n, err := strconv.Atoi(line[1:])
	if err != nil {
		return nil, fmt.Errorf("bad array length %q", line)
	}
	args := make([]string, 0, n)
	for i := 0; i < n; i++ {
		head, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		size, err := strconv.Atoi(strings.TrimRight(head, "\r\n")[1:])
		if err != nil {
			return nil, fmt.Errorf("bad bulk length %q", head)
		}
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		args = append(args, string(buf[:size]))
	}
	return args, nil
}

func serve(c net.Conn) {
	defer c.Close()
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	for {
		args, err := readCommand(r)
		if err != nil {
			return
		}
		if len(args) == 0 {
			continue
		}
		quit := reply(w, args)
		w.Flush()
		if quit {
			return
		}
	}
}

func reply(w *bufio.Writer, args []string) (quit bool) {
	mu.Lock()
	defer mu.Unlock()
	bulk := func(s string, ok bool) {
		if !ok {
			w.WriteString("$-1\r\n")
			return
		}
		fmt.Fprintf(w, "$%d\r\n%s\r\n", len(s), s)
	}
	want := func(n int) bool {
		if len(args) != n {
			fmt.Fprintf(w, "-ERR wrong number of arguments for '%s' command\r\n", strings.ToLower(args[0]))
			return false
		}
		return true
	}
	switch strings.ToUpper(args[0]) {
	case "PING":
		w.WriteString("+PONG\r\n")
	case "ECHO":
		if want(2) {
			bulk(args[1], true)
		}
	case "GET":
		if want(2) {
			v, ok := keys[args[1]]
			bulk(v, ok)
		}
	case "SET":
		if len(args) >= 3 {
			keys[args[1]] = args[2]
			w.WriteString("+OK\r\n")
		} else {
			want(3)
		}
	case "INCR":
		if want(2) {
			n, err := strconv.ParseInt(keys[args[1]], 10, 64)
			if _, ok := keys[args[1]]; ok && err != nil {
				w.WriteString("-ERR value is not an integer or out of range\r\n")
				return false
			}
			n++
			keys[args[1]] = strconv.FormatInt(n, 10)
			fmt.Fprintf(w, ":%d\r\n", n)
		}
	case "DEL", "EXISTS":
		n := 0
		for _, k := range args[1:] {
			if _, ok := keys[k]; ok {
				n++
				if strings.ToUpper(args[0]) == "DEL" {
					delete(keys, k)
				}
			}
		}
		fmt.Fprintf(w, ":%d\r\n", n)
	case "SAVE":
		mu.Unlock()
		save()
		mu.Lock()
		w.WriteString("+OK\r\n")
	case "QUIT":
		w.WriteString("+OK\r\n")
		return true
	default:
		fmt.Fprintf(w, "-ERR unknown command '%s'\r\n", args[0])
	}
	return false
}
