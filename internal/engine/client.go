package engine

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/docker/docker/client"
)

// NewClient connects a Docker client to the endpoint. The API version is
// always negotiated with the engine: DOCKER_API_VERSION is ignored, since a
// pinned version newer than the engine's makes every call fail.
func NewClient(ep Endpoint) (*client.Client, error) {
	tr := &http.Transport{MaxIdleConns: 6, IdleConnTimeout: 30 * time.Second}
	if ep.TLS != nil {
		cfg, err := ep.TLS.config()
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = cfg
	}
	opts := []client.Opt{
		client.WithHTTPClient(&http.Client{Transport: tr, CheckRedirect: client.CheckRedirect}),
		client.WithAPIVersionNegotiation(),
	}
	if strings.HasPrefix(ep.Host, "ssh://") {
		dial, err := sshDialer(ep.Host)
		if err != nil {
			return nil, err
		}
		// The host is never dialled: every connection is a new ssh process.
		opts = append(opts, client.WithHost("http://"+client.DummyHost), client.WithDialContext(dial))
	} else {
		opts = append(opts, client.WithHost(ep.Host))
	}
	return client.NewClientWithOpts(opts...)
}

// config builds the TLS configuration from the certificate files.
func (t *TLS) config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.SkipVerify}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the engine's CA certificate: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	switch {
	case t.CertFile != "" && t.KeyFile != "":
		pair, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading the client certificate %s: %w", t.CertFile, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	case t.CertFile != "" || t.KeyFile != "":
		return nil, errors.New("a client certificate needs both cert.pem and key.pem; one of them is missing beside " + t.CertFile + t.KeyFile)
	}
	return cfg, nil
}

// Client is the Docker client dockstep uses; commands hold it by this name,
// and pass it on to packages that declare the part of it they use.
type Client = client.Client
