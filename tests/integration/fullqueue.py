#!/usr/bin/env python3
"""fullqueue.py: a listener on 127.0.0.1 whose accept queue is full, so a new
client's connect stays in progress (EINPROGRESS, then EALREADY) for as long as
the kernel keeps resending its SYN. That is how a deadline that covers connect
is tested.

It listens with a backlog of 0 and never accepts. Linux then queues one
connection, and drops every SYN that arrives while the queue is full; a few
client sockets of its own fill it. Once a probe connect stays in progress, it
prints `full queue on 127.0.0.1:PORT` and waits until it is killed (the test
ends it by its pid, as tests/lib.sh does everything it starts).
"""
import errno
import select
import signal
import socket
import sys

FILLERS = 3             # one is queued; the others keep their SYNs coming
PROBE_WAIT_S = 0.2      # a probe still connecting after this: the queue is full
SETTLE_TIMEOUT_S = 5


def nonblocking_connect(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    err = s.connect_ex(("127.0.0.1", port))
    if err not in (0, errno.EINPROGRESS):
        sys.exit(f"fullqueue: connect to 127.0.0.1:{port}: {errno.errorcode.get(err, err)}")
    return s


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]

    fillers = [nonblocking_connect(port)]
    # The first one completes and sits in the queue: wait for that before the
    # others, so theirs are the SYNs that get dropped.
    if not select.select([], fillers, [], SETTLE_TIMEOUT_S)[1]:
        sys.exit("fullqueue: the first connection never completed; is 127.0.0.1 up?")
    fillers += [nonblocking_connect(port) for _ in range(FILLERS - 1)]

    probe = nonblocking_connect(port)
    if select.select([], [probe], [], PROBE_WAIT_S)[1]:
        sys.exit(f"fullqueue: a connect to 127.0.0.1:{port} completed; this kernel does not drop "
                 "SYNs to a full accept queue, so a connect deadline cannot be tested this way")
    probe.close()

    print(f"full queue on 127.0.0.1:{port}", flush=True)
    signal.pause()


if __name__ == "__main__":
    main()
