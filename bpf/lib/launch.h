/* launch.h: what a tracing tool needs to run `TOOL -- COMMAND ARGS`: find
 * the command, start it paused so nothing it does happens before the probes
 * are attached, let it go, and collect its status. Also the privilege check
 * every tool makes before it loads eBPF programs. */
#ifndef CTXLAB_LAUNCH_H
#define CTXLAB_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

/* Root, CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON. */
bool launch_can_load_bpf(void);

/* 0 when path is an executable file, else the errno that says why not. */
int launch_check_executable(const char *path);

/* For an executable file PATH that exec may still refuse with ENOENT: a
 * script whose `#!` line names an interpreter that does not exist, or an
 * ELF program whose PT_INTERP (its dynamic loader) does not. True, and
 * that interpreter's path in INTERP (LEN bytes), when so. */
bool launch_missing_interpreter(const char *path, char *interp, size_t len);

/* Finds cmd as execvp would (a name with a '/' as it is, else along $PATH):
 * 0 and a malloc'd *path_out, or the errno (ENOENT, EACCES, ENOMEM). */
int launch_find_command(const char *cmd, char **path_out);

/* Forks a child that execs path with argv once launch_release() lets it go.
 * Both pipes close on exec, so the command starts with the tool's stdin,
 * stdout and stderr only (call it before opening anything else). The
 * child's pid, or -1 with errno set. *release_fd is the pipe the child
 * waits on (closing it unwritten makes the child exit 127 without exec),
 * *err_fd the one its exec's errno comes back on; both are for
 * launch_release(). */
pid_t launch_paused(const char *path, char **argv, int *release_fd, int *err_fd);

/* Lets the paused child exec and closes both fds: 0, or the errno its exec
 * failed with. */
int launch_release(int release_fd, int err_fd);

/* Waits for pid: its exit status, 128+N when signal N killed it, or -1. */
int launch_wait(pid_t pid);

/* -p PID: a pidfd for PID (it closes on exec), or -1 if the kernel has
 * none, for launch_pid_ended(). */
int launch_watch_pid(pid_t pid);

/* Whether PID has exited (a zombie has): through PIDFD when it is not -1,
 * which cannot be fooled by the pid's reuse. */
bool launch_pid_ended(int pidfd, pid_t pid);

/* Between two polls of a tool's loop: passes a signal that kill(1) sent the
 * tool on to the child (tool_forward_signo, lib/tool.h), and, when the child
 * has ended, stores its status as launch_wait() gives it and returns true. */
bool launch_child_ended(pid_t child, int *exit_code);

#endif
