/* Next-hop resolution without namespaces: address formatting, the error paths,
 * and loopback (no neighbour resolution: all-zero MACs, on-link). Nothing here
 * sends a packet; the real veth case is tests/integration/nsd.sh. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/parse.h"
#include "net/nexthop.h"
#include "core/log.h"

static char msg[256];

static struct dv_addr addr(const char *s)
{
	struct dv_addr a = { 0 };
	ck_assert_int_eq(dv_parse_addr(s, &a), 0);
	return a;
}

static void setup(void)
{
	dv_log_capture(msg, sizeof(msg));
}

static void teardown(void)
{
	dv_log_capture(NULL, 0);
}

/** Is loopback up here? (A fresh network namespace starts with lo down.) */
static bool lo_up(void)
{
	struct ifreq ifr = { 0 };
	bool up = false;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return false;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		up = (ifr.ifr_flags & IFF_UP) != 0;
	close(fd);
	return up;
}

/** Is ::1 configured (IPv6 may be disabled on the host)? */
static bool has_v6_loopback(void)
{
	struct ifaddrs *list, *i;
	bool found = false;
	if (getifaddrs(&list) != 0)
		return false;
	for (i = list; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET6 &&
		    IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr))
			found = true;
	}
	freeifaddrs(list);
	return found;
}

static void assert_zero_mac(const uint8_t mac[6])
{
	static const uint8_t zero[6];
	ck_assert_mem_eq(mac, zero, 6);
}

START_TEST(addr_str_formats)
{
	char buf[INET6_ADDRSTRLEN];
	struct dv_addr a = addr("198.18.0.2");
	ck_assert_str_eq(dv_addr_str(&a, buf, sizeof(buf)), "198.18.0.2");
	a = addr("2001:2::2");
	ck_assert_str_eq(dv_addr_str(&a, buf, sizeof(buf)), "2001:2::2");
	a = addr("fe80::1:2");
	ck_assert_str_eq(dv_addr_str(&a, buf, sizeof(buf)), "fe80::1:2");

	struct dv_addr none = { 0 };
	ck_assert_str_eq(dv_addr_str(&none, buf, sizeof(buf)), "(none)");
	ck_assert_str_eq(dv_addr_str(NULL, buf, sizeof(buf)), "(none)");

	/* Too small a buffer: still terminated, never overrun. */
	char small[6];
	memset(small, 'x', sizeof(small));
	a = addr("198.18.0.2");
	dv_addr_str(&a, small, sizeof(small));
	ck_assert_uint_lt(strlen(small), sizeof(small));
}
END_TEST

START_TEST(missing_interface)
{
	struct dv_nexthop nh;
	struct dv_addr t = addr("198.18.0.2");
	ck_assert_int_eq(dv_nexthop_resolve("dvnosuch0", &t, NULL, 100, false, &nh), -ENODEV);
	ck_assert_msg(strstr(msg, "no interface 'dvnosuch0'") != NULL, "message: %s", msg);

	/* Longer than IFNAMSIZ: no such interface either, and no overflow. */
	msg[0] = '\0';
	ck_assert_int_eq(dv_nexthop_resolve("dv-a-name-far-too-long-for-linux", &t, NULL, 100, false, &nh),
			 -ENODEV);
	ck_assert_msg(strstr(msg, "no interface") != NULL, "message: %s", msg);
}
END_TEST

START_TEST(bad_arguments)
{
	struct dv_nexthop nh;
	struct dv_addr none = { 0 };
	ck_assert_int_eq(dv_nexthop_resolve("lo", &none, NULL, 0, false, &nh), -EINVAL);
	ck_assert_int_eq(dv_nexthop_resolve("lo", NULL, NULL, 0, false, &nh), -EINVAL);
	ck_assert_int_eq(dv_nexthop_resolve(NULL, &none, NULL, 0, false, &nh), -EINVAL);
}
END_TEST

START_TEST(loopback_v4)
{
	if (!lo_up())
		return; /* lo down (fresh namespace): nothing to check */
	struct dv_nexthop nh;
	memset(&nh, 0xa5, sizeof(nh));
	struct dv_addr t = addr("127.0.0.1");
	ck_assert_int_eq(dv_nexthop_resolve("lo", &t, NULL, 0, false, &nh), 0);
	ck_assert_int_eq(nh.ifindex, (int)if_nametoindex("lo"));
	assert_zero_mac(nh.if_mac);
	assert_zero_mac(nh.next_mac);
	ck_assert_int_eq(nh.gateway.family, 0);
	ck_assert_int_eq(nh.src.family, AF_INET);
	ck_assert_uint_eq(ntohl(nh.src.v4.s_addr), INADDR_LOOPBACK);

	/* A configured source is taken as given. */
	struct dv_addr s = addr("127.0.0.1");
	ck_assert_int_eq(dv_nexthop_resolve("lo", &t, &s, 0, false, &nh), 0);
	ck_assert_uint_eq(ntohl(nh.src.v4.s_addr), INADDR_LOOPBACK);
}
END_TEST

START_TEST(loopback_v6)
{
	if (!lo_up() || !has_v6_loopback())
		return; /* no IPv6 on this host */
	struct dv_nexthop nh;
	struct dv_addr t = addr("::1");
	ck_assert_int_eq(dv_nexthop_resolve("lo", &t, NULL, 0, false, &nh), 0);
	assert_zero_mac(nh.next_mac);
	ck_assert_int_eq(nh.gateway.family, 0);
	ck_assert_int_eq(nh.src.family, AF_INET6);
	ck_assert(IN6_IS_ADDR_LOOPBACK(&nh.src.v6));
}
END_TEST

START_TEST(source_checks)
{
	if (!lo_up())
		return;
	struct dv_nexthop nh;
	struct dv_addr t = addr("127.0.0.1");

	/* 127.0.0.2 is routed to lo but is not an address of it. */
	struct dv_addr s = addr("127.0.0.2");
	ck_assert_int_eq(dv_nexthop_resolve("lo", &t, &s, 0, false, &nh), -EADDRNOTAVAIL);
	ck_assert_msg(strstr(msg, "source 127.0.0.2 is not an address of lo") != NULL,
		      "message: %s", msg);

	s = addr("2001:2::1");
	ck_assert_int_eq(dv_nexthop_resolve("lo", &t, &s, 0, false, &nh), -EINVAL);
	ck_assert_msg(strstr(msg, "not of the same family") != NULL, "message: %s", msg);
}
END_TEST

START_TEST(route_elsewhere)
{
	if (!lo_up())
		return;
	/* Not through lo: either no route at all or one via another interface.
	 * Either way the route lookup fails before anything is sent. */
	struct dv_nexthop nh;
	struct dv_addr t = addr("198.18.0.2");
	int ret = dv_nexthop_resolve("lo", &t, NULL, 0, false, &nh);
	ck_assert_msg(ret == -EXDEV || ret == -ENETUNREACH, "ret %d, message: %s", ret, msg);
	ck_assert_msg(strncmp(msg, "-s 198.18.0.2: ", 15) == 0, "message: %s", msg);
	if (ret == -EXDEV)
		ck_assert_msg(strstr(msg, "route goes via ") != NULL && strstr(msg, ", not lo") != NULL,
			      "message: %s", msg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("neigh");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, addr_str_formats);
	tcase_add_test(tc, missing_interface);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, loopback_v4);
	tcase_add_test(tc, loopback_v6);
	tcase_add_test(tc, source_checks);
	tcase_add_test(tc, route_elsewhere);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
