package run

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/bench/profile"
	"github.com/pushlab/pushlab/server"
)

// clientSide is what every client of a run shares besides the scenario's
// figures: the headers they send, how they trust the server, and the
// certificate a TLS child serves.
type clientSide struct {
	options           client.Options // without Via, which each transport run sets
	certFile, keyFile string         // a TLS child's --cert and --key
	cleanup           func()         // removes a certificate made for the run
}

// setUpClientSide turns the scenario's client parameters and the run's
// certificate options into clientSide. A child under --tls serves
// Options.CertFile/KeyFile, or a certificate made for the run and written
// to a temporary directory; either is the one root the clients trust. An
// https:// target is trusted by Options.CAFile, else the system's roots.
// Files that cannot be read are *bench.InputError.
func setUpClientSide(sc bench.Scenario, o Options) (clientSide, error) {
	cs := clientSide{cleanup: func() {}}
	cs.options.CookieBytes = int(sc.CookieBytes)
	cs.options.HTTP1 = sc.HTTP1
	cs.options.Compress = sc.Compress
	if sc.ClientProfile() == bench.ProfileBrowser {
		cs.options.Profile = profile.Chromium()
	}
	https := sc.Target != "" && sc.TLS
	switch {
	case o.CAFile != "" && !https:
		return cs, bench.InputErrorf("ca: trusts an https:// --target's certificate; this run has none")
	case (o.CertFile != "" || o.KeyFile != "") && (sc.Target != "" || !sc.TLS):
		return cs, bench.InputErrorf("cert, key: the certificate a --tls child serves; not for a --target")
	case https:
		cs.options.TLS = &tls.Config{}
		if o.CAFile != "" {
			pool, err := readCA(o.CAFile)
			if err != nil {
				return cs, err
			}
			cs.options.TLS.RootCAs = pool
		}
		return cs, nil
	case !sc.TLS:
		return cs, nil
	}

	var cert tls.Certificate
	if o.CertFile != "" || o.KeyFile != "" {
		if o.CertFile == "" || o.KeyFile == "" {
			return cs, bench.InputErrorf("cert, key: give both, or neither for a certificate made for the run")
		}
		c, err := server.LoadCert(o.CertFile, o.KeyFile)
		if err != nil {
			return cs, bench.InputErrorf("%v", err)
		}
		cert, cs.certFile, cs.keyFile = c, o.CertFile, o.KeyFile
	} else {
		c, err := server.SelfSignedCert()
		if err != nil {
			return cs, err
		}
		dir, err := os.MkdirTemp("", "pushlab-bench-tls-")
		if err != nil {
			return cs, err
		}
		cs.cleanup = func() { os.RemoveAll(dir) }
		cs.certFile, cs.keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
		if err := server.WriteCertFiles(c, cs.certFile, cs.keyFile); err != nil {
			cs.cleanup()
			return cs, err
		}
		cert = c
	}
	if cert.Leaf == nil {
		return cs, bench.InputErrorf("cert %s: no certificate in it", o.CertFile)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	cs.options.TLS = &tls.Config{RootCAs: pool}
	return cs, nil
}

// readCA reads the PEM certificates an https:// target is trusted by.
func readCA(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, bench.InputErrorf("ca %s: no such file", path)
	}
	if err != nil {
		return nil, bench.InputErrorf("ca: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, bench.InputErrorf("ca %s: no PEM certificate in it", path)
	}
	return pool, nil
}

// profileNote is the browser a browser profile came from, for results.json.
func profileNote(sc bench.Scenario) string {
	if sc.ClientProfile() != bench.ProfileBrowser {
		return ""
	}
	p := profile.Chromium()
	return p.Product + " (recorded " + p.Recorded + ")"
}
