// A static /ping target for the pinned bench (bench/pinned-target.ts): Go's net/http, stdlib
// only, run with GOMAXPROCS set to the cores it is pinned to, so on its own core it answers
// faster than any tool can ask. It counts its /ping responses itself, so the bench's req/s
// come from the server, not from the tool being measured.
//
//	GET /ping                   200 {"message":"pong"} (application/json)
//	GET /metrics?format=json    {"ping":{"responses":N}} (not counted)
//
// It prints "target listening on http://HOST:PORT" once it listens; SIGTERM stops it.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
)

var responses atomic.Int64

var pong = []byte(`{"message":"pong"}`)

var pongLength = []string{strconv.Itoa(len(pong))}

var jsonType = []string{"application/json"}

func ping(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = pongLength
	w.Write(pong)
	responses.Add(1)
}

func metrics(w http.ResponseWriter, _ *http.Request) {
	w.Header()["Content-Type"] = jsonType
	fmt.Fprintf(w, `{"ping":{"responses":%d}}`, responses.Load())
}

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 0, "port (0: a free one)")
	flag.Parse()
	ln, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-target:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ping", ping)
	mux.HandleFunc("/metrics", metrics)
	fmt.Printf("target listening on http://%s\n", ln.Addr())
	if err := (&http.Server{Handler: mux}).Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "go-target:", err)
		os.Exit(1)
	}
}
