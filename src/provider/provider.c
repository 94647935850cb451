/*-------------------------------------------------------------------------
 *
 * provider.c
 *	  The provider registry, connection secret keys and endpoint checks.
 *
 * Every connection type Confluent documents for model providers is known
 * here, with its secret keys (in Confluent's spelling and the seed's
 * aws_* spelling), so connections can be registered for all of them.
 * A provider whose request path is not built yet has no prepare_request,
 * and creating a model on it reports that clearly.
 *
 * IDENTIFICATION
 *	  src/provider/provider.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

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
static const char *const aws_secrets[] = {"aws-access-key", "aws-secret-key", "aws-session-token", NULL};
static const char *const aws_required[] = {"aws-access-key", "aws-secret-key", NULL};
static const char *const service_key_secrets[] = {"service-key", NULL};
static const char *const aws_options[] = {"aws-region", NULL};
static const char *const azureml_model_options[] = {"deployment_name", NULL};
static const char *const sagemaker_model_options[] = {
	"custom_attributes", "enable_explanations", "inference_component_name",
	"inference_id", "target_container_hostname", "target_model",
	"target_variant", NULL
};

/* Providers whose transport is added by later work: keys only. */
static const MlProvider provider_azureml = {
	"azureml", MlApiKeySecrets, MlApiKeySecrets, MlNoKeys, azureml_model_options, NULL, NULL
};
static const MlProvider provider_bedrock = {
	"bedrock", aws_secrets, aws_required, aws_options, MlNoKeys, NULL, NULL
};
static const MlProvider provider_sagemaker = {
	"sagemaker", aws_secrets, aws_required, aws_options, sagemaker_model_options, NULL, NULL
};
static const MlProvider provider_googleai = {
	"googleai", MlApiKeySecrets, MlApiKeySecrets, MlNoKeys, MlNoKeys, NULL, NULL
};
static const MlProvider provider_vertexai = {
	"vertexai", service_key_secrets, service_key_secrets, MlNoKeys, MlNoKeys, NULL, NULL
};
static const MlProvider provider_anthropic = {
	"anthropic", MlApiKeySecrets, MlApiKeySecrets, MlNoKeys, MlNoKeys, NULL, NULL
};

static const MlProvider *const providers[] = {
	&MlProviderOpenAI,
	&MlProviderAzureOpenAI,
	&provider_azureml,
	&provider_bedrock,
	&provider_sagemaker,
	&provider_googleai,
	&provider_vertexai,
	&provider_anthropic,
	NULL
};

/*
 * MlProviderNames
 *		Comma-separated list of provider names, for hints.
 */
char *
MlProviderNames(void)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; providers[i]; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", providers[i]->name);
	return buf.data;
}

/*
 * MlProviderLookup
 *		Find a provider by name, ignoring case.
 */
const MlProvider *
MlProviderLookup(const char *name, bool missing_ok)
{
	int			i;

	for (i = 0; name && providers[i]; i++)
		if (pg_strcasecmp(providers[i]->name, name) == 0)
			return providers[i];
	if (missing_ok)
		return NULL;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unsupported provider \"%s\"", name ? name : ""),
			 errhint("Supported providers are %s.", MlProviderNames())));
	return NULL;
}

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
 * endpoint_error
 *		Raise an invalid-endpoint error, with a position when the endpoint
 *		came from statement text.
 */
static void
endpoint_error(const char *endpoint, const char *detail, const char *hint,
			   const char *statement, int location)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid endpoint \"%s\"", endpoint),
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
	hostlen = strcspn(host, "/?#");
	if (hostlen == 0 || strchr(endpoint, ' ') != NULL ||
		memchr(host, '@', hostlen) != NULL)
		endpoint_error(endpoint, "The URL must name a host and must not contain spaces or user information.",
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
