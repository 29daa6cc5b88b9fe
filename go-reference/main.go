// go-client: the Go program ctxlab puts under the microscope.
//
// It fetches a URL the ordinary way: a request built with a context
// (context.WithTimeout for -t, context.WithCancel for -c), sent by an
// http.Client that is the default one but for following redirects and
// asking for gzip (see client, below), its body read by a loop of
// resp.Body.Read. The C
// clients in clients/ rebuild, one idea at a time, what Go does below this
// code; run both under strace and compare.
//
// What the trace shows (Go 1.19, GODEBUG=asyncpreemptoff=1, strace -f) for
// go-client -q -t 200 http://127.0.0.1:PORT/stall, fds as seen here:
//
//	epoll_create1(EPOLL_CLOEXEC) = 3                    the runtime's one poller
//	pipe2([4, 5], O_NONBLOCK|O_CLOEXEC) = 0             to wake the poller from other threads
//	epoll_ctl(3, EPOLL_CTL_ADD, 4, {events=EPOLLIN, ...}) = 0
//	socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 6
//	connect(6, {... 127.0.0.1 ...}, 16) = -1 EINPROGRESS
//	epoll_ctl(3, EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, ...}) = 0
//	epoll_pwait(3, [{events=EPOLLOUT, ...}], 128, 199, NULL, 0) = 1   connected
//	getsockopt(6, SOL_SOCKET, SO_ERROR, [0], [4]) = 0   did connect work?
//	getpeername(6, ...) = 0, getsockname(6, ...) = 0
//	setsockopt(6, SOL_TCP, TCP_NODELAY, [1], 4) = 0
//	setsockopt(6, SOL_SOCKET, SO_KEEPALIVE, [1], 4) = 0, then TCP_KEEPINTVL and TCP_KEEPIDLE [30]
//	read(6, ..., 4096) = -1 EAGAIN                      the reading goroutine: no answer yet
//	write(6, "GET /stall HTTP/1.1\r\nHost: 127.0"..., 78) = 78
//	epoll_pwait(3, [], 128, 198, NULL, 0) = 0           198 ms later: nothing came, the timer is due
//	epoll_ctl(3, EPOLL_CTL_DEL, 6, ...) = 0
//	close(6) = 0
//
// The deadline never appears as a syscall of its own: it is a runtime
// timer, and the scheduler's poller wait is cut to the time left before the
// next timer (`runtime/proc.go findRunnable` computes it,
// `runtime/netpoll_epoll.go netpoll` waits), so that wait returns 0 when
// the deadline is due. The timer
// cancels the context (`context/context.go WithDeadline`); the goroutine
// waiting in `net/http/transport.go (*persistConn).roundTrip` sees it and
// closes the connection (`net/http/transport.go (*persistConn).closeLocked`),
// which wakes the blocked read; the fd is closed, after EPOLL_CTL_DEL, by
// whichever goroutine drops the last reference to it
// (`internal/poll/fd_unix.go (*FD).destroy`), usually readLoop's. Several
// threads run all this, and goroutines move between them: lab 5 names the
// thread that closed the socket in each run, lab 6 the goroutine.
//
// With -c 1 -r 128 against /hello, the reads are read(6, ..., 4096): a
// 128-byte Body.Read is served from the 4 KiB bufio.Reader that
// `net/http/transport.go (*Transport).dialConn` puts on the connection.
// cancelLater (below) waits 1 ms on a timer, then calls cancel(); readLoop,
// which waits on the request's context while the body is read
// (`net/http/transport.go (*persistConn).readLoop`), cancels the request,
// and the close comes from whoever holds the last reference (lab 7).
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	// A reader that goes away (go-client URL | head -c 10) must not kill
	// the program before its result line: with SIGPIPE ignored, a write to
	// a closed stdout returns EPIPE instead of raising the signal
	// (`os/file_unix.go epipecheck`), as in the C clients.
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// client is http.DefaultClient less two things the lab has no use for:
// a 3xx is the response, not an order to fetch another URL (the default
// follows up to 10, `net/http/client.go (*Client).checkRedirect`), and the
// request asks for the body as it is, without the `Accept-Encoding: gzip`
// the transport adds and then undoes
// (`net/http/transport.go (*persistConn).roundTrip`), so the bytes read are
// the bytes sent, and the request is the C clients' but for User-Agent.
var client = &http.Client{
	Transport: transport,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

var transport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = true
	return t
}()

// run is the whole program: parse the command line, fetch the URL, print
// the result line. It returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, usageText)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "go-client: %v (go-client -h for usage)\n", err)
		return 2
	}
	return report(stderr, fetch(opts, stdout))
}

// fetch is the ordinary Go code the lab traces: a request with a context,
// the default client, and a loop of Body.Read.
func fetch(opts *options, stdout io.Writer) (res result) {
	start := time.Now()
	defer func() { res.elapsed = time.Since(start) }()

	ctx := context.Background()
	if opts.deadline > 0 {
		var cancelTimeout context.CancelFunc
		ctx, cancelTimeout = context.WithTimeout(ctx, opts.deadline)
		defer cancelTimeout()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, opts.url, nil)
	if err != nil {
		res.err = err
		return res
	}
	if opts.dialHost != "" {
		// localhost: dial 127.0.0.1 without asking a resolver; the Host
		// header still says localhost.
		req.URL.Host = opts.dialHost
	}

	resp, err := client.Do(req)
	if err != nil {
		res.err = err
		return res
	}
	defer resp.Body.Close()
	res.status = resp.StatusCode

	out := &bodyWriter{w: bufio.NewWriter(stdout), quiet: opts.quiet}
	defer func() {
		if err := out.flush(); err != nil && res.err == nil {
			res.err = err
		}
	}()
	buf := make([]byte, opts.readSize)
	for {
		n, err := resp.Body.Read(buf[:opts.readSize])
		if n > 0 {
			if res.bytes == 0 && opts.cancelAfter > 0 {
				go cancelLater(ctx, cancel, opts.cancelAfter)
			}
			res.bytes += int64(n)
			if werr := out.write(buf[:n]); werr != nil {
				res.err = werr
				return res
			}
		}
		if err == io.EOF {
			return res // the whole body
		}
		if err != nil {
			res.err = err
			return res
		}
	}
}

// bodyWriter takes the body to stdout. A reader that has gone away
// (EPIPE) is not the request's failure: the body is still read and counted,
// just no longer written. Any other write error (ENOSPC on /dev/full) is:
// a body that could not be delivered is not a fetched body.
type bodyWriter struct {
	w     *bufio.Writer
	quiet bool // -q, or the reader has gone away
}

func (b *bodyWriter) write(p []byte) error {
	if b.quiet {
		return nil
	}
	_, err := b.w.Write(p)
	return b.check(err)
}

func (b *bodyWriter) flush() error {
	if b.quiet {
		return nil
	}
	return b.check(b.w.Flush())
}

func (b *bodyWriter) check(err error) error {
	if errors.Is(err, syscall.EPIPE) {
		b.quiet = true
		return nil
	}
	return err
}

// cancelLater cancels the request after d, unless it is over by then.
func cancelLater(ctx context.Context, cancel context.CancelFunc, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		cancel()
	case <-ctx.Done():
	}
}
