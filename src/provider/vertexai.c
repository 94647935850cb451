/*-------------------------------------------------------------------------
 *
 * vertexai.c
 *	  The vertexai provider: Google Vertex AI publisher models (Gemini,
 *	  Claude, text embeddings) and deployed endpoints.
 *
 * The connection's service-key is a service account's JSON key; requests
 * carry "Authorization: Bearer <token>" with an access token minted from
 * it (gcp_token.c).  The endpoint's verb is adjusted as Confluent does:
 *   - publisher models: streaming verbs become their one-shot forms, and
 *     an endpoint without a verb gets :rawPredict (anthropic) or
 *     :generateContent (google and others);
 *   - deployed endpoints: an endpoint without a verb gets :predict, and
 *     :predict becomes :rawPredict when the body is not TF Serving's
 *     {"instances": ...}, the only shape :predict accepts.
 * Default formats: GEMINI-GENERATE for Google publisher models
 * (VERTEX-EMBED when the verb is :predict, which only the embedding
 * models take), ANTHROPIC-MESSAGES for Anthropic's, TF-SERVING otherwise.
 *
 * IDENTIFICATION
 *	  src/provider/vertexai.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "format/format.h"
#include "provider/google.h"
#include "provider/provider.h"
#include "util.h"
#include "wire/target.h"

static const char *const service_key_secrets[] = {"service-key", NULL};

/*
 * publisher_of
 *		The publisher named in a ".../publishers/<p>/models/..." path, or
 *		NULL for a deployed endpoint.
 */
static char *
publisher_of(const char *path)
{
	const char *p = strstr(path, "/publishers/");

	if (p == NULL)
		return NULL;
	p += strlen("/publishers/");
	return pnstrdup(p, strcspn(p, "/"));
}

/*
 * verb_of
 *		The ":verb" ending the last path segment, or NULL.
 */
static const char *
verb_of(const char *path)
{
	const char *last = strrchr(path, '/');
	const char *colon = strrchr(last ? last : path, ':');

	return colon ? colon + 1 : NULL;
}

/*
 * vertexai_default_format
 *		By publisher and verb.
 */
static const char *
vertexai_default_format(const char *endpoint, const char *model_version)
{
	MlUrl		url;
	char	   *publisher;
	const char *verb;

	if (endpoint == NULL || !MlSplitUrl(endpoint, &url))
		return "TF-SERVING";
	publisher = publisher_of(url.path);
	verb = verb_of(url.path);
	if (publisher == NULL)
		return "TF-SERVING";
	if (strcmp(publisher, "anthropic") == 0)
		return "ANTHROPIC-MESSAGES";
	if (strcmp(publisher, "google") == 0 && verb && strcmp(verb, "predict") == 0)
		return "VERTEX-EMBED";
	return "GEMINI-GENERATE";
}

/*
 * publisher_path
 *		One-shot verb for a publisher model, added when missing.
 */
static char *
publisher_path(const char *path, const char *publisher)
{
	char	   *p = MlGoogleRewriteVerb(path, "streamGenerateContent", "generateContent");

	p = MlGoogleRewriteVerb(p, "streamRawPredict", "rawPredict");
	if (verb_of(p) == NULL)
		p = psprintf("%s:%s", p,
					 strcmp(publisher, "anthropic") == 0 ? "rawPredict" : "generateContent");
	return p;
}

/*
 * takes_instances
 *		Does the input format send TF Serving's {"instances": ...}?
 */
static bool
takes_instances(const MlFormat *format)
{
	return strcmp(format->name, "TF-SERVING") == 0 ||
		strcmp(format->name, "VERTEXAI-PYTORCH") == 0 ||
		strcmp(format->name, "VERTEX-EMBED") == 0;
}

/*
 * endpoint_path
 *		:predict for instance bodies, :rawPredict for anything else.
 */
static char *
endpoint_path(const char *path, const MlFormat *format)
{
	static const char *const streaming[] = {
		"streamGenerateContent", "generateContent", "streamRawPredict",
		"serverStreamingPredict", "streamingPredict", NULL
	};
	char	   *p = pstrdup(path);

	for (int i = 0; streaming[i]; i++)
		p = MlGoogleRewriteVerb(p, streaming[i], "predict");
	if (verb_of(p) == NULL)
		p = psprintf("%s:predict", p);
	if (!takes_instances(format))
		p = MlGoogleRewriteVerb(p, "predict", "rawPredict");
	return p;
}

/*
 * vertexai_check_connection
 *		The service key must parse and its private key must sign.
 */
static void
vertexai_check_connection(const char *endpoint, List *options, List *secrets)
{
	const char *key = MlOptionGet(secrets, "service-key");

	MlGoogleCheckNoKeyInUrl(endpoint);
	if (key)
		(void) MlParseServiceAccount(key, true);
}

/*
 * vertexai_prepare
 *		POST to the adjusted URL with a bearer access token.
 */
static void
vertexai_prepare(MlTarget *target, HttpRequest *request)
{
	MlUrl		url;
	char	   *publisher;

	if (!MlSplitUrl(target->connection->endpoint, &url))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid endpoint \"%s\"", MlMaskedEndpoint(target->connection->endpoint))));
	publisher = publisher_of(url.path);
	url.path = publisher ? publisher_path(url.path, publisher) :
		endpoint_path(url.path, target->input_format);
	if (url.query && strcmp(url.query, "alt=sse") == 0)
		url.query = NULL;
	request->url = MlJoinUrl(&url);
	MlAddHeader(request, "Authorization",
				psprintf("Bearer %s",
						 MlGcpAccessToken(MlConnectionSecret(target, "service-key"),
										  target->connection->name,
										  request->timeout_ms)),
				true);
}

const MlProvider MlProviderVertexAI = {
	.name = "vertexai",
	.secret_keys = service_key_secrets,
	.required_secrets = service_key_secrets,
	.connection_options = MlNoKeys,
	.model_options = MlNoKeys,
	.default_format = vertexai_default_format,
	.prepare_request = vertexai_prepare,
	.check_connection = vertexai_check_connection,
};
