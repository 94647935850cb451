/*-------------------------------------------------------------------------
 *
 * provider.c
 *	  Connection secret keys and endpoint checks.
 *
 * Every connection type Confluent documents for model providers is listed
 * in registry.c; secret keys are known here in Confluent's spelling and
 * the seed's aws_* spelling.  Each provider lives in its own file; this
 * one holds what they share: key lists, endpoint checks and request
 * header helpers.
 *
 * IDENTIFICATION
 *	  src/provider/provider.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "http/endpoint_mask.h"
#include "provider/provider.h"
#include "util.h"

/* Secret keys: canonical spelling first, then accepted aliases. */
typedef struct SecretAlias
{
	const char *alias;
	const char *canonical;
} SecretAlias;

static const SecretAlias secret_aliases[] = {
	{"api-key", "api-key"},
	{"api_key", "api-key"},
	{"aws-access-key", "aws-access-key"},
	{"aws_access_key_id", "aws-access-key"},
	{"aws-access-key-id", "aws-access-key"},
	{"aws-secret-key", "aws-secret-key"},
	{"aws_secret_access_key", "aws-secret-key"},
	{"aws-secret-access-key", "aws-secret-key"},
	{"aws-session-token", "aws-session-token"},
	{"aws_session_token", "aws-session-token"},
	{"service-key", "service-key"},
	{"service_key", "service-key"},
	{"username", "username"},
	{"password", "password"},
	{NULL, NULL}
};

const char *const MlApiKeySecrets[] = {"api-key", NULL};
const char *const MlNoKeys[] = {NULL};
const char *const MlAwsSecrets[] = {"aws-access-key", "aws-secret-key", "aws-session-token", NULL};
const char *const MlAwsRequiredSecrets[] = {"aws-access-key", "aws-secret-key", NULL};
const char *const MlAwsConnectionOptions[] = {"aws-region", NULL};

/*
 * MlCanonicalSecretKey
 *		Canonical spelling of a secret key, or NULL if key is not a secret.
 */
const char *
MlCanonicalSecretKey(const char *key)
{
	int			i;

	for (i = 0; secret_aliases[i].alias; i++)
		if (pg_strcasecmp(secret_aliases[i].alias, key) == 0)
			return secret_aliases[i].canonical;
	return NULL;
}

/*
 * MlKeyInList
 *		Case-insensitive membership in a NULL-terminated key list.
 */
bool
MlKeyInList(const char *key, const char *const *list)
{
	for (; list && *list; list++)
		if (pg_strcasecmp(*list, key) == 0)
			return true;
	return false;
}

/*
 * MlKeyListText
 *		"a, b, c" for a NULL-terminated key list.
 */
char *
MlKeyListText(const char *const *list)
{
	StringInfoData buf;
	bool		first = true;

	initStringInfo(&buf);
	for (; list && *list; list++)
	{
		appendStringInfo(&buf, "%s%s", first ? "" : ", ", *list);
		first = false;
	}
	return buf.data;
}

/*
 * MlMaskedEndpoint
 *		The endpoint as views, errors and debug output show it: the values
 *		of credential query parameters (?code=, ?key=, ?sig=, ...) replaced
 *		by "*****" (endpoint_mask.h).
 */
char *
MlMaskedEndpoint(const char *endpoint)
{
	size_t		size = ENDPOINT_MASK_SIZE(strlen(endpoint));
	char	   *out = palloc(size);

	(void) EndpointMask(endpoint, out, size);
	return out;
}

/*
 * endpoint_error
 *		Raise an invalid-endpoint error, with a position when the endpoint
 *		came from statement text.  The endpoint is shown masked.
 */
static void
endpoint_error(const char *endpoint, const char *detail, const char *hint,
			   const char *statement, int location)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid endpoint \"%s\"", MlMaskedEndpoint(endpoint)),
			 errdetail("%s", detail),
			 hint ? errhint("%s", hint) : 0,
			 statement && location >= 0 ?
			 internalerrposition(MlErrorPosition(statement, location)) : 0,
			 statement && location >= 0 ? internalerrquery(statement) : 0));
}

/*
 * MlCheckEndpoint
 *		An endpoint must be an absolute https URL with a host; plain http is
 *		allowed only while mlpredict.allow_insecure_http is on.
 */
void
MlCheckEndpoint(const char *endpoint, const char *statement, int location)
{
	const char *host;
	size_t		hostlen;

	if (pg_strncasecmp(endpoint, "https://", 8) == 0)
		host = endpoint + 8;
	else if (pg_strncasecmp(endpoint, "http://", 7) == 0)
	{
		if (!mlpredict_allow_insecure_http)
			endpoint_error(endpoint, "Plain http:// endpoints are refused: secrets would travel unencrypted.",
						   "Use an https:// endpoint, or have a superuser enable mlpredict.allow_insecure_http for local test servers.",
						   statement, location);
		host = endpoint + 7;
	}
	else
	{
		endpoint_error(endpoint, "An endpoint must be an absolute URL starting with https://.",
					   NULL, statement, location);
		return;
	}
	for (const char *c = endpoint; *c; c++)
		if ((unsigned char) *c <= ' ' || *c == 0x7f)
			endpoint_error(endpoint, "The URL must not contain spaces or control characters (such as CR or LF).",
						   "Percent-encode them (%20, %0D, %0A).", statement, location);
	hostlen = strcspn(host, "/?#");
	if (hostlen == 0 ||
		memchr(host, '@', hostlen) != NULL)
		endpoint_error(endpoint, "The URL must name a host and must not contain user information.",
					   NULL, statement, location);
}

/*
 * MlAddHeader
 *		Append a header to a request.
 */
void
MlAddHeader(HttpRequest *request, const char *name, const char *value, bool secret)
{
	HttpHeader *h = palloc(sizeof(HttpHeader));

	h->name = pstrdup(name);
	h->value = pstrdup(value);
	h->secret = secret;
	request->headers = lappend(request->headers, h);
}

/*
 * MlSetHeader
 *		Replace every header called name (case-insensitively) by one with
 *		this value.
 */
void
MlSetHeader(HttpRequest *request, const char *name, const char *value, bool secret)
{
	MlRemoveHeader(request, name);
	MlAddHeader(request, name, value, secret);
}

/*
 * MlRemoveHeader
 *		Drop every header called name (case-insensitively).
 */
void
MlRemoveHeader(HttpRequest *request, const char *name)
{
	ListCell   *lc;

	foreach(lc, request->headers)
	{
		HttpHeader *h = lfirst(lc);

		if (pg_strcasecmp(h->name, name) == 0)
			request->headers = foreach_delete_current(request->headers, lc);
	}
}

/*
 * MlRequestHeader
 *		The value of a request header (case-insensitive name), or NULL.
 */
const char *
MlRequestHeader(HttpRequest *request, const char *name)
{
	ListCell   *lc;

	foreach(lc, request->headers)
	{
		HttpHeader *h = lfirst(lc);

		if (pg_strcasecmp(h->name, name) == 0)
			return h->value;
	}
	return NULL;
}
