/* launch.c: starting the traced command paused, and the privilege check. */
#include "launch.h"
#include "tool.h"

#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

bool launch_can_load_bpf(void)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &header, data) != 0)
		return geteuid() == 0;
#define HAS_CAP(c) (data[(c) >> 5].effective & (1u << ((c) & 31)))
	return HAS_CAP(CAP_SYS_ADMIN) || (HAS_CAP(CAP_BPF) && HAS_CAP(CAP_PERFMON));
#undef HAS_CAP
}

int launch_check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EACCES;
	return access(path, X_OK) == 0 ? 0 : errno;
}

/* PATH's PT_INTERP, if it is a 64-bit ELF file that has one: into INTERP. */
static bool elf_interpreter(int fd, char *interp, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(ph))
		return false;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		ssize_t n;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != (ssize_t)sizeof(ph))
			return false;
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz == 0 || ph.p_filesz > len)
			return false;
		n = pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset);
		if (n != (ssize_t)ph.p_filesz)
			return false;
		interp[n - 1] = '\0';
		return interp[0] != '\0';
	}
	return false;
}

/* The interpreter of a `#!` script, as the kernel reads it
 * (fs/binfmt_script.c): after "#!" and blanks, up to a blank or the end
 * of the line. Into INTERP. */
static bool script_interpreter(int fd, char *interp, size_t len)
{
	char line[256];
	ssize_t n = pread(fd, line, sizeof(line) - 1, 0);
	char *p;
	size_t plen;

	if (n < 2 || line[0] != '#' || line[1] != '!')
		return false;
	line[n] = '\0';
	p = line + 2 + strspn(line + 2, " \t");
	plen = strcspn(p, " \t\n");
	if (plen == 0 || plen >= len)
		return false;
	memcpy(interp, p, plen);
	interp[plen] = '\0';
	return true;
}

bool launch_missing_interpreter(const char *path, char *interp, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool found;
	struct stat st;

	if (fd < 0)
		return false;
	found = script_interpreter(fd, interp, len) || elf_interpreter(fd, interp, len);
	close(fd);
	/* A relative interpreter is the kernel's to find: from the cwd. */
	return found && stat(interp, &st) != 0 && errno == ENOENT;
}

int launch_find_command(const char *cmd, char **path_out)
{
	const char *dirs = getenv("PATH");
	int err = ENOENT;

	if (strchr(cmd, '/')) {
		err = launch_check_executable(cmd);
		if (err == 0 && !(*path_out = strdup(cmd)))
			err = ENOMEM;
		return err;
	}
	if (!dirs || !*dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	for (;;) {
		size_t len = strcspn(dirs, ":");
		char *candidate;
		int r;

		if (asprintf(&candidate, "%.*s/%s", (int)(len ? len : 1), len ? dirs : ".", cmd) < 0)
			return ENOMEM;
		r = launch_check_executable(candidate);
		if (r == 0) {
			*path_out = candidate;
			return 0;
		}
		free(candidate);
		if (r == EACCES)
			err = EACCES;
		if (!dirs[len])
			break;
		dirs += len + 1;
	}
	return err;
}

pid_t launch_paused(const char *path, char **argv, int *release_fd, int *err_fd)
{
	int release[2], report[2];
	pid_t pid;

	if (pipe2(release, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(report, O_CLOEXEC) != 0) {
		close(release[0]);
		close(release[1]);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char byte;
		ssize_t n;
		int err;

		close(release[1]);
		close(report[0]);
		do
			n = read(release[0], &byte, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(127); /* the tool gave up before attaching */
		execv(path, argv);
		err = errno;
		if (write(report[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(err == ENOENT ? 127 : 126);
	}
	close(release[0]);
	close(report[1]);
	if (pid < 0) {
		close(release[1]);
		close(report[0]);
		return -1;
	}
	*release_fd = release[1];
	*err_fd = report[0];
	return pid;
}

int launch_release(int release_fd, int err_fd)
{
	int err = 0;
	ssize_t n;

	n = write(release_fd, "r", 1);
	close(release_fd);
	if (n != 1) {
		close(err_fd);
		return EPIPE;
	}
	do
		n = read(err_fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(err_fd);
	return n == (ssize_t)sizeof(err) ? err : 0; /* EOF: exec closed the pipe */
}

/* 128+N for a child killed by signal N, as shells report it. */
static int exit_status(int wstatus)
{
	return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}

int launch_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return exit_status(status);
}

int launch_watch_pid(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

bool launch_pid_ended(int pidfd, pid_t pid)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	if (pidfd >= 0)
		return poll(&p, 1, 0) > 0; /* readable once it exited */
	return kill(pid, 0) != 0 && errno == ESRCH;
}

bool launch_child_ended(pid_t child, int *exit_code)
{
	int status;

	if (tool_forward_signo) {
		kill(child, tool_forward_signo);
		tool_forward_signo = 0;
	}
	if (waitpid(child, &status, WNOHANG) != child)
		return false;
	*exit_code = exit_status(status);
	return true;
}
