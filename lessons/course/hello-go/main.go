// Hello is a tiny web server: the app of dockstep's multi-stage lesson.
// Compiled, it is one file that needs nothing else to run.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		host, _ := os.Hostname()
		fmt.Fprintf(w, "Hello from a small image! (container %s)\n", host)
	})
	log.Println("listening on port 8080")
	log.Fatal(http.ListenAndServe(":8080", nil))
}
