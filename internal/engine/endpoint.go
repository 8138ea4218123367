// Package engine finds the Docker engine the learner's own docker CLI talks
// to, and connects to it.
//
// The endpoint is resolved the way the docker CLI resolves it: the --host
// flag, then DOCKER_HOST, then DOCKER_CONTEXT, then the current context named
// in the CLI's config.json, whose endpoint and TLS material are read from the
// CLI's context store. Every Endpoint remembers where it came from, so that
// messages about the engine can say so.
package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DefaultHost is the engine's default socket on Linux and macOS.
const DefaultHost = "unix:///var/run/docker.sock"

// DefaultSource names where an endpoint comes from when nothing chose one.
const DefaultSource = "the default socket"

// Endpoint is the address of a Docker engine and what chose it.
type Endpoint struct {
	// Host is the engine's address, such as unix:///var/run/docker.sock,
	// tcp://10.0.0.5:2376 or ssh://me@build-box.
	Host string
	// Source says what chose Host, for messages: "--host", "DOCKER_HOST",
	// "context colima (DOCKER_CONTEXT)", "the default socket".
	Source string
	// Context is the name of the docker context the endpoint was read from;
	// empty when it did not come from a context.
	Context string
	// TLS is the TLS material to use; nil for a plain connection.
	TLS *TLS
}

// TLS is where the certificates for a TLS connection to the engine are.
// Each path is empty when that file is absent.
type TLS struct {
	CAFile, CertFile, KeyFile string
	// SkipVerify turns off the check of the engine's certificate.
	SkipVerify bool
}

// Options are the inputs of Resolve.
type Options struct {
	// Host is the value of the --host flag; empty when not given.
	Host string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
}

func (o Options) getenv(k string) string {
	if o.Getenv == nil {
		return os.Getenv(k)
	}
	return o.Getenv(k)
}

// ConfigDir is the docker CLI's configuration folder: $DOCKER_CONFIG, or
// .docker in the home folder.
func (o Options) ConfigDir() string {
	if d := o.getenv("DOCKER_CONFIG"); d != "" {
		return d
	}
	home := o.getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".docker")
}

// Resolve finds the engine endpoint the docker CLI would use.
func Resolve(o Options) (Endpoint, error) {
	if o.Host != "" {
		return hostEndpoint(o, o.Host, "--host")
	}
	if h := o.getenv("DOCKER_HOST"); h != "" {
		return hostEndpoint(o, h, "DOCKER_HOST")
	}
	if name := o.getenv("DOCKER_CONTEXT"); name != "" {
		return contextEndpoint(o, name, "DOCKER_CONTEXT",
			`set DOCKER_CONTEXT to one of the contexts "docker context ls" shows, or unset it to use the current context`)
	}
	cfgPath := filepath.Join(o.ConfigDir(), "config.json")
	current, err := currentContext(cfgPath)
	if err != nil {
		return Endpoint{}, err
	}
	if current != "" {
		return contextEndpoint(o, current, "currentContext in "+cfgPath,
			`run "docker context use default" to go back to the default engine, or "docker context ls" to see the contexts there are`)
	}
	return Endpoint{Host: DefaultHost, Source: DefaultSource}, nil
}

// hostEndpoint is an endpoint given as an address. As with the docker CLI,
// DOCKER_TLS_VERIFY turns TLS on, with certificates from DOCKER_CERT_PATH or
// the config folder.
func hostEndpoint(o Options, host, source string) (Endpoint, error) {
	h, err := normalizeHost(host)
	if err != nil {
		return Endpoint{}, fmt.Errorf("%s %q: %w", source, host, err)
	}
	ep := Endpoint{Host: h, Source: source}
	if o.getenv("DOCKER_TLS_VERIFY") != "" && !strings.HasPrefix(h, "unix://") && !strings.HasPrefix(h, "ssh://") {
		dir := o.getenv("DOCKER_CERT_PATH")
		if dir == "" {
			dir = o.ConfigDir()
		}
		ep.TLS = tlsFiles(dir)
		if ep.TLS == nil {
			ep.TLS = &TLS{} // verify the engine against the system's roots
		}
	}
	return ep, nil
}

// normalizeHost checks an engine address and completes a bare "host:port"
// to tcp://host:port, as the docker CLI does.
func normalizeHost(h string) (string, error) {
	h = strings.TrimSpace(h)
	if !strings.Contains(h, "://") {
		h = "tcp://" + h
	}
	scheme, rest, _ := strings.Cut(h, "://")
	switch scheme {
	case "unix", "npipe", "tcp", "http", "https", "ssh":
	default:
		return "", fmt.Errorf("unsupported scheme %s://; use unix://, tcp:// or ssh://", scheme)
	}
	if rest == "" {
		return "", errors.New("the address is empty after " + scheme + "://")
	}
	return h, nil
}

// currentContext reads currentContext from the CLI's config.json. A missing
// file means no current context.
func currentContext(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cannot read the docker CLI's configuration: %w", err)
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return "", fmt.Errorf("the docker CLI's configuration %s is not valid JSON (%v); fix or remove it", path, err)
	}
	return cfg.CurrentContext, nil
}

// contextDir is the folder name the CLI's context store gives a context: the
// SHA-256 of its name, in hex.
func contextDir(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

// contextEndpoint reads the docker endpoint of a context from the store.
// The context "default" is the engine of the default socket.
func contextEndpoint(o Options, name, chosenBy, advice string) (Endpoint, error) {
	source := fmt.Sprintf("context %s (%s)", name, chosenBy)
	if name == "default" {
		return Endpoint{Host: DefaultHost, Source: source, Context: name}, nil
	}
	store := filepath.Join(o.ConfigDir(), "contexts")
	metaPath := filepath.Join(store, "meta", contextDir(name), "meta.json")
	b, err := os.ReadFile(metaPath)
	if errors.Is(err, fs.ErrNotExist) {
		return Endpoint{}, fmt.Errorf("docker context %q (named by %s) does not exist: there is no %s; %s", name, chosenBy, metaPath, advice)
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("docker context %q (named by %s): %w", name, chosenBy, err)
	}
	var meta struct {
		Name      string                     `json:"Name"`
		Endpoints map[string]json.RawMessage `json:"Endpoints"`
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		return Endpoint{}, fmt.Errorf("docker context %q: %s is not valid JSON (%v); recreate the context with \"docker context create\"", name, metaPath, err)
	}
	raw, ok := meta.Endpoints["docker"]
	if !ok {
		return Endpoint{}, fmt.Errorf("docker context %q has no docker endpoint in %s; recreate it with \"docker context create %s --docker host=...\"", name, metaPath, name)
	}
	var dep struct {
		Host          string `json:"Host"`
		SkipTLSVerify bool   `json:"SkipTLSVerify"`
	}
	if err := json.Unmarshal(raw, &dep); err != nil {
		return Endpoint{}, fmt.Errorf("docker context %q: the docker endpoint in %s: %w", name, metaPath, err)
	}
	if dep.Host == "" {
		return Endpoint{Host: DefaultHost, Source: source, Context: name}, nil
	}
	h, err := normalizeHost(dep.Host)
	if err != nil {
		return Endpoint{}, fmt.Errorf("docker context %q: host %q in %s: %w", name, dep.Host, metaPath, err)
	}
	ep := Endpoint{Host: h, Source: source, Context: name}
	if t := tlsFiles(filepath.Join(store, "tls", contextDir(name), "docker")); t != nil || dep.SkipTLSVerify {
		if t == nil {
			t = &TLS{}
		}
		t.SkipVerify = dep.SkipTLSVerify
		ep.TLS = t
	}
	return ep, nil
}

// tlsFiles returns the ca.pem, cert.pem and key.pem found in dir, or nil
// when there are none.
func tlsFiles(dir string) *TLS {
	find := func(f string) string {
		p := filepath.Join(dir, f)
		if _, err := os.Stat(p); err != nil {
			return ""
		}
		return p
	}
	t := &TLS{CAFile: find("ca.pem"), CertFile: find("cert.pem"), KeyFile: find("key.pem")}
	if *t == (TLS{}) {
		return nil
	}
	return t
}
