/* syscalls.h: what the story does with each syscall name.
 *   SC_CONN   the connection's calls: kept when they involve a role fd (or
 *             create one), dropped on other fds
 *   SC_NOISE  runtime and loader noise: always dropped
 *   SC_OTHER  anything else: passes through with phase "-" */
#ifndef TRACEDIFF_SYSCALLS_H
#define TRACEDIFF_SYSCALLS_H

#include <stdbool.h>

enum sc_class { SC_OTHER, SC_CONN, SC_NOISE };

enum sc_class syscall_class(const char *name);

bool sc_is_read(const char *name);  /* read, readv, recvfrom, recvmsg */
bool sc_is_write(const char *name); /* write, writev, sendto, sendmsg */
bool sc_is_wait(const char *name);  /* epoll_wait, epoll_pwait(2), poll, ppoll, select, pselect6 */
bool sc_is_epoll_wait(const char *name);

#endif
