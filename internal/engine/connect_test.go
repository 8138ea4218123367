package engine

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestConnectPingsOnce: Connect's ping settles the API version, so the
// first request after it goes straight to the engine, in the version the
// engine speaks, without a second ping.
func TestConnectPingsOnce(t *testing.T) {
	var pings atomic.Int32
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		if r.URL.Path == "/_ping" {
			pings.Add(1)
			w.Write([]byte("OK"))
			return
		}
		got = r.URL.Path
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"Id":"sha256:0"}`))
	}))
	defer srv.Close()
	c, _, err := Connect(context.Background(), Options{Host: "tcp://" + srv.Listener.Addr().String(), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ImageInspect(context.Background(), "busybox"); err != nil {
		t.Fatal(err)
	}
	if n := pings.Load(); n != 1 {
		t.Errorf("the engine was pinged %d times for Connect and one request, want 1", n)
	}
	if want := "/v1.41/images/busybox/json"; got != want {
		t.Errorf("the request went to %s, want %s (the engine's API version)", got, want)
	}
}

// TestFactory: the factories give the client as the interface asked for,
// and a nil interface with Connect's and Dial's errors.
func TestFactory(t *testing.T) {
	type closer interface{ Close() error }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		w.Write([]byte("OK"))
	}))
	defer srv.Close()
	noEnv := func(string) string { return "" }
	c, ep, err := Factory[closer](Options{Host: "tcp://" + srv.Listener.Addr().String(), Getenv: noEnv})(context.Background())
	if err != nil || c == nil || ep.Host == "" {
		t.Fatalf("Factory: got %v, %v, %v", c, ep, err)
	}
	c.Close()
	srv.Close()
	c, _, err = Factory[closer](Options{Host: "tcp://" + srv.Listener.Addr().String(), Getenv: noEnv})(context.Background())
	var unreachable *UnreachableError
	if c != nil || !errors.As(err, &unreachable) {
		t.Errorf("Factory with no engine: got %v, %v; want nil and an *UnreachableError", c, err)
	}
	d, _, err := Dialer[closer](Options{Host: "bad://host", Getenv: noEnv})()
	if d != nil || !errors.As(err, &unreachable) {
		t.Errorf("Dialer with a bad host: got %v, %v; want nil and an *UnreachableError", d, err)
	}
}
