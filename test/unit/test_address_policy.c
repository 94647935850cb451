/*-------------------------------------------------------------------------
 *
 * test_address_policy.c
 *	  Unit tests of src/http/address_policy.c: parsing allowed_networks
 *	  lists and classifying addresses.  A plain C11 program, no server and
 *	  no framework; built and run by "make unit".
 *
 * Prints one line per failed check and ends with "N passed, M failed";
 * exits non-zero when a check failed.
 *
 * IDENTIFICATION
 *	  test/unit/test_address_policy.c
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200112L

#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "http/address_policy.h"

#include "unit_check.h"

#define CHECK(cond)		check((cond) != 0, __LINE__, #cond)

/* A socket address holding either family. */
typedef struct TestAddr
{
	union
	{
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	}			u;
	size_t		len;
} TestAddr;

/* The socket address of an IPv4 or IPv6 literal (aborts the test if bad). */
static TestAddr
addr(const char *text)
{
	TestAddr	a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, &a.u.sin.sin_addr) == 1)
	{
		a.u.sin.sin_family = AF_INET;
		a.u.sin.sin_port = htons(443);
		a.len = sizeof(a.u.sin);
	}
	else if (inet_pton(AF_INET6, text, &a.u.sin6.sin6_addr) == 1)
	{
		a.u.sin6.sin6_family = AF_INET6;
		a.u.sin6.sin6_port = htons(443);
		a.len = sizeof(a.u.sin6);
	}
	else
	{
		printf("bad test address %s\n", text);
		failed++;
	}
	return a;
}

/* Check the class of an address (as a socket address and as text). */
static void
check_class(const char *text, AddrClass want, int line)
{
	TestAddr	a = addr(text);
	AddrClass	got = AddrClassify(&a.u.sa, a.len);
	char		what[160];

	snprintf(what, sizeof(what), "%s: class %s, want %s", text,
			 AddrClassName(got), AddrClassName(want));
	check(got == want, line, what);
	check(AddrClassifyText(text) == want, line, what);
}

#define CHECK_CLASS(text, want)	check_class((text), (want), __LINE__)

/* Whether the policy with this allowed list lets the address through. */
static bool
permitted(const char *list, const char *text)
{
	AddrNet		nets[16];
	char		err[256];
	int			n = AddrParseNetList(list, nets, 16, err, sizeof(err));
	TestAddr	a = addr(text);

	if (n < 0)
	{
		printf("list \"%s\" did not parse: %s\n", list, err);
		failed++;
		return false;
	}
	return AddrPermitted(&a.u.sa, a.len, nets, n, NULL);
}

#define PERMITTED(list, text)	CHECK(permitted((list), (text)))
#define REFUSED(list, text)		CHECK(!permitted((list), (text)))

/* The number of networks in a list, or -1; the error text in err. */
static int
count(const char *list, char *err, size_t errlen)
{
	return AddrParseNetList(list, NULL, 0, err, errlen);
}

static void
test_parse_good(void)
{
	AddrNet		nets[8];
	char		err[256];
	int			n;

	CHECK(count("", err, sizeof(err)) == 0);
	CHECK(count("   ", err, sizeof(err)) == 0);
	CHECK(count(NULL, err, sizeof(err)) == 0);
	CHECK(count(" , ,", err, sizeof(err)) == 0);
	CHECK(count("127.0.0.0/8", err, sizeof(err)) == 1);
	CHECK(count("127.0.0.0/8, ::1/128", err, sizeof(err)) == 2);
	CHECK(count("10.0.0.0/8,192.168.1.7\tfd00::/8\n::1", err, sizeof(err)) == 4);
	CHECK(count("0.0.0.0/0 ::/0", err, sizeof(err)) == 2);

	n = AddrParseNetList("10.1.0.0/16, 192.168.1.7, fd00:ec2::254, ::ffff:127.0.0.0/104",
						 nets, 8, err, sizeof(err));
	CHECK(n == 4);
	CHECK(nets[0].family == 4 && nets[0].bits == 16 &&
		  nets[0].addr[0] == 10 && nets[0].addr[1] == 1);
	/* an address alone is a host route */
	CHECK(nets[1].family == 4 && nets[1].bits == 32 && nets[1].addr[3] == 7);
	CHECK(nets[2].family == 6 && nets[2].bits == 128 && nets[2].addr[15] == 0x54);
	/* an IPv4-mapped network is stored as IPv4 */
	CHECK(nets[3].family == 4 && nets[3].bits == 8 && nets[3].addr[0] == 127);

	/* more networks than room: counted, only max stored */
	n = AddrParseNetList("10.0.0.0/8 10.0.0.1 10.0.0.2", nets, 2, err, sizeof(err));
	CHECK(n == 3);
	CHECK(nets[1].addr[3] == 1);
}

static void
test_parse_bad(void)
{
	char		err[256];
	char		longitem[200];

	CHECK(count("localhost", err, sizeof(err)) == -1);
	CHECK(strstr(err, "\"localhost\"") != NULL);
	CHECK(count("127.0.0.0/8, bogus", err, sizeof(err)) == -1);
	CHECK(strstr(err, "\"bogus\"") != NULL);
	CHECK(count("10.0.0.0/33", err, sizeof(err)) == -1);
	CHECK(strstr(err, "prefix length") != NULL);
	CHECK(count("::/129", err, sizeof(err)) == -1);
	CHECK(count("10.0.0.0/", err, sizeof(err)) == -1);
	CHECK(count("10.0.0.0/-1", err, sizeof(err)) == -1);
	CHECK(count("10.0.0.0/+8", err, sizeof(err)) == -1);
	CHECK(count("10.0.0.0/8/8", err, sizeof(err)) == -1);
	CHECK(count("10.0.0.0/0008", err, sizeof(err)) == -1);
	CHECK(count("10.0.0/8", err, sizeof(err)) == -1);
	CHECK(count("10.0.0.256", err, sizeof(err)) == -1);
	CHECK(count("010.0.0.1", err, sizeof(err)) == -1);
	CHECK(count("1.2.3.4.5", err, sizeof(err)) == -1);
	CHECK(count("fe80::1%eth0", err, sizeof(err)) == -1);
	CHECK(count("10.0.0.0;8", err, sizeof(err)) == -1);
	CHECK(count("/8", err, sizeof(err)) == -1);
	/* host bits beyond the prefix, as cidr refuses them */
	CHECK(count("127.0.0.1/8", err, sizeof(err)) == -1);
	CHECK(strstr(err, "bits set") != NULL);
	CHECK(count("fd00::1/8", err, sizeof(err)) == -1);
	memset(longitem, '1', sizeof(longitem) - 1);
	longitem[sizeof(longitem) - 1] = '\0';
	CHECK(count(longitem, err, sizeof(err)) == -1);
	CHECK(strstr(err, "too long") != NULL);
	/* a tiny error buffer is still terminated */
	CHECK(count("bogus", err, 4) == -1 && strlen(err) == 3);
}

static void
test_classes_v4(void)
{
	CHECK_CLASS("8.8.8.8", ADDR_PUBLIC);
	CHECK_CLASS("1.1.1.1", ADDR_PUBLIC);
	CHECK_CLASS("0.0.0.0", ADDR_UNSPECIFIED);
	CHECK_CLASS("0.255.255.255", ADDR_UNSPECIFIED);
	CHECK_CLASS("1.0.0.0", ADDR_PUBLIC);
	CHECK_CLASS("9.255.255.255", ADDR_PUBLIC);
	CHECK_CLASS("10.0.0.0", ADDR_PRIVATE);
	CHECK_CLASS("10.255.255.255", ADDR_PRIVATE);
	CHECK_CLASS("11.0.0.0", ADDR_PUBLIC);
	CHECK_CLASS("100.63.255.255", ADDR_PUBLIC);
	CHECK_CLASS("100.64.0.0", ADDR_SHARED);
	CHECK_CLASS("100.127.255.255", ADDR_SHARED);
	CHECK_CLASS("100.128.0.0", ADDR_PUBLIC);
	CHECK_CLASS("126.255.255.255", ADDR_PUBLIC);
	CHECK_CLASS("127.0.0.1", ADDR_LOOPBACK);
	CHECK_CLASS("127.0.0.2", ADDR_LOOPBACK);
	CHECK_CLASS("127.255.255.255", ADDR_LOOPBACK);
	CHECK_CLASS("128.0.0.0", ADDR_PUBLIC);
	CHECK_CLASS("169.253.255.255", ADDR_PUBLIC);
	CHECK_CLASS("169.254.0.0", ADDR_LINK_LOCAL);
	CHECK_CLASS("169.254.169.254", ADDR_LINK_LOCAL);
	CHECK_CLASS("169.254.255.255", ADDR_LINK_LOCAL);
	CHECK_CLASS("169.255.0.0", ADDR_PUBLIC);
	CHECK_CLASS("172.15.255.255", ADDR_PUBLIC);
	CHECK_CLASS("172.16.0.0", ADDR_PRIVATE);
	CHECK_CLASS("172.31.255.255", ADDR_PRIVATE);
	CHECK_CLASS("172.32.0.0", ADDR_PUBLIC);
	CHECK_CLASS("192.0.0.192", ADDR_RESERVED);
	CHECK_CLASS("192.0.1.1", ADDR_PUBLIC);
	CHECK_CLASS("192.0.2.1", ADDR_RESERVED);
	CHECK_CLASS("192.88.99.1", ADDR_RESERVED);
	CHECK_CLASS("192.167.255.255", ADDR_PUBLIC);
	CHECK_CLASS("192.168.0.0", ADDR_PRIVATE);
	CHECK_CLASS("192.168.255.255", ADDR_PRIVATE);
	CHECK_CLASS("192.169.0.0", ADDR_PUBLIC);
	CHECK_CLASS("198.17.255.255", ADDR_PUBLIC);
	CHECK_CLASS("198.18.0.0", ADDR_RESERVED);
	CHECK_CLASS("198.19.255.255", ADDR_RESERVED);
	CHECK_CLASS("198.20.0.0", ADDR_PUBLIC);
	CHECK_CLASS("198.51.100.7", ADDR_RESERVED);
	CHECK_CLASS("203.0.113.7", ADDR_RESERVED);
	CHECK_CLASS("223.255.255.255", ADDR_PUBLIC);
	CHECK_CLASS("224.0.0.1", ADDR_MULTICAST);
	CHECK_CLASS("239.255.255.255", ADDR_MULTICAST);
	CHECK_CLASS("240.0.0.1", ADDR_RESERVED);
	CHECK_CLASS("255.255.255.255", ADDR_RESERVED);
}

static void
test_classes_v6(void)
{
	CHECK_CLASS("2606:4700:4700::1111", ADDR_PUBLIC);
	CHECK_CLASS("2a00:1450:4001:80b::200e", ADDR_PUBLIC);
	CHECK_CLASS("::", ADDR_UNSPECIFIED);
	CHECK_CLASS("::1", ADDR_LOOPBACK);
	CHECK_CLASS("::2", ADDR_UNSPECIFIED);	/* compatible 0.0.0.2 */
	CHECK_CLASS("fe80::1", ADDR_LINK_LOCAL);
	CHECK_CLASS("febf:ffff::1", ADDR_LINK_LOCAL);
	CHECK_CLASS("fec0::1", ADDR_PRIVATE);
	CHECK_CLASS("fc00::1", ADDR_PRIVATE);
	CHECK_CLASS("fd00:ec2::254", ADDR_PRIVATE);	/* AWS metadata over IPv6 */
	CHECK_CLASS("fdff:ffff::1", ADDR_PRIVATE);
	CHECK_CLASS("fbff:ffff::1", ADDR_RESERVED);
	CHECK_CLASS("ff02::1", ADDR_MULTICAST);
	CHECK_CLASS("2001:db8::1", ADDR_RESERVED);
	CHECK_CLASS("2001::1", ADDR_RESERVED);	/* Teredo */
	CHECK_CLASS("2001:2::1", ADDR_RESERVED);
	CHECK_CLASS("2001:4860:4860::8888", ADDR_PUBLIC);
	CHECK_CLASS("100::1", ADDR_RESERVED);
	CHECK_CLASS("3fff::1", ADDR_RESERVED);
	CHECK_CLASS("64:ff9b:1::1", ADDR_PRIVATE);
	CHECK_CLASS("4000::1", ADDR_RESERVED);
	/* IPv6 forms carrying an IPv4 address are classified as that address */
	CHECK_CLASS("::ffff:127.0.0.1", ADDR_LOOPBACK);
	CHECK_CLASS("::ffff:169.254.169.254", ADDR_LINK_LOCAL);
	CHECK_CLASS("::ffff:a9fe:a9fe", ADDR_LINK_LOCAL);
	CHECK_CLASS("::ffff:10.1.2.3", ADDR_PRIVATE);
	CHECK_CLASS("::ffff:8.8.8.8", ADDR_PUBLIC);
	CHECK_CLASS("::127.0.0.1", ADDR_LOOPBACK);
	CHECK_CLASS("::169.254.169.254", ADDR_LINK_LOCAL);
	CHECK_CLASS("64:ff9b::a9fe:a9fe", ADDR_LINK_LOCAL);
	CHECK_CLASS("64:ff9b::808:808", ADDR_PUBLIC);
	CHECK_CLASS("2002:7f00:1::1", ADDR_LOOPBACK);
	CHECK_CLASS("2002:c0a8:101::1", ADDR_PRIVATE);
	CHECK_CLASS("2002:808:808::1", ADDR_PUBLIC);
}

static void
test_policy(void)
{
	/* the default: nothing but public addresses */
	PERMITTED("", "8.8.8.8");
	PERMITTED("", "2606:4700:4700::1111");
	REFUSED("", "127.0.0.1");
	REFUSED("", "::1");
	REFUSED("", "169.254.169.254");
	REFUSED("", "::ffff:169.254.169.254");
	REFUSED("", "10.0.0.1");
	REFUSED("", "172.16.0.1");
	REFUSED("", "192.168.1.1");
	REFUSED("", "100.64.0.1");
	REFUSED("", "0.0.0.0");
	REFUSED("", "::");
	REFUSED("", "fe80::1");
	REFUSED("", "fd00::1");
	REFUSED("", "224.0.0.1");
	REFUSED("", "255.255.255.255");

	/* the allowed list lets its networks through, and only them */
	PERMITTED("127.0.0.0/8, ::1/128", "127.0.0.1");
	PERMITTED("127.0.0.0/8, ::1/128", "127.1.2.3");
	PERMITTED("127.0.0.0/8, ::1/128", "::1");
	REFUSED("127.0.0.0/8, ::1/128", "169.254.169.254");
	REFUSED("127.0.0.0/8, ::1/128", "10.0.0.1");
	PERMITTED("127.0.0.2", "127.0.0.2");
	REFUSED("127.0.0.2", "127.0.0.1");
	REFUSED("127.0.0.2", "127.0.0.3");
	REFUSED("127.0.0.2/32", "::1");
	PERMITTED("172.16.0.0/12", "172.31.255.255");
	REFUSED("172.16.0.0/13", "172.24.0.1");
	PERMITTED("172.16.0.0/13", "172.23.255.255");
	PERMITTED("10.1.0.0/16", "10.1.200.3");
	REFUSED("10.1.0.0/16", "10.2.0.1");
	PERMITTED("169.254.169.254", "169.254.169.254");
	PERMITTED("fd00::/8", "fd00:ec2::254");
	REFUSED("fd00::/8", "fc00::1");
	PERMITTED("fe80::/10", "fe80::1");
	/* an IPv4 network covers the IPv6 forms of its addresses, and back */
	PERMITTED("127.0.0.0/8", "::ffff:127.0.0.1");
	PERMITTED("::ffff:127.0.0.0/104", "127.0.0.1");
	PERMITTED("::ffff:127.0.0.0/104", "::ffff:127.0.0.1");
	PERMITTED("127.0.0.0/8", "2002:7f00:1::1");
	PERMITTED("2002::/16", "2002:7f00:1::1");
	REFUSED("::1", "127.0.0.1");
	REFUSED("127.0.0.1", "::1");
	/* everything */
	PERMITTED("0.0.0.0/0, ::/0", "10.0.0.1");
	PERMITTED("0.0.0.0/0, ::/0", "fe80::1");
	PERMITTED("::/0", "::ffff:10.0.0.1");
	REFUSED("0.0.0.0/0", "fe80::1");
	/* a public address needs no list entry */
	PERMITTED("10.0.0.0/8", "1.2.3.4");
}

static void
test_not_ip(void)
{
	struct sockaddr_in sin;
	struct sockaddr sa;
	AddrNet		nets[2];
	char		err[64];
	int			n = AddrParseNetList("0.0.0.0/0 ::/0", nets, 2, err, sizeof(err));
	AddrClass	cls = ADDR_PUBLIC;

	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	CHECK(AddrClassify(&sa, sizeof(sa)) == ADDR_NOT_IP);
	CHECK(!AddrPermitted(&sa, sizeof(sa), nets, n, &cls));
	CHECK(cls == ADDR_NOT_IP);
	CHECK(AddrClassify(NULL, 0) == ADDR_NOT_IP);
	CHECK(AddrClassifyText("example.com") == ADDR_NOT_IP);
	CHECK(AddrClassifyText(NULL) == ADDR_NOT_IP);
	/* too short for its family */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	CHECK(AddrClassify((struct sockaddr *) &sin, 4) == ADDR_NOT_IP);
	CHECK(strcmp(AddrClassName(ADDR_LINK_LOCAL), "link-local") == 0);
}

int
main(void)
{
	test_parse_good();
	test_parse_bad();
	test_classes_v4();
	test_classes_v6();
	test_policy();
	test_not_ip();
	return unit_report();
}
