package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"syscall"
	"time"
)

// result is what one request came to.
type result struct {
	status  int           // HTTP status, when a response arrived
	bytes   int64         // body bytes read
	err     error         // nil: a response, whatever its status
	elapsed time.Duration // from just before building the request
}

// report prints the result line, the last line on stderr, and returns the
// exit status: 0 on a response, 1 when the request failed.
func report(stderr io.Writer, res result) int {
	ms := float64(res.elapsed.Microseconds()) / 1000
	if res.err == nil {
		fmt.Fprintf(stderr, "result: ok status=%d bytes=%d elapsed_ms=%.1f\n", res.status, res.bytes, ms)
		return 0
	}
	fmt.Fprintf(stderr, "result: error=\"%s\" bytes=%d elapsed_ms=%.1f\n", errorText(res.err), res.bytes, ms)
	return 1
}

// errorText reduces a Go error to the core words the C clients print:
// without the `Get "http://...":` and `read tcp ...:` wrapping, only what
// went wrong.
func errorText(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "context deadline exceeded"
	case errors.Is(err, context.Canceled):
		return "context canceled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// io.EOF: the server closed before a response began, as /close does.
		return "unexpected EOF"
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		// A write to stdout that failed: "write /dev/stdout: no space left
		// on device", the words the C clients print too.
		return oneLine(pathErr.Error())
	}
	inner := err
	for next := errors.Unwrap(inner); next != nil; next = errors.Unwrap(inner) {
		inner = next
	}
	text := inner.Error()
	// A status line net/http cannot parse. Which words it uses depends on
	// the bytes: `malformed HTTP response "garbage"` for a line without a
	// space, `malformed HTTP status code "is"` for labserver's /garbage,
	// "this is not HTTP, ...". The C clients call all of them the first.
	// The transport may wrap the error with %v, not %w, in "net/http:
	// HTTP/1.x transport connection broken: ...": look inside the text.
	for _, words := range []string{"malformed HTTP response", "malformed HTTP status code", "malformed HTTP version"} {
		if strings.Contains(text, words) {
			return "malformed HTTP response"
		}
	}
	return oneLine(text)
}

// oneLine keeps the result line one line, and the quotes around the error
// text unambiguous.
func oneLine(text string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r < ' ' || r == 0x7f:
			return '?'
		}
		return r
	}, text)
}
