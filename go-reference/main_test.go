package main

import (
	"bytes"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	okLine    = regexp.MustCompile(`^result: ok status=(\d{3}) bytes=(\d+) elapsed_ms=(\d+\.\d)$`)
	errorLine = regexp.MustCompile(`^result: error="([^"]*)" bytes=(\d+) elapsed_ms=(\d+\.\d)$`)
)

// outcome is one run of the program, its result line taken apart.
type outcome struct {
	code      int
	stdout    string
	stderr    string
	ok        bool
	status    int
	errText   string
	bytes     int64
	elapsedMs float64
}

// runClient runs the program in process, failing the test if it takes
// more than five seconds.
func runClient(t *testing.T, args ...string) outcome {
	t.Helper()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(args, &stdout, &stderr) }()
	var out outcome
	select {
	case out.code = <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("go-client %q: still running after 5 s", args)
	}
	out.stdout, out.stderr = stdout.String(), stderr.String()
	return out
}

// runResult runs the program and parses its last stderr line, which must be
// a result line.
func runResult(t *testing.T, args ...string) outcome {
	t.Helper()
	out := runClient(t, args...)
	lines := strings.Split(strings.TrimSuffix(out.stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	var m []string
	if m = okLine.FindStringSubmatch(last); m != nil {
		out.ok = true
		out.status, _ = strconv.Atoi(m[1])
		m = m[1:]
	} else if m = errorLine.FindStringSubmatch(last); m != nil {
		out.errText = m[1]
		m = m[1:]
	} else {
		t.Fatalf("go-client %q: last stderr line %q is no result line", args, last)
	}
	out.bytes, _ = strconv.ParseInt(m[1], 10, 64)
	out.elapsedMs, _ = strconv.ParseFloat(m[2], 64)
	if out.ok && out.code != 0 || !out.ok && out.code != 1 {
		t.Fatalf("go-client %q: exit %d with %q", args, out.code, last)
	}
	return out
}

func wantError(t *testing.T, out outcome, text string) {
	t.Helper()
	if out.ok || out.errText != text {
		t.Fatalf("got %q, want error=%q", out.stderr, text)
	}
}

// serve starts a test server for one handler, closed when the test ends.
func serve(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

const helloN = 1000000 // "hello world" times this: 11,000,000 bytes, as labserver's /hello

func hello(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", strconv.Itoa(11*helloN))
	chunk := []byte(strings.Repeat("hello world", 1000))
	for i := 0; i < helloN/1000; i++ {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// stall answers nothing until the client goes away (or 5 s pass).
func stall(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

// hijack takes the connection from net/http and hands it to f.
func hijack(f func(net.Conn)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		f(conn)
	}
}

func TestDeadlineOnStall(t *testing.T) {
	out := runResult(t, "-q", "-t", "200", serve(t, stall)+"/stall")
	wantError(t, out, "context deadline exceeded")
	if out.bytes != 0 || out.elapsedMs < 200 || out.elapsedMs > 1000 {
		t.Fatalf("want bytes=0 and 200 <= elapsed_ms <= 1000, got %q", out.stderr)
	}
}

func TestDeadlineInBody(t *testing.T) {
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1100")
		w.Write(bytes.Repeat([]byte("x"), 110))
		w.(http.Flusher).Flush()
		stall(w, r)
	})
	out := runResult(t, "-t", "200", url)
	wantError(t, out, "context deadline exceeded")
	if out.bytes != 110 || out.stdout != strings.Repeat("x", 110) {
		t.Fatalf("want the 110 bytes sent, got stdout %d bytes, %q", len(out.stdout), out.stderr)
	}
}

// endless streams "hello world" until the client goes away, so a cancel
// always lands mid-body however late its timer fires on a busy machine.
func endless(w http.ResponseWriter, r *http.Request) {
	chunk := []byte(strings.Repeat("hello world", 1000))
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

func TestCancelDuringBody(t *testing.T) {
	out := runResult(t, "-c", "1", "-r", "128", "-q", serve(t, endless)+"/hello")
	wantError(t, out, "context canceled")
	if out.bytes <= 0 {
		t.Fatalf("want the bytes read before the cancel, got %q", out.stderr)
	}
	if out.stdout != "" {
		t.Fatalf("-q printed %d bytes", len(out.stdout))
	}
}

func TestWholeBody(t *testing.T) {
	out := runResult(t, serve(t, hello)+"/hello")
	if !out.ok || out.status != 200 || out.bytes != 11*helloN {
		t.Fatalf("want ok status=200 bytes=11000000, got %q", out.stderr)
	}
	if len(out.stdout) != 11*helloN || !strings.HasPrefix(out.stdout, "hello worldhello") {
		t.Fatalf("stdout: %d bytes, want the body", len(out.stdout))
	}
}

func TestNotFoundIsAResponse(t *testing.T) {
	out := runResult(t, "-q", serve(t, http.NotFound)+"/nope")
	if !out.ok || out.status != 404 || out.bytes != int64(len("404 page not found\n")) {
		t.Fatalf("want ok status=404, got %q", out.stderr)
	}
}

func TestLocalhostKeepsHostHeader(t *testing.T) {
	var host string
	url := serve(t, func(w http.ResponseWriter, r *http.Request) { host = r.Host })
	url = strings.Replace(url, "127.0.0.1", "localhost", 1)
	out := runResult(t, url+"/ok")
	if !out.ok || host != strings.TrimPrefix(url, "http://") {
		t.Fatalf("Host %q for %s, result %q", host, url, out.stderr)
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	wantError(t, runResult(t, "http://"+addr+"/"), "connection refused")
}

func TestCloseWithoutAnswer(t *testing.T) {
	url := serve(t, hijack(func(net.Conn) {}))
	wantError(t, runResult(t, url+"/close"), "unexpected EOF")
}

func TestBodyCutShort(t *testing.T) {
	url := serve(t, hijack(func(c net.Conn) {
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"))
	}))
	out := runResult(t, "-q", url)
	wantError(t, out, "unexpected EOF")
	if out.bytes != int64(len("only this")) {
		t.Fatalf("want the 9 bytes sent, got %q", out.stderr)
	}
}

func TestGarbage(t *testing.T) {
	for _, garbage := range []string{"garbage\r\n\r\n", "this is not HTTP, just bytes\r\n\r\n"} {
		url := serve(t, hijack(func(c net.Conn) { c.Write([]byte(garbage)) }))
		wantError(t, runResult(t, url), "malformed HTTP response")
	}
}

func TestReset(t *testing.T) {
	url := serve(t, hijack(func(c net.Conn) {
		c.(*net.TCPConn).SetLinger(0) // close sends RST
	}))
	wantError(t, runResult(t, url+"/reset"), "connection reset by peer")
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // in the one line
	}{
		{[]string{"-t", "abc", "http://127.0.0.1:1/"}, "go-client: -t 'abc': want a whole number from 1 to 86400000 (go-client -h for usage)"},
		{[]string{"-c", "-5", "http://127.0.0.1:1/"}, "-c '-5': want a whole number"},
		{[]string{"-r", "0", "http://127.0.0.1:1/"}, "-r '0': want a whole number from 1 to 16777216"},
		{[]string{"-t"}, "-t needs a value"},
		{[]string{"-x", "http://127.0.0.1:1/"}, "unknown flag -x"},
		{[]string{"http://example.com/"}, "host 'example.com' is not an IP literal; this lab does no DNS"},
		{[]string{"https://127.0.0.1/"}, "https is not supported"},
		{[]string{"http://127.0.0.1:0/"}, "port '0' is not a number in 1..65535"},
		{[]string{"http://[::1/"}, "URL 'http://[::1/'"},
		{[]string{"http://[127.0.0.1]/"}, "is not an IPv6 address"},
		{[]string{}, "go-client: no URL given; want http://127.0.0.1:PORT/PATH (go-client -h for usage)"},
		{[]string{"-q", "http://127.0.0.1:1/a", "http://127.0.0.1:1/b"}, "unexpected argument 'http://127.0.0.1:1/b' after the URL"},
		{[]string{"http://127.0.0.1:1/", "-q"}, "unexpected argument '-q' after the URL"},
	} {
		out := runClient(t, tc.args...)
		if out.code != 2 || strings.Count(out.stderr, "\n") != 1 || !strings.HasSuffix(out.stderr, "\n") ||
			!strings.Contains(out.stderr, tc.want) || out.stdout != "" {
			t.Errorf("go-client %q: exit %d, stderr %q; want exit 2 and one line with %q",
				tc.args, out.code, out.stderr, tc.want)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, flag := range []string{"-h", "-help", "--help"} {
		out := runClient(t, flag)
		if out.code != 0 || out.stderr != "" || !strings.HasPrefix(out.stdout, "usage: go-client [-t MS] [-c MS]") {
			t.Errorf("go-client %s: exit %d, stdout %q, stderr %q", flag, out.code, out.stdout, out.stderr)
		}
	}
}

// failingWriter fails every write as os.Stdout does on a closed pipe
// (EPIPE) or /dev/full (ENOSPC), counting the tries.
type failingWriter struct {
	errno syscall.Errno
	tries int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	w.tries++
	return 0, &fs.PathError{Op: "write", Path: "/dev/stdout", Err: w.errno}
}

func runFailing(t *testing.T, errno syscall.Errno, url string) (int, string, int) {
	t.Helper()
	w := &failingWriter{errno: errno}
	var stderr bytes.Buffer
	code := run([]string{url}, w, &stderr)
	return code, stderr.String(), w.tries
}

func TestStdoutGoneIsNoFailure(t *testing.T) {
	code, stderr, tries := runFailing(t, syscall.EPIPE, serve(t, hello)+"/hello")
	if code != 0 || !strings.HasPrefix(stderr, "result: ok status=200 bytes=11000000 ") {
		t.Fatalf("exit %d, %q: want the whole body counted, exit 0", code, stderr)
	}
	if tries != 1 {
		t.Fatalf("%d writes after EPIPE, want none", tries-1)
	}
}

func TestStdoutFullIsAFailure(t *testing.T) {
	for _, path := range []string{"/hello", "/ok"} {
		code, stderr, _ := runFailing(t, syscall.ENOSPC, serve(t, hello)+path)
		if code != 1 || !strings.HasPrefix(stderr, `result: error="write /dev/stdout: no space left on device" bytes=`) {
			t.Fatalf("%s: exit %d, %q: want the write error, exit 1", path, code, stderr)
		}
	}
}

func TestRedirectIsTheResponse(t *testing.T) {
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	if out := runResult(t, "-q", url+"/here"); !out.ok || out.status != 302 {
		t.Fatalf("want ok status=302, got %q", out.stderr)
	}
}

func TestNoCompressionAsked(t *testing.T) {
	var header http.Header
	url := serve(t, func(w http.ResponseWriter, r *http.Request) { header = r.Header })
	out := runResult(t, url+"/ok")
	if !out.ok || header.Get("Accept-Encoding") != "" {
		t.Fatalf("Accept-Encoding %q, result %q", header.Get("Accept-Encoding"), out.stderr)
	}
}
