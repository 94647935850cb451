/*-------------------------------------------------------------------------
 *
 * endpoint_policy.c
 *	  What a transfer may connect to: the check hook of
 *	  mlpredict.allowed_networks, this process's parsed copy of it,
 *	  libcurl's open-socket callback that applies it to every address
 *	  libcurl is about to connect to, and the error for a refused request.
 *
 * The address is checked when the socket is opened, after name
 * resolution, so a host name that resolves (or is rebound) to a
 * non-public address is refused just like the literal address; nothing
 * is sent, not even a TCP SYN.  The classification itself is pure C in
 * address_policy.c.
 *
 * Reloads.  Each process (the pool worker, or a backend without the pool)
 * parses the setting again when it sees a new value, at the start of its
 * next transfer.  Connections kept alive were checked against the policy
 * in force when they were opened, so after a change (of allowed_networks
 * or of mlpredict.ca_bundle, whose new certificates apply to new
 * connections only) the connections opened before it are not reused:
 * every transfer uses a fresh connection while any transfer started
 * before the change still runs (and for two seconds at least), and after
 * that CURLOPT_MAXLIFETIME_CONN keeps libcurl from reusing any connection
 * older than the change.
 *
 * The callback runs inside libcurl: it never raises an ERROR and touches
 * only the transfer (malloc'd) and the parsed list, which changes only
 * between transfers' starts, never while libcurl runs.
 *
 * IDENTIFICATION
 *	  src/http/endpoint_policy.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>

#include "utils/guc.h"

#include "http/address_policy.h"
#include "http/http.h"
#include "http/http_internal.h"
#include "mlpredict.h"

/* How an HttpResponse of outcome HTTP_REFUSED words its error. */
#define REFUSED_PREFIX		"connection to "
#define REFUSED_SUFFIX		" refused by mlpredict.allowed_networks"

/* After a change, no connection is reused for at least this long. */
#define FRESH_AFTER_CHANGE_MS	2000

/* This process's copy of the policy, in malloc'd memory. */
typedef struct EndpointPolicy
{
	char	   *key;			/* allowed_networks "\n" ca_bundle, as last
								 * seen; NULL before the first transfer */
	AddrNet    *nets;
	int			nnets;
	uint64		generation;		/* changes seen since the first transfer */
	struct timespec changed_at; /* CLOCK_MONOTONIC of the last change */
	int			running_current;	/* transfers started since then */
	int			running_old;	/* transfers started before it, still running */
} EndpointPolicy;

static EndpointPolicy policy;

/*
 * HttpAllowedNetworksCheck
 *		GUC check hook of mlpredict.allowed_networks: a well-formed list.
 */
bool
HttpAllowedNetworksCheck(char **newval, void **extra, GucSource source)
{
	char		err[256];

	if (*newval == NULL)
		return true;
	if (AddrParseNetList(*newval, NULL, 0, err, sizeof(err)) >= 0)
		return true;
	GUC_check_errdetail("%s", err);
	GUC_check_errhint("Give networks as CIDRs separated by commas, such as '127.0.0.0/8, ::1/128, 10.20.0.0/16'.");
	return false;
}

/*
 * HttpPolicyRefresh
 *		Take up the current settings, if they changed since the last
 *		transfer of this process.  Called before a transfer is set up.
 */
void
HttpPolicyRefresh(void)
{
	const char *networks = mlpredict_allowed_networks ? mlpredict_allowed_networks : "";
	char	   *key = psprintf("%s\n%s", networks,
							   mlpredict_ca_bundle ? mlpredict_ca_bundle : "");
	char		err[256];
	AddrNet    *nets = NULL;
	char	   *kept;
	int			n;

	if (policy.key != NULL && strcmp(policy.key, key) == 0)
	{
		pfree(key);
		return;
	}

	n = AddrParseNetList(networks, NULL, 0, err, sizeof(err));
	if (n < 0)
	{
		/* the check hook refuses such values; be safe if one got through */
		ereport(WARNING,
				errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("ignoring invalid mlpredict.allowed_networks"),
				errdetail("%s", err));
		n = 0;
	}
	if (n > 0 && (nets = malloc(sizeof(AddrNet) * n)) != NULL)
		(void) AddrParseNetList(networks, nets, n, err, sizeof(err));
	kept = strdup(key);
	if ((n > 0 && nets == NULL) || kept == NULL)
	{
		free(nets);
		free(kept);
		ereport(ERROR,
				errcode(ERRCODE_OUT_OF_MEMORY),
				errmsg("out of memory"));
	}

	if (policy.key != NULL)
	{
		policy.generation++;
		clock_gettime(CLOCK_MONOTONIC, &policy.changed_at);
		policy.running_old += policy.running_current;
		policy.running_current = 0;
	}
	free(policy.key);
	free(policy.nets);
	policy.key = kept;
	policy.nets = nets;
	policy.nnets = n;
	pfree(key);
}

/*
 * open_socket_cb
 *		CURLOPT_OPENSOCKETFUNCTION: open the socket only for an address the
 *		policy permits; else note the refusal in the transfer and tell
 *		libcurl there is no socket (it then tries the host's next address,
 *		if any, and fails the transfer when none is left).
 */
static curl_socket_t
open_socket_cb(void *clientp, curlsocktype purpose,
			   struct curl_sockaddr *address)
{
	HttpTransfer *t = (HttpTransfer *) clientp;
	int			type = address->socktype;
	curl_socket_t fd;

	if (!AddrPermitted(&address->addr, address->addrlen, policy.nets,
					   policy.nnets, NULL))
	{
		if (t->nrefused++ == 0)
		{
			const void *where = NULL;

			if (address->family == AF_INET)
				where = &((const struct sockaddr_in *) &address->addr)->sin_addr;
			else if (address->family == AF_INET6)
				where = &((const struct sockaddr_in6 *) &address->addr)->sin6_addr;
			if (where == NULL ||
				inet_ntop(address->family, where, t->refused,
						  sizeof(t->refused)) == NULL)
				strlcpy(t->refused, "a non-IP address", sizeof(t->refused));
		}
		return CURL_SOCKET_BAD;
	}

#ifdef SOCK_CLOEXEC
	/* not for programs a backend starts (COPY ... PROGRAM) */
	type |= SOCK_CLOEXEC;
#endif
	fd = socket(address->family, type, address->protocol);
	if (fd != CURL_SOCKET_BAD)
		t->nopened++;
	return fd;
}

/*
 * ms_since
 *		Milliseconds from then until now (CLOCK_MONOTONIC).
 */
static int64
ms_since(const struct timespec *then)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64) (now.tv_sec - then->tv_sec) * 1000 +
		(now.tv_nsec - then->tv_nsec) / 1000000;
}

/*
 * HttpPolicySetOptions
 *		Install the open-socket callback on a transfer's easy handle and,
 *		after a change of the policy, keep older connections from being
 *		reused (see the file header).  Raises ERROR if an option cannot be
 *		set.
 */
void
HttpPolicySetOptions(HttpTransfer *t)
{
	HTTP_SETOPT(t->easy, CURLOPT_OPENSOCKETFUNCTION, open_socket_cb);
	HTTP_SETOPT(t->easy, CURLOPT_OPENSOCKETDATA, (void *) t);

	if (policy.generation == 0)
		return;
	if (policy.running_old > 0 ||
		ms_since(&policy.changed_at) < FRESH_AFTER_CHANGE_MS)
		HTTP_SETOPT(t->easy, CURLOPT_FRESH_CONNECT, 1L);
	else
	{
#if LIBCURL_VERSION_NUM >= 0x075000
		/* whole seconds: one less than have passed is older than the change */
		long		older = (long) (ms_since(&policy.changed_at) / 1000) - 1;

		HTTP_SETOPT(t->easy, CURLOPT_MAXLIFETIME_CONN, older);
#else
		HTTP_SETOPT(t->easy, CURLOPT_FRESH_CONNECT, 1L);
#endif
	}
}

/*
 * HttpPolicyStarted / HttpPolicyReleased
 *		Count the transfers running under each generation of the policy.
 *		Released never raises ERROR.
 */
void
HttpPolicyStarted(HttpTransfer *t)
{
	t->policy_generation = policy.generation;
	t->policy_counted = true;
	policy.running_current++;
}

void
HttpPolicyReleased(HttpTransfer *t)
{
	if (!t->policy_counted)
		return;
	t->policy_counted = false;
	if (t->policy_generation == policy.generation)
		policy.running_current--;
	else if (policy.running_old > 0)
		policy.running_old--;
}

/*
 * HttpPolicyRefused
 *		Whether a failed transfer failed because the policy refused every
 *		address it tried; if so, words the error of the response.
 */
bool
HttpPolicyRefused(const HttpTransfer *t, CURLcode rc, HttpResponse *response)
{
	if (rc == CURLE_OK || t->nrefused == 0 || t->nopened > 0)
		return false;
	snprintf(response->error, sizeof(response->error),
			 REFUSED_PREFIX "%s" REFUSED_SUFFIX, t->refused);
	return true;
}

/*
 * HttpReportRefused
 *		See http.h.
 */
void
HttpReportRefused(const HttpResponse *response, const char *context)
{
	char		address[HTTP_REFUSED_ADDRESS_LEN];
	const char *start;
	const char *end;

	if (response->outcome != HTTP_REFUSED)
		return;

	/* the address back from "connection to ADDR refused by ..." */
	start = response->error;
	if (strncmp(start, REFUSED_PREFIX, strlen(REFUSED_PREFIX)) == 0)
		start += strlen(REFUSED_PREFIX);
	end = strstr(start, REFUSED_SUFFIX);
	if (end == NULL)
		end = start + strlen(start);
	strlcpy(address, start, Min((size_t) (end - start) + 1, sizeof(address)));

	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("connection to %s refused by mlpredict.allowed_networks",
					address),
			 errdetail("%s is not a public address (%s). Loopback, link-local (such as the cloud metadata service 169.254.169.254), private and other non-public addresses are refused unless a network in mlpredict.allowed_networks contains them.",
					   address, AddrClassName(AddrClassifyText(address))),
			 errhint("If the endpoint is meant to be reached, a superuser can add its network to mlpredict.allowed_networks (in postgresql.conf, then reload)."),
			 context ? errcontext("%s", context) : 0));
}
