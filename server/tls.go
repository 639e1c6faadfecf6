package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"strings"
	"time"
)

// certLifetime is how long a certificate made at start stays valid; a lab
// server is not meant to run for longer.
const certLifetime = 30 * 24 * time.Hour

// SelfSignedCert makes a certificate in memory for a lab on this machine:
// ECDSA P-256, valid for 127.0.0.1, ::1 and localhost. It is its own
// issuer, so a client trusts it by adding Leaf to its root pool.
func SelfSignedCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"pushlab"}, CommonName: "pushlab lab server"},
		NotBefore:             now.Add(-time.Hour), // a client's clock may lag a little
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// LoadCert reads a PEM certificate (chain) and its PEM key, naming the file
// that could not be read or parsed.
func LoadCert(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tls certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tls key: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("cert %s / key %s: %w", certFile, keyFile, err)
	}
	return cert, nil
}

// WriteCertFiles writes cert (its chain) and its private key as PEM files
// that --cert and --key read back: how a parent process that starts a lab
// with a certificate it made knows what to trust. The key file is 0600.
func WriteCertFiles(cert tls.Certificate, certFile, keyFile string) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return err
	}
	var chain []byte
	for _, der := range cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	if err := os.WriteFile(certFile, chain, 0o644); err != nil {
		return err
	}
	return os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
}

// TLSConfig is the server side of TLS for cert. net/http adds h2 and
// http/1.1 to its ALPN list when it serves.
func TLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

// Fingerprints are what a user checks a certificate by: SHA-256 of the
// certificate (as browsers and openssl show it, colon hex) and SHA-256 of
// its public key in base64 (what Chromium's
// --ignore-certificate-errors-spki-list takes).
func Fingerprints(cert tls.Certificate) (certSHA256, spkiSHA256 string, err error) {
	leaf := cert.Leaf
	if leaf == nil {
		if len(cert.Certificate) == 0 {
			return "", "", errors.New("no certificate")
		}
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return "", "", err
		}
	}
	sum := sha256.Sum256(leaf.Raw)
	hex := make([]string, len(sum))
	for i, b := range sum {
		hex[i] = fmt.Sprintf("%02X", b)
	}
	spki := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	return strings.Join(hex, ":"), base64.StdEncoding.EncodeToString(spki[:]), nil
}

// extendedConnectOn reports whether this process's HTTP/2 server would
// advertise SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441). Go 1.26 leaves it
// off unless GODEBUG has http2xconnect=1, read once at start; net/http
// checks the variable the same way. A browser told so would try WebSocket
// over HTTP/2 on the connection it already has, and gorilla speaks
// WebSocket over HTTP/1.1 only.
func extendedConnectOn() bool {
	return strings.Contains(os.Getenv("GODEBUG"), "http2xconnect=1")
}
