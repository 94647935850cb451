/*-------------------------------------------------------------------------
 *
 * gcp_token.c
 *	  OAuth2 access tokens for a Google service account (Vertex AI).
 *
 * A service-account key (the JSON file Google issues) is turned into an
 * access token with the JWT bearer grant: an RS256-signed assertion
 * (auth/jwt.c) naming the account, the cloud-platform scope and the key's
 * token_uri as audience is POSTed to token_uri, which answers with a
 * bearer token valid for about an hour.  Tokens are cached in this
 * backend per service key (keyed by the key's SHA-256, so no secret is
 * kept as a key) until shortly before they expire: a tenth of their
 * lifetime, at most five minutes.  A changed key (ALTER CONNECTION) has a
 * different hash and therefore gets a fresh token.
 *
 * IDENTIFICATION
 *	  src/provider/gcp_token.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "auth/jwt.h"
#include "auth/sigv4.h"
#include "http/http.h"
#include "provider/google.h"
#include "provider/provider.h"
#include "types/json_datum.h"

#define GCP_SCOPE "https://www.googleapis.com/auth/cloud-platform"
#define GCP_DEFAULT_TOKEN_URI "https://oauth2.googleapis.com/token"
#define GCP_ASSERTION_LIFETIME 3600
#define GCP_MAX_MARGIN_S 300

typedef struct CachedToken
{
	char		key_hash[65];
	char	   *token;			/* in TopMemoryContext */
	time_t		refresh_at;
} CachedToken;

static List *token_cache = NIL;	/* CachedToken *, in TopMemoryContext */

/*
 * json_string_field
 *		A top-level string member of a JSON object, or NULL.
 */
static char *
json_string_field(Jsonb *doc, const char *pointer)
{
	JsonbValue	v;

	if (!MlJsonPointer(doc, pointer, &v) || v.type != jbvString)
		return NULL;
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/*
 * key_error
 *		A service key that cannot be used.  Never quotes the key.
 */
static void
key_error(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid service-key"),
			 errdetail("%s", detail),
			 errhint("Use the JSON key file of a Google service account, as downloaded from the Cloud console.")));
}

/*
 * check_private_key
 *		Sign a throwaway assertion to prove the private key is usable.
 */
static void
check_private_key(MlServiceAccount *sa)
{
	char		err[256];
	char	   *jwt = jwt_rs256_assertion(sa->client_email, sa->private_key,
										  sa->private_key_id, GCP_SCOPE,
										  sa->token_uri, (long long) time(NULL),
										  GCP_ASSERTION_LIFETIME, err, sizeof(err));

	if (jwt == NULL)
		key_error(psprintf("The private_key cannot sign: %s.", err));
	free(jwt);
}

/*
 * MlParseServiceAccount
 *		The fields of a service-account key; with check_key, also prove the
 *		private key can sign.  Errors never quote the key.
 */
MlServiceAccount *
MlParseServiceAccount(const char *json, bool check_key)
{
	Jsonb	   *doc = MlTryParseJson(json, strlen(json));
	MlServiceAccount *sa = palloc0(sizeof(MlServiceAccount));

	if (doc == NULL || !JB_ROOT_IS_OBJECT(doc))
		key_error("The service-key is not a JSON object.");
	sa->client_email = json_string_field(doc, "/client_email");
	sa->private_key = json_string_field(doc, "/private_key");
	sa->private_key_id = json_string_field(doc, "/private_key_id");
	sa->token_uri = json_string_field(doc, "/token_uri");
	if (sa->client_email == NULL || sa->private_key == NULL)
		key_error("The service-key lacks client_email or private_key.");
	if (sa->token_uri == NULL)
		sa->token_uri = pstrdup(GCP_DEFAULT_TOKEN_URI);
	MlCheckEndpoint(sa->token_uri, NULL, -1);
	if (check_key)
		check_private_key(sa);
	return sa;
}

/*
 * cache_lookup
 *		The cache entry for a key hash, or NULL.
 */
static CachedToken *
cache_lookup(const char *hash)
{
	ListCell   *lc;

	foreach(lc, token_cache)
	{
		CachedToken *entry = lfirst(lc);

		if (strcmp(entry->key_hash, hash) == 0)
			return entry;
	}
	return NULL;
}

/*
 * cache_store
 *		Remember a token until refresh_at.
 */
static void
cache_store(const char *hash, const char *token, time_t refresh_at)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	CachedToken *entry = cache_lookup(hash);

	if (entry == NULL)
	{
		entry = palloc0(sizeof(CachedToken));
		strlcpy(entry->key_hash, hash, sizeof(entry->key_hash));
		token_cache = lappend(token_cache, entry);
	}
	else
		pfree(entry->token);
	entry->token = pstrdup(token);
	entry->refresh_at = refresh_at;
	MemoryContextSwitchTo(old);
}

/*
 * token_request
 *		The JWT bearer grant request for a service account.
 */
static HttpRequest *
token_request(MlServiceAccount *sa, int timeout_ms)
{
	HttpRequest *request = palloc0(sizeof(HttpRequest));
	char		err[256];
	char	   *jwt;
	char	   *body;

	jwt = jwt_rs256_assertion(sa->client_email, sa->private_key, sa->private_key_id,
							  GCP_SCOPE, sa->token_uri, (long long) time(NULL),
							  GCP_ASSERTION_LIFETIME, err, sizeof(err));
	if (jwt == NULL)
		key_error(psprintf("The private_key cannot sign: %s.", err));
	body = jwt_token_request_body(jwt);
	free(jwt);
	if (body == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	request->method = "POST";
	request->url = sa->token_uri;
	request->body = pstrdup(body);
	request->body_len = strlen(body);
	free(body);
	MlAddHeader(request, "Content-Type", "application/x-www-form-urlencoded", false);
	MlAddHeader(request, "Accept", "application/json", false);
	request->timeout_ms = timeout_ms;
	request->connect_timeout_ms = Min(mlpredict_connect_timeout, timeout_ms);
	request->allow_http = mlpredict_allow_insecure_http;
	return request;
}

/*
 * token_failure
 *		The token endpoint refused or could not be reached.
 */
static void
token_failure(const char *connection, HttpResponse *response)
{
	Jsonb	   *doc = MlTryParseJson(response->body.data ? response->body.data : "",
									 response->body.len);
	char	   *error = doc ? json_string_field(doc, "/error") : NULL;
	char	   *description = doc ? json_string_field(doc, "/error_description") : NULL;

	HttpReportRefused(response,
					  psprintf("access token request of connection \"%s\"", connection));
	if (response->outcome != HTTP_OK)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not obtain an access token for connection \"%s\"", connection),
				 errdetail("The token endpoint could not be reached: %s", response->error)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			 errmsg("could not obtain an access token for connection \"%s\"", connection),
			 errdetail("The token endpoint answered HTTP %ld%s%s%s%s.", response->status,
					   error ? ": " : "", error ? error : "",
					   description ? ": " : "", description ? description : ""),
			 errhint("Check the service-key of connection \"%s\" (a revoked or rotated key, or a clock far off, is refused).",
					 connection)));
}

/*
 * fetch_token
 *		Exchange a signed assertion for an access token; caches it.
 */
static const char *
fetch_token(MlServiceAccount *sa, const char *hash, const char *connection,
			int timeout_ms)
{
	HttpRequest *request = token_request(sa, timeout_ms);
	HttpResponse response = {0};
	Jsonb	   *doc;
	char	   *token;
	JsonbValue	expires;
	long		lifetime = 3600;

	HttpPerform(&request, &response, 1);
	if (response.outcome != HTTP_OK || response.status != 200)
		token_failure(connection, &response);
	doc = MlTryParseJson(response.body.data, response.body.len);
	token = doc ? json_string_field(doc, "/access_token") : NULL;
	if (token == NULL || token[0] == '\0')
		token_failure(connection, &response);
	if (MlJsonPointer(doc, "/expires_in", &expires) && expires.type == jbvNumeric)
		lifetime = DatumGetInt64(DirectFunctionCall1(numeric_int8,
													 NumericGetDatum(expires.val.numeric)));
	cache_store(hash, token, time(NULL) + lifetime - Min(GCP_MAX_MARGIN_S, lifetime / 10));
	return cache_lookup(hash)->token;
}

/*
 * MlGcpAccessToken
 *		A valid access token for this service key (cached, or fetched now).
 */
const char *
MlGcpAccessToken(const char *service_key, const char *connection, int timeout_ms)
{
	char		hash[65];
	CachedToken *entry;

	sigv4_sha256_hex((const unsigned char *) service_key, strlen(service_key), hash);
	entry = cache_lookup(hash);
	if (entry && time(NULL) < entry->refresh_at)
		return entry->token;
	return fetch_token(MlParseServiceAccount(service_key, false), hash, connection,
					   timeout_ms);
}
