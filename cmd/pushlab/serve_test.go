package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pushlab/pushlab/server"
)

// TestMain lets a test start this test binary as the pushlab command: with
// PUSHLAB_RUN_MAIN=1 it runs main's dispatch instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("PUSHLAB_RUN_MAIN") == "1" {
		os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// lockedBuffer collects a child's stderr while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe runs `pushlab serve args...` as a child process and returns it
// with the URL it printed.
func startServe(t *testing.T, args ...string) (*exec.Cmd, string, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), "PUSHLAB_RUN_MAIN=1")
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(l)
	}()
	select {
	case l := <-line:
		url, ok := strings.CutPrefix(l, "listening ")
		if !ok {
			t.Fatalf("first stdout line %q; stderr:\n%s", l, stderr)
		}
		return cmd, url, stderr
	case <-time.After(20 * time.Second):
		t.Fatalf("serve printed nothing; stderr:\n%s", stderr)
	}
	return nil, "", nil
}

func TestServeWarnsBeyondLoopbackAndStopsOnSIGTERM(t *testing.T) {
	cmd, url, stderr := startServe(t, "--addr", "0.0.0.0:0", "--rate", "5")
	// stderr reaches the buffer through a pipe and a copying goroutine, so
	// it may trail the stdout line a little.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(stderr.String(), "listening beyond this machine"); {
		if time.Now().After(deadline) {
			t.Fatalf("no warning for a non-loopback address; stderr:\n%s", stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	port := url[strings.LastIndex(url, ":"):]
	resp, err := http.Get("http://127.0.0.1" + port + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v after SIGTERM; stderr:\n%s", err, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("graceful shutdown took %v", d)
	}
}

func TestServeOnLoopbackDoesNotWarn(t *testing.T) {
	_, _, stderr := startServe(t, "--addr", "127.0.0.1:0")
	time.Sleep(100 * time.Millisecond)
	if strings.Contains(stderr.String(), "listening beyond") {
		t.Errorf("warned on loopback; stderr:\n%s", stderr)
	}
}

func TestServeBadFlagsExit2(t *testing.T) {
	for _, args := range [][]string{{"--rate", "-1"}, {"--payload", "-5"}, {"--addr", "127.0.0.1:99999"}, {"--no-such-flag"}, {"now"}} {
		var stdout, stderr bytes.Buffer
		if code := runServe(args, &stdout, &stderr); code != 2 {
			t.Errorf("serve %v: exit %d, want 2 (stderr %q)", args, code, stderr.String())
		}
		if strings.Contains(stderr.String(), "goroutine ") {
			t.Errorf("serve %v printed a stack trace", args)
		}
	}
}

// writeCert writes a certificate made in memory and its key as PEM files.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	cert, err := server.SelfSignedCert()
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := server.WriteCertFiles(cert, certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestServeTLSBadCertOrKeyExit2(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := writeCert(t, dir)
	otherCert, _ := writeCert(t, t.TempDir())
	unreadable := filepath.Join(dir, "unreadable.pem")
	os.WriteFile(unreadable, []byte("x"), 0o000)
	missing := filepath.Join(dir, "missing.pem")
	for _, args := range [][]string{
		{"--tls", "--cert", certFile, "--key", missing},
		{"--tls", "--cert", missing, "--key", keyFile},
		{"--tls", "--cert", certFile},
		{"--key", keyFile},
		{"--tls", "--cert", certFile, "--key", certFile},   // not a key
		{"--tls", "--cert", otherCert, "--key", keyFile},   // a key of another certificate
		{"--tls", "--cert", certFile, "--key", unreadable}, // unreadable, or not PEM to root
	} {
		var stdout, stderr bytes.Buffer
		code := runServe(append(args, "--addr", "127.0.0.1:0"), &stdout, &stderr)
		msg := strings.TrimSpace(stderr.String())
		if code != 2 || strings.Count(msg, "\n") > 0 || !strings.HasPrefix(msg, "pushlab serve: ") {
			t.Errorf("serve %v: exit %d, stderr %q; want exit 2 and one line", args, code, msg)
		}
		if stdout.Len() > 0 {
			t.Errorf("serve %v printed %q on stdout", args, stdout.String())
		}
	}
}

// --tls prints an https listening line, logs the certificate's SHA-256,
// and the certificate a client is shown has that fingerprint.
func TestServeTLSPrintsHTTPSAndFingerprint(t *testing.T) {
	for _, files := range []bool{false, true} {
		args := []string{"--tls", "--addr", "127.0.0.1:0"}
		if files {
			c, k := writeCert(t, t.TempDir())
			args = append(args, "--cert", c, "--key", k)
		}
		_, url, stderr := startServe(t, args...)
		addr, ok := strings.CutPrefix(url, "https://")
		if !ok {
			t.Fatalf("listening line %q, want https://", url)
		}
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}})
		if err != nil {
			t.Fatal(err)
		}
		state := conn.ConnectionState()
		conn.Close()
		if state.NegotiatedProtocol != "h2" {
			t.Errorf("ALPN %q, want h2", state.NegotiatedProtocol)
		}
		sum := sha256.Sum256(state.PeerCertificates[0].Raw)
		var pairs []string
		for _, b := range sum {
			pairs = append(pairs, strings.ToUpper(hex.EncodeToString([]byte{b})))
		}
		want := strings.Join(pairs, ":")
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(stderr.String(), "sha256="+want); {
			if time.Now().After(deadline) {
				t.Fatalf("log has no sha256=%s for the certificate served; stderr:\n%s", want, stderr)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// Extended CONNECT switched on through GODEBUG would have browsers try
// WebSockets over HTTP/2: serve --tls refuses to start.
func TestServeTLSRefusesExtendedConnect(t *testing.T) {
	cmd := exec.Command(os.Args[0], "serve", "--tls", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "PUSHLAB_RUN_MAIN=1", "GODEBUG=http2xconnect=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("serve --tls with GODEBUG=http2xconnect=1: %v, want exit 2; stderr %q", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "http2xconnect") {
		t.Errorf("stderr %q does not say why", stderr.String())
	}
}

// serve --tls --compress: a client that trusts the certificate it was
// given (--cert) gets h2 and gzip bodies.
func TestServeTLSCompress(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := writeCert(t, dir)
	_, url, _ := startServe(t, "--cert", certFile, "--key", keyFile, "--compress", "--addr", "127.0.0.1:0")
	cert, err := server.LoadCert(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	defer hc.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, url+"/api/state", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("%s, Content-Encoding %q; want HTTP/2 and gzip", resp.Proto, resp.Header.Get("Content-Encoding"))
	}
}
