// go-client: the Go program ctxlab puts under the microscope.
//
// It fetches a URL the ordinary way: a request built with a context
// (context.WithTimeout for -t, context.WithCancel for -c), sent by
// http.DefaultClient, its body read by a loop of resp.Body.Read. The C
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
//	write(6, "GET /stall HTTP/1.1\r\nHost: 127.0"..., 101) = 101
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
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

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

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		res.err = err
		return res
	}
	defer resp.Body.Close()
	res.status = resp.StatusCode

	out := bufio.NewWriter(stdout)
	defer out.Flush() // a closed stdout is not the request's failure
	buf := make([]byte, opts.readSize)
	for {
		n, err := resp.Body.Read(buf[:opts.readSize])
		if n > 0 {
			if res.bytes == 0 && opts.cancelAfter > 0 {
				go cancelLater(ctx, cancel, opts.cancelAfter)
			}
			res.bytes += int64(n)
			if !opts.quiet {
				out.Write(buf[:n])
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
