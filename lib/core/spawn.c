/** @file spawn.c @brief Run a helper command with text on its stdin (see spawn.h). */
#include "core/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/quote.h"

extern char **environ;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Start argv[0]: stdin from in_fd, stdout and stderr to out_fd. 0 or a negative errno. */
static int start(const char *const argv[], int in_fd, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t def, none;
	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGPIPE);
	sigemptyset(&none);
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -ENOMEM;
	if (posix_spawnattr_init(&at) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -ENOMEM;
	}
	int e = posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	if (e == 0)
		e = posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	if (e == 0)
		e = posix_spawn_file_actions_adddup2(&fa, out_fd, STDERR_FILENO);
	/* Its own process group: a terminal's Ctrl-C reaches dnsvolley, not a half-done change. */
	if (e == 0)
		e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
						  POSIX_SPAWN_SETSIGMASK);
	if (e == 0)
		e = posix_spawnattr_setpgroup(&at, 0);
	if (e == 0)
		e = posix_spawnattr_setsigdefault(&at, &def);
	if (e == 0)
		e = posix_spawnattr_setsigmask(&at, &none);
	if (e == 0)
		e = posix_spawnp(pid, argv[0], &fa, &at, (char *const *)argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return -e;
}

/* Feed input and collect output until the child closes its output or the deadline passes. */
static int exchange(int in_fd, int out_fd, const char *input, char *out, size_t outlen,
		    long long deadline)
{
	size_t left = input != NULL ? strlen(input) : 0, got = 0;
	if (left == 0) {
		close(in_fd);
		in_fd = -1;
	}
	int rc = 0;
	while (out_fd >= 0) {
		struct pollfd pf[2] = { { .fd = out_fd, .events = POLLIN },
					{ .fd = in_fd, .events = POLLOUT } };
		long long wait = deadline - now_ms();
		if (wait <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		int n = poll(pf, in_fd >= 0 ? 2 : 1, (int)wait);
		if (n < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (n <= 0)
			continue;
		if (in_fd >= 0 && pf[1].revents != 0) {
			ssize_t w = write(in_fd, input, left);
			if (w > 0) {
				input += w;
				left -= (size_t)w;
			}
			/* Written, or the child stopped reading (EPIPE): its stdin ends. */
			if (left == 0 || (w < 0 && errno != EAGAIN && errno != EINTR)) {
				close(in_fd);
				in_fd = -1;
			}
		}
		if (pf[0].revents != 0) {
			char buf[512];
			ssize_t r = read(out_fd, buf, sizeof(buf));
			if (r > 0 && out != NULL && got + 1 < outlen) {
				size_t take = (size_t)r < outlen - 1 - got ? (size_t)r : outlen - 1 - got;
				memcpy(out + got, buf, take);
				got += take;
				out[got] = '\0';
			}
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				close(out_fd);
				out_fd = -1;
			}
		}
	}
	if (in_fd >= 0)
		close(in_fd);
	if (out_fd >= 0)
		close(out_fd);
	return rc;
}

/* The child's end: its status as dv_spawn_run() returns it; killed once the deadline passed. */
static int reap(pid_t pid, long long deadline, bool kill_now)
{
	int st = 0;
	for (;;) {
		if (kill_now) {
			kill(pid, SIGKILL);
			kill_now = false;
			deadline = -1; /* now wait for it */
		}
		pid_t w = waitpid(pid, &st, deadline < 0 ? 0 : WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (w == 0 && now_ms() >= deadline)
			kill_now = true;
		else if (w == 0)
			usleep(1000);
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -ECHILD;
}

int dv_spawn_run(const char *const argv[], const char *input, char *out, size_t outlen)
{
	int in[2] = { -1, -1 }, op[2] = { -1, -1 };
	pid_t pid = -1;
	int rc;
	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (argv == NULL || argv[0] == NULL)
		return -EINVAL;
	/*
	 * A child that exits before reading its input would raise SIGPIPE in
	 * this thread: blocked here, and taken back below if it came.
	 */
	sigset_t pipe_set, old, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	bool was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);

	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(op, O_CLOEXEC) != 0) {
		rc = -errno;
		for (int i = 0; i < 2; i++) {
			if (in[i] >= 0)
				close(in[i]);
			if (op[i] >= 0)
				close(op[i]);
		}
		goto done;
	}
	rc = start(argv, in[0], op[1], &pid);
	close(in[0]);
	close(op[1]);
	if (rc != 0) {
		close(in[1]);
		close(op[0]);
		goto done;
	}
	fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
	long long deadline = now_ms() + DV_SPAWN_TIMEOUT_MS;
	int ex = exchange(in[1], op[0], input, out, outlen, deadline);
	rc = reap(pid, deadline, ex == -ETIMEDOUT);
	if (ex != 0)
		rc = ex;
done:
	sigpending(&pending);
	if (!was_pending && sigismember(&pending, SIGPIPE)) {
		static const struct timespec zero;
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

const char *dv_spawn_line(const char *out, const char *from, char *buf, unsigned len)
{
	const char *s = out != NULL ? out : "";
	const char *at = from != NULL ? strstr(s, from) : NULL;
	if (at != NULL)
		s = at;
	size_t n = strcspn(s, "\r\n");
	return dv_quote_mem(s, n, buf, len);
}
