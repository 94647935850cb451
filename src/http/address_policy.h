/*-------------------------------------------------------------------------
 *
 * address_policy.h
 *	  Which IP addresses a model request may connect to: parsing the CIDR
 *	  list of mlpredict.allowed_networks and classifying addresses as
 *	  public or not.  Pure C with libc and the socket headers only, so that
 *	  it can be unit-tested without a server (test/unit/test_address_policy.c).
 *
 * The rule (AddrPermitted): a public address is always permitted; any
 * other (loopback, link-local, private, shared, unspecified, multicast,
 * reserved) only when a network of the allowed list contains it.  An
 * IPv6 address that carries an IPv4 address (IPv4-mapped ::ffff:a.b.c.d,
 * IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is
 * classified as that IPv4 address, and is permitted when a network of the
 * list contains either form.
 *
 * Nothing here allocates, raises errors or keeps state.
 *
 * IDENTIFICATION
 *	  src/http/address_policy.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_ADDRESS_POLICY_H
#define MLPREDICT_ADDRESS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

struct sockaddr;

/* What kind of address an address is; ADDR_PUBLIC is the only one let through. */
typedef enum AddrClass
{
	ADDR_PUBLIC = 0,
	ADDR_LOOPBACK,				/* 127.0.0.0/8, ::1 */
	ADDR_LINK_LOCAL,			/* 169.254.0.0/16 (cloud metadata), fe80::/10 */
	ADDR_PRIVATE,				/* 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 */
	ADDR_SHARED,				/* 100.64.0.0/10, carrier-grade NAT */
	ADDR_UNSPECIFIED,			/* 0.0.0.0/8 ("this network"), :: */
	ADDR_MULTICAST,				/* 224.0.0.0/4, ff00::/8 */
	ADDR_RESERVED,				/* documentation, benchmarking, 240/4, ... */
	ADDR_NOT_IP					/* not an IPv4 or IPv6 socket address */
} AddrClass;

/* One network of the allowed list: family (4 or 6), address, prefix length. */
typedef struct AddrNet
{
	int			family;			/* 4 or 6 */
	int			bits;			/* prefix length: 0..32 or 0..128 */
	unsigned char addr[16];		/* network order; IPv4 uses the first 4 */
} AddrNet;

/* Longest text of one network in a list ("ffff:...:ffff/128" and then some). */
#define ADDR_NET_TEXT_MAX	64

/*
 * Parse a list of networks separated by commas and/or white space: each
 * "a.b.c.d/n" (n 0..32), "x:y::z/n" (n 0..128), or an address alone (a
 * host: /32 or /128).  An IPv4-mapped IPv6 network (::ffff:0:0/96 or
 * longer) is stored as the IPv4 network it names.  Bits set beyond the
 * prefix length are an error ("10.0.0.1/8"), as for PostgreSQL's cidr.
 *
 * Stores at most max networks in nets (which may be NULL when max is 0)
 * and returns how many the list holds, or -1 with a message in err (errlen
 * bytes, always NUL-terminated when errlen > 0) when it is malformed.  An
 * empty or blank list holds 0 networks.
 */
extern int	AddrParseNetList(const char *list, AddrNet *nets, int max,
							 char *err, size_t errlen);

/* The class of a socket address of salen bytes (AF_INET or AF_INET6). */
extern AddrClass AddrClassify(const struct sockaddr *sa, size_t salen);

/* The class of an address given as text ("169.254.169.254", "::1"). */
extern AddrClass AddrClassifyText(const char *text);

/* Whether a network of nets[0..n-1] contains the address. */
extern bool AddrInNets(const struct sockaddr *sa, size_t salen,
					   const AddrNet *nets, int n);

/*
 * The policy: public, or inside a network of nets[0..n-1].  *cls (if not
 * NULL) receives the address's class.
 */
extern bool AddrPermitted(const struct sockaddr *sa, size_t salen,
						  const AddrNet *nets, int n, AddrClass *cls);

/* "loopback", "link-local", "private", ... for messages. */
extern const char *AddrClassName(AddrClass cls);

#endif							/* MLPREDICT_ADDRESS_POLICY_H */
