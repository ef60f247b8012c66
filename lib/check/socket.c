/* One query over the kernel's sockets (socket.h). */
#include "check/socket.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready for events until deadline. @return 1 ready, 0 time's up, -errno */
static int wait_for(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = fd, .events = events };
		int n = poll(&p, 1, (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static socklen_t sockaddr_of(const struct dv_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = a->v6;
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	s4->sin_addr = a->v4;
	return sizeof(*s4);
}

/* Read exactly n bytes before deadline. @return n, 0 (time's up or closed early), -errno */
static int read_full(int fd, uint8_t *buf, size_t n, int64_t deadline)
{
	size_t got = 0;
	while (got < n) {
		int r = wait_for(fd, POLLIN, deadline);
		if (r <= 0)
			return r;
		ssize_t k = recv(fd, buf + got, n - got, 0);
		if (k == 0)
			return 0;
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		got += (size_t)k;
	}
	return (int)n;
}

static int ask_udp(int fd, const uint8_t *q, size_t qlen, uint8_t *ans, size_t alen, int64_t deadline)
{
	if (send(fd, q, qlen, 0) != (ssize_t)qlen)
		return -errno;
	for (;;) {
		int r = wait_for(fd, POLLIN, deadline);
		if (r <= 0)
			return r;
		ssize_t k = recv(fd, ans, alen, 0);
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno; /* ECONNREFUSED: an ICMP port unreachable came */
		}
		/* Only an answer with our ID is ours (the socket is connected to the server). */
		if (k >= 2 && ans[0] == q[0] && ans[1] == q[1])
			return (int)k;
	}
}

static int ask_tcp(int fd, const struct sockaddr_storage *ss, socklen_t sl, const uint8_t *q,
		   size_t qlen, uint8_t *ans, size_t alen, int64_t deadline)
{
	if (connect(fd, (const struct sockaddr *)ss, sl) != 0 && errno != EINPROGRESS)
		return -errno;
	int r = wait_for(fd, POLLOUT, deadline);
	if (r <= 0)
		return r;
	int err = 0;
	socklen_t el = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0)
		return -(err != 0 ? err : errno);
	uint8_t msg[2 + 65535];
	msg[0] = (uint8_t)(qlen >> 8);
	msg[1] = (uint8_t)qlen;
	memcpy(msg + 2, q, qlen);
	if (send(fd, msg, qlen + 2, MSG_NOSIGNAL) != (ssize_t)(qlen + 2))
		return -errno;
	uint8_t pfx[2];
	r = read_full(fd, pfx, 2, deadline);
	if (r <= 0)
		return r;
	size_t n = (size_t)pfx[0] << 8 | pfx[1];
	if (n > alen)
		return -EMSGSIZE;
	r = read_full(fd, ans, n, deadline);
	return r <= 0 ? r : (int)n;
}

int dv_check_ask(const struct dv_addr *addr, uint16_t port, enum dv_check_transport transport,
		 const uint8_t *q, size_t qlen, uint8_t *ans, size_t alen, int timeout_ms)
{
	if (addr == NULL || (addr->family != AF_INET && addr->family != AF_INET6) || qlen < 2 ||
	    qlen > 65535)
		return -EINVAL;
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(addr, port, &ss);
	int64_t deadline = now_ms() + timeout_ms;
	int type = transport == DV_CHECK_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int fd = socket(addr->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int rc;
	if (transport == DV_CHECK_TCP) {
		rc = ask_tcp(fd, &ss, sl, q, qlen, ans, alen, deadline);
	} else if (connect(fd, (const struct sockaddr *)&ss, sl) != 0) {
		rc = -errno;
	} else {
		rc = ask_udp(fd, q, qlen, ans, alen, deadline);
	}
	close(fd);
	return rc;
}
