/*-------------------------------------------------------------------------
 *
 * googleai.c
 *	  The googleai provider: the Gemini API (generativelanguage.googleapis.com).
 *
 * The API key travels in the "x-goog-api-key" header, never in the URL,
 * so it cannot reach a log line that prints URLs; an endpoint carrying a
 * key= parameter is refused when the connection is created.  The endpoint
 * names the model and verb (.../models/gemini-2.0-flash:generateContent);
 * a streaming verb is turned into its one-shot counterpart, since each row
 * is one request.  Formats: GEMINI-EMBED for :embedContent (or
 * :batchEmbedContents), else GEMINI-GENERATE.  A request of one row goes to
 * :embedContent whichever embedding verb the endpoint names; a batch of
 * rows (GEMINI-EMBED's batch form) to the method its body names,
 * :batchEmbedContents.
 *
 * IDENTIFICATION
 *	  src/provider/googleai.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "provider/google.h"
#include "provider/provider.h"
#include "util.h"
#include "wire/target.h"

/*
 * googleai_default_format
 *		By the endpoint's verb.
 */
static const char *
googleai_default_format(const char *endpoint, const char *model_version)
{
	if (endpoint && (strstr(endpoint, ":embedContent") ||
					 strstr(endpoint, ":batchEmbedContents")))
		return "GEMINI-EMBED";
	return "GEMINI-GENERATE";
}

/*
 * MlGoogleRewriteVerb
 *		path with a trailing ":<from>" verb replaced by ":<to>"; the path
 *		itself when it does not end so.
 */
char *
MlGoogleRewriteVerb(const char *path, const char *from, const char *to)
{
	size_t		len = strlen(path);
	size_t		flen = strlen(from);

	if (len > flen && path[len - flen - 1] == ':' &&
		strcmp(path + len - flen, from) == 0)
		return psprintf("%.*s%s", (int) (len - flen), path, to);
	return pstrdup(path);
}

/*
 * MlGoogleCheckNoKeyInUrl
 *		Refuse endpoints that carry an API key or token in their query.
 */
void
MlGoogleCheckNoKeyInUrl(const char *endpoint)
{
	MlUrl		url;

	if (!MlSplitUrl(endpoint, &url) || url.query == NULL)
		return;
	if (strncmp(url.query, "key=", 4) == 0 || strstr(url.query, "&key=") ||
		strstr(url.query, "access_token="))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("endpoint must not contain a key"),
				 errdetail("URLs end up in logs and error messages; keys in them leak."),
				 errhint("Remove the key= parameter and give the key as 'api-key'.")));
}

/*
 * googleai_check_connection
 *		No key in the URL.
 */
static void
googleai_check_connection(const char *endpoint, List *options, List *secrets)
{
	MlGoogleCheckNoKeyInUrl(endpoint);
}

/*
 * with_method
 *		path with its ":verb" (if any) replaced by ":method".
 */
static char *
with_method(const char *path, const char *method)
{
	const char *last = strrchr(path, '/');
	const char *colon = strrchr(last ? last : path, ':');
	int			keep = colon ? (int) (colon - path) : (int) strlen(path);

	return psprintf("%.*s:%s", keep, path, method);
}

/*
 * googleai_address
 *		POST to the endpoint (one-shot verb, no alt=sse; method's verb when
 *		given) with the key header.
 */
static void
googleai_address(MlTarget *target, HttpRequest *request, const char *method)
{
	MlUrl		url;

	if (!MlSplitUrl(target->connection->endpoint, &url))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid endpoint \"%s\"", MlMaskedEndpoint(target->connection->endpoint))));
	url.path = MlGoogleRewriteVerb(url.path, "streamGenerateContent", "generateContent");
	if (method)
		url.path = with_method(url.path, method);
	else
		url.path = MlGoogleRewriteVerb(url.path, "batchEmbedContents", "embedContent");
	if (url.query && strcmp(url.query, "alt=sse") == 0)
		url.query = NULL;
	request->url = MlJoinUrl(&url);
	MlAddHeader(request, "x-goog-api-key", MlConnectionSecret(target, "api-key"), true);
}

/*
 * googleai_prepare
 *		A request of the endpoint's own method.
 */
static void
googleai_prepare(MlTarget *target, HttpRequest *request)
{
	googleai_address(target, request, NULL);
}

/*
 * googleai_prepare_method
 *		A request of another method of the model (batchEmbedContents).
 */
static void
googleai_prepare_method(MlTarget *target, HttpRequest *request,
						const char *method)
{
	googleai_address(target, request, method);
}

const MlProvider MlProviderGoogleAI = {
	.name = "googleai",
	.secret_keys = MlApiKeySecrets,
	.required_secrets = MlApiKeySecrets,
	.connection_options = MlNoKeys,
	.model_options = MlNoKeys,
	.default_format = googleai_default_format,
	.prepare_request = googleai_prepare,
	.prepare_method = googleai_prepare_method,
	.check_connection = googleai_check_connection,
};
