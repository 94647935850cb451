/*-------------------------------------------------------------------------
 *
 * address_policy.c
 *	  Parsing mlpredict.allowed_networks and telling public addresses from
 *	  the ones a model request must not reach unless allowed (see
 *	  address_policy.h).
 *
 * Pure C11 plus the POSIX socket headers, deliberately without
 * "postgres.h": the module build compiles this file with the server's
 * flags, the unit tests (make unit) link it into a plain program.  The
 * libcurl open-socket callback calls into it, so nothing here allocates
 * or can fail in any way but through its return value.
 *
 * The ranges are those of the IANA special-purpose address registries
 * that a request to a model provider has no business reaching: the
 * machine itself, its link (where cloud metadata services live), private
 * and carrier-grade NAT networks, and the blocks that are not reachable
 * unicast addresses at all.  Everything else is public.
 *
 * IDENTIFICATION
 *	  src/http/address_policy.c
 *
 *-------------------------------------------------------------------------
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200112L
#endif

#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "address_policy.h"

/* An IPv4 range of the classification table. */
typedef struct V4Range
{
	unsigned char net[4];
	int			bits;
	AddrClass	cls;
} V4Range;

/* An IPv6 range of the classification table (first match wins). */
typedef struct V6Range
{
	unsigned char net[16];
	int			bits;
	AddrClass	cls;
} V6Range;

static const V4Range v4_ranges[] = {
	{{0, 0, 0, 0}, 8, ADDR_UNSPECIFIED},	/* "this network" */
	{{10, 0, 0, 0}, 8, ADDR_PRIVATE},
	{{100, 64, 0, 0}, 10, ADDR_SHARED},	/* carrier-grade NAT */
	{{127, 0, 0, 0}, 8, ADDR_LOOPBACK},
	{{169, 254, 0, 0}, 16, ADDR_LINK_LOCAL},	/* cloud metadata */
	{{172, 16, 0, 0}, 12, ADDR_PRIVATE},
	{{192, 0, 0, 0}, 24, ADDR_RESERVED},	/* IETF protocol assignments */
	{{192, 0, 2, 0}, 24, ADDR_RESERVED},	/* documentation */
	{{192, 88, 99, 0}, 24, ADDR_RESERVED},	/* former 6to4 relay anycast */
	{{192, 168, 0, 0}, 16, ADDR_PRIVATE},
	{{198, 18, 0, 0}, 15, ADDR_RESERVED},	/* benchmarking */
	{{198, 51, 100, 0}, 24, ADDR_RESERVED},	/* documentation */
	{{203, 0, 113, 0}, 24, ADDR_RESERVED},	/* documentation */
	{{224, 0, 0, 0}, 4, ADDR_MULTICAST},
	{{240, 0, 0, 0}, 4, ADDR_RESERVED}	/* incl. 255.255.255.255 */
};

/* After ::, ::1 and the forms that carry an IPv4 address. */
static const V6Range v6_ranges[] = {
	{{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, ADDR_PRIVATE},	/* local NAT64 */
	{{0x01, 0x00}, 64, ADDR_RESERVED},	/* discard-only */
	{{0x20, 0x01, 0x00, 0x00}, 32, ADDR_RESERVED},	/* Teredo */
	{{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, ADDR_RESERVED},	/* benchmarking */
	{{0x20, 0x01, 0x0d, 0xb8}, 32, ADDR_RESERVED},	/* documentation */
	{{0x3f, 0xff}, 20, ADDR_RESERVED},	/* documentation */
	{{0xfc}, 7, ADDR_PRIVATE},	/* unique local */
	{{0xfe, 0x80}, 10, ADDR_LINK_LOCAL},
	{{0xfe, 0xc0}, 10, ADDR_PRIVATE},	/* former site-local */
	{{0xff}, 8, ADDR_MULTICAST},
	{{0x20}, 3, ADDR_PUBLIC}	/* global unicast; the rest is unassigned */
};

#define lengthof_(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * prefix_match
 *		Whether the first bits bits of a and b are equal.
 */
static bool
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int			whole = bits / 8;
	int			rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[whole] ^ b[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/*
 * host_bits_clear
 *		Whether every bit of addr (len bytes) after the first bits is zero.
 */
static bool
host_bits_clear(const unsigned char *addr, int len, int bits)
{
	for (int i = bits; i < len * 8; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

/*
 * classify_v4
 *		The class of an IPv4 address (4 bytes, network order).
 */
static AddrClass
classify_v4(const unsigned char *a)
{
	for (size_t i = 0; i < lengthof_(v4_ranges); i++)
		if (prefix_match(a, v4_ranges[i].net, v4_ranges[i].bits))
			return v4_ranges[i].cls;
	return ADDR_PUBLIC;
}

/*
 * embedded_v4
 *		The IPv4 address an IPv6 address carries, if any: IPv4-mapped
 *		(::ffff:0:0/96), IPv4-compatible (::/96 but :: and ::1), NAT64
 *		(64:ff9b::/96) or 6to4 (2002::/16).  Sets *v4 (4 bytes) and returns
 *		true when there is one.
 */
static bool
embedded_v4(const unsigned char *a, unsigned char *v4)
{
	static const unsigned char zero[12];
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b};

	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0 ||
		(memcmp(a, zero, 12) == 0 &&
		 (a[12] | a[13] | a[14] | (a[15] & 0xfe)) != 0))
	{
		memcpy(v4, a + 12, 4);
		return true;
	}
	if (a[0] == 0x20 && a[1] == 0x02)
	{
		memcpy(v4, a + 2, 4);
		return true;
	}
	return false;
}

/*
 * classify_v6
 *		The class of an IPv6 address (16 bytes, network order).
 */
static AddrClass
classify_v6(const unsigned char *a)
{
	static const unsigned char zero[15];
	unsigned char v4[4];

	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return a[15] == 0 ? ADDR_UNSPECIFIED : ADDR_LOOPBACK;
	if (embedded_v4(a, v4))
		return classify_v4(v4);
	for (size_t i = 0; i < lengthof_(v6_ranges); i++)
		if (prefix_match(a, v6_ranges[i].net, v6_ranges[i].bits))
			return v6_ranges[i].cls;
	return ADDR_RESERVED;
}

/*
 * sockaddr_bytes
 *		The family (4 or 6) and address bytes of a socket address; 0 when it
 *		is neither AF_INET nor AF_INET6 or too short.
 */
static int
sockaddr_bytes(const struct sockaddr *sa, size_t salen, unsigned char *out)
{
	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in))
	{
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		memcpy(out, &sin.sin_addr, 4);
		return 4;
	}
	if (sa->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6))
	{
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		memcpy(out, &sin6.sin6_addr, 16);
		return 6;
	}
	return 0;
}

/*
 * AddrClassify
 *		See address_policy.h.
 */
AddrClass
AddrClassify(const struct sockaddr *sa, size_t salen)
{
	unsigned char a[16];

	switch (sockaddr_bytes(sa, salen, a))
	{
		case 4:
			return classify_v4(a);
		case 6:
			return classify_v6(a);
		default:
			return ADDR_NOT_IP;
	}
}

/*
 * AddrClassifyText
 *		See address_policy.h.
 */
AddrClass
AddrClassifyText(const char *text)
{
	unsigned char a[16];

	if (text == NULL)
		return ADDR_NOT_IP;
	if (inet_pton(AF_INET, text, a) == 1)
		return classify_v4(a);
	if (inet_pton(AF_INET6, text, a) == 1)
		return classify_v6(a);
	return ADDR_NOT_IP;
}

/*
 * in_nets
 *		Whether a network of the given family in nets contains addr.
 */
static bool
in_nets(int family, const unsigned char *addr, const AddrNet *nets, int n)
{
	for (int i = 0; i < n; i++)
		if (nets[i].family == family &&
			prefix_match(addr, nets[i].addr, nets[i].bits))
			return true;
	return false;
}

/*
 * AddrInNets
 *		See address_policy.h.
 */
bool
AddrInNets(const struct sockaddr *sa, size_t salen, const AddrNet *nets,
		   int n)
{
	unsigned char a[16];
	unsigned char v4[4];

	switch (sockaddr_bytes(sa, salen, a))
	{
		case 4:
			return in_nets(4, a, nets, n);
		case 6:
			return in_nets(6, a, nets, n) ||
				(embedded_v4(a, v4) && in_nets(4, v4, nets, n));
		default:
			return false;
	}
}

/*
 * AddrPermitted
 *		See address_policy.h.
 */
bool
AddrPermitted(const struct sockaddr *sa, size_t salen, const AddrNet *nets,
			  int n, AddrClass *cls)
{
	AddrClass	c = AddrClassify(sa, salen);

	if (cls != NULL)
		*cls = c;
	if (c == ADDR_PUBLIC)
		return true;
	return c != ADDR_NOT_IP && AddrInNets(sa, salen, nets, n);
}

/*
 * AddrClassName
 *		See address_policy.h.
 */
const char *
AddrClassName(AddrClass cls)
{
	switch (cls)
	{
		case ADDR_PUBLIC:
			return "public";
		case ADDR_LOOPBACK:
			return "loopback";
		case ADDR_LINK_LOCAL:
			return "link-local";
		case ADDR_PRIVATE:
			return "private";
		case ADDR_SHARED:
			return "shared (carrier-grade NAT)";
		case ADDR_UNSPECIFIED:
			return "unspecified";
		case ADDR_MULTICAST:
			return "multicast";
		case ADDR_RESERVED:
			return "reserved";
		case ADDR_NOT_IP:
			break;
	}
	return "non-IP";
}

/* List separators: commas and white space. */
static bool
is_separator(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\f' || c == '\v';
}

/*
 * parse_bits
 *		A prefix length: 1 to 3 decimal digits, at most max; -1 otherwise.
 */
static int
parse_bits(const char *s, int max)
{
	int			value = 0;
	size_t		len = strlen(s);

	if (len == 0 || len > 3)
		return -1;
	for (size_t i = 0; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return -1;
		value = value * 10 + (s[i] - '0');
	}
	return value <= max ? value : -1;
}

/*
 * parse_net
 *		One network of a list (NUL-terminated text); false with a message in
 *		err when it is not one.
 */
static bool
parse_net(const char *text, AddrNet *net, char *err, size_t errlen)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char		addr[ADDR_NET_TEXT_MAX + 1];
	const char *slash = strchr(text, '/');
	size_t		addrlen = slash ? (size_t) (slash - text) : strlen(text);
	int			len;
	int			max;

	if (addrlen > ADDR_NET_TEXT_MAX)
		addrlen = ADDR_NET_TEXT_MAX;
	memcpy(addr, text, addrlen);
	addr[addrlen] = '\0';
	memset(net, 0, sizeof(*net));
	if (strchr(addr, ':') != NULL && inet_pton(AF_INET6, addr, net->addr) == 1)
		net->family = 6;
	else if (strchr(addr, ':') == NULL && inet_pton(AF_INET, addr, net->addr) == 1)
		net->family = 4;
	else
	{
		snprintf(err, errlen, "\"%s\" is not an IPv4 or IPv6 network (expected an address such as 10.0.0.0/8 or fd00::/8).",
				 text);
		return false;
	}
	len = net->family == 4 ? 4 : 16;
	max = len * 8;
	net->bits = max;
	if (slash != NULL && (net->bits = parse_bits(slash + 1, max)) < 0)
	{
		snprintf(err, errlen, "\"%s\" has an invalid prefix length (expected 0 to %d after the \"/\").",
				 text, max);
		return false;
	}
	if (!host_bits_clear(net->addr, len, net->bits))
	{
		snprintf(err, errlen, "\"%s\" has bits set to the right of its /%d prefix.",
				 text, net->bits);
		return false;
	}
	/* an IPv4-mapped network is the IPv4 network it names */
	if (net->family == 6 && net->bits >= 96 && memcmp(net->addr, mapped, 12) == 0)
	{
		memmove(net->addr, net->addr + 12, 4);
		memset(net->addr + 4, 0, 12);
		net->family = 4;
		net->bits -= 96;
	}
	return true;
}

/*
 * AddrParseNetList
 *		See address_policy.h.
 */
int
AddrParseNetList(const char *list, AddrNet *nets, int max, char *err,
				 size_t errlen)
{
	const char *p = list;
	int			n = 0;

	if (errlen > 0)
		err[0] = '\0';
	if (list == NULL)
		return 0;
	for (;;)
	{
		char		item[ADDR_NET_TEXT_MAX + 1];
		size_t		len = 0;
		AddrNet		net;

		while (*p != '\0' && is_separator(*p))
			p++;
		if (*p == '\0')
			return n;
		while (p[len] != '\0' && !is_separator(p[len]))
			len++;
		if (len > ADDR_NET_TEXT_MAX)
		{
			snprintf(err, errlen, "\"%.*s...\" is too long for a network.",
					 20, p);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		p += len;
		if (!parse_net(item, &net, err, errlen))
			return -1;
		if (n < max && nets != NULL)
			nets[n] = net;
		n++;
	}
}
