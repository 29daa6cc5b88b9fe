package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	readSizeDefault = 128              // as in the seed article's 128-byte Body.Read
	readSizeMax     = 16 * 1024 * 1024 // the C clients' limit
	timeMsMax       = 24 * 3600 * 1000 // one day, in milliseconds
)

// options is the parsed command line.
type options struct {
	deadline    time.Duration // -t: for the whole request; 0 = none
	cancelAfter time.Duration // -c: cancel this long after the first body byte; 0 = never
	readSize    int           // -r: bytes asked per Body.Read
	quiet       bool          // -q: do not print the body
	url         string        // as given
	dialHost    string        // for localhost: "127.0.0.1[:PORT]", the address to dial
}

const usageText = `usage: go-client [-t MS] [-c MS] [-r BYTES] [-q] URL
  -t MS      deadline for the whole request: context.WithTimeout
  -c MS      cancel MS after the first body byte: context.WithCancel, then cancel()
  -r BYTES   bytes asked per Body.Read (default 128)
  -q         do not print the body
URL: http://HOST[:PORT]/PATH, HOST an IP literal or localhost
The last line on stderr is ` + "`result: ok ...` or `result: error=\"...\" ...`" + `;
exit status 0 on a response, 1 when the request failed, 2 on a usage error.
`

// usageError is a bad command line, told in one line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func badUsage(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// errHelp asks for the usage text on stdout.
var errHelp = errors.New("help requested")

// numberValue is a flag taking a whole number of milliseconds (bytes for -r),
// checked as the C clients check it.
type numberValue struct {
	name  string
	max   int64
	value *int64
	bad   *error // where Set leaves our own wording of a bad value
}

func (v numberValue) String() string {
	if v.value == nil {
		return ""
	}
	return strconv.FormatInt(*v.value, 10)
}

func (v numberValue) Set(text string) error {
	n, err := strconv.ParseInt(text, 10, 64)
	if text == "" || text[0] < '0' || text[0] > '9' || err != nil || n < 1 || n > v.max {
		*v.bad = badUsage("-%s '%s': want a whole number from 1 to %d", v.name, clip(text, 40), v.max)
		return *v.bad
	}
	*v.value = n
	return nil
}

// parseArgs reads the command line with the flag package, which stops at
// the first argument that is not a flag: flags come before the URL.
func parseArgs(args []string) (*options, error) {
	var deadlineMs, cancelMs int64
	readSize := int64(readSizeDefault)
	var bad error
	opts := &options{}

	fs := flag.NewFlagSet("go-client", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // one line of our own, not the flag package's usage
	fs.Var(numberValue{"t", timeMsMax, &deadlineMs, &bad}, "t", "")
	fs.Var(numberValue{"c", timeMsMax, &cancelMs, &bad}, "c", "")
	fs.Var(numberValue{"r", readSizeMax, &readSize, &bad}, "r", "")
	fs.BoolVar(&opts.quiet, "q", false, "")
	if err := fs.Parse(args); err != nil {
		switch {
		case errors.Is(err, flag.ErrHelp):
			return nil, errHelp
		case bad != nil:
			return nil, bad
		}
		return nil, flagError(err)
	}
	switch fs.NArg() {
	case 0:
		return nil, badUsage("no URL given; want http://127.0.0.1:PORT/PATH")
	case 1:
	default:
		return nil, badUsage("unexpected argument '%s' after the URL", clip(fs.Arg(1), 40))
	}
	opts.deadline = time.Duration(deadlineMs) * time.Millisecond
	opts.cancelAfter = time.Duration(cancelMs) * time.Millisecond
	opts.readSize = int(readSize)
	opts.url = fs.Arg(0)
	dialHost, err := checkURL(opts.url)
	if err != nil {
		return nil, err
	}
	opts.dialHost = dialHost
	return opts, nil
}

// flagError words the flag package's own complaints as the C clients do.
func flagError(err error) error {
	msg := err.Error()
	if name := strings.TrimPrefix(msg, "flag provided but not defined: "); name != msg {
		return badUsage("unknown flag %s", clip(name, 40))
	}
	if name := strings.TrimPrefix(msg, "flag needs an argument: "); name != msg {
		return badUsage("%s needs a value", clip(name, 40))
	}
	return badUsage("%s", msg)
}

// checkURL applies the lab's URL rule: http:// only, and a host that needs
// no resolver: an IPv4 literal, a bracketed IPv6 literal, or localhost.
// For localhost it returns the address to dial instead, 127.0.0.1, so Go
// never opens /etc/hosts or nsswitch.conf.
func checkURL(raw string) (dialHost string, err error) {
	quoted := clip(raw, 100)
	if raw == "" {
		return "", badUsage("empty URL: want http://HOST[:PORT]/PATH")
	}
	lower := strings.ToLower(raw)
	if !strings.HasPrefix(lower, "http://") {
		if strings.HasPrefix(lower, "https://") {
			return "", badUsage("URL '%s': https is not supported, the lab speaks plain http://", quoted)
		}
		return "", badUsage("URL '%s' does not start with http://", quoted)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return "", badUsage("URL '%s': %v", quoted, err)
	}
	if u.User != nil {
		return "", badUsage("URL '%s': user info (user@host) is not supported", quoted)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return "", badUsage("URL '%s' has no host", quoted)
	}
	if strings.HasSuffix(u.Host, ":") || port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", badUsage("URL '%s': port '%s' is not a number in 1..65535", quoted, port)
		}
	}
	if !strings.HasPrefix(u.Host, "[") && strings.Count(u.Host, ":") > 1 {
		return "", badUsage("URL '%s': an IPv6 literal goes in brackets, as in http://[::1]:PORT/", quoted)
	}
	if strings.HasPrefix(u.Host, "[") {
		if ip := net.ParseIP(host); ip == nil || !strings.Contains(host, ":") {
			return "", badUsage("URL '%s': '%s' is not an IPv6 address", quoted, host)
		}
		return "", nil
	}
	if strings.EqualFold(host, "localhost") {
		if port != "" {
			return "127.0.0.1:" + port, nil
		}
		return "127.0.0.1", nil
	}
	if ip := net.ParseIP(host); ip == nil || strings.Contains(host, ":") {
		return "", badUsage("URL '%s': host '%s' is not an IP literal; this lab does no DNS "+
			"(a resolver would add syscalls to every trace), use 127.0.0.1, [::1] or localhost",
			quoted, host)
	}
	return "", nil
}

// clip keeps a quoted argument short and on one line.
func clip(s string, max int) string {
	if len(s) > max {
		s = s[:max]
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
