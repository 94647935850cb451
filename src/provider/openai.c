/*-------------------------------------------------------------------------
 *
 * openai.c
 *	  The openai and azureopenai providers.
 *
 * OpenAI authenticates with "Authorization: Bearer <api-key>"; Azure OpenAI
 * with an "api-key" header, the deployment and api-version living in the
 * endpoint URL.  Both post to the endpoint as given.  The format defaults
 * to OPENAI-EMBED when the endpoint is an /embeddings route and to
 * OPENAI-CHAT otherwise, as Confluent does.  OpenAI-compatible servers
 * (Ollama, vLLM, llama.cpp) work through the openai provider with their
 * own endpoint.
 *
 * IDENTIFICATION
 *	  src/provider/openai.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "exec/request.h"
#include "provider/provider.h"
#include "util.h"

/*
 * openai_default_format
 *		OPENAI-EMBED for an /embeddings endpoint, else OPENAI-CHAT.
 */
static const char *
openai_default_format(const char *endpoint)
{
	if (endpoint && strstr(endpoint, "/embeddings") != NULL)
		return "OPENAI-EMBED";
	return "OPENAI-CHAT";
}

/*
 * connection_api_key
 *		The connection's api-key; every openai-style connection has one.
 */
static const char *
connection_api_key(MlTarget *target)
{
	const char *key = MlOptionGet(target->connection->secrets, "api-key");

	if (key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("connection \"%s\" has no api-key", target->connection->name),
				 errhint("Set one with ALTER CONNECTION %s SET ('api-key' = '...').",
						 target->connection->name)));
	return key;
}

/*
 * openai_prepare
 *		POST to the endpoint with a bearer token.
 */
static void
openai_prepare(MlTarget *target, HttpRequest *request)
{
	char	   *auth = psprintf("Bearer %s", connection_api_key(target));

	request->url = pstrdup(target->connection->endpoint);
	MlAddHeader(request, "Authorization", auth, true);
}

/*
 * azureopenai_prepare
 *		POST to the deployment URL with the api-key header.
 */
static void
azureopenai_prepare(MlTarget *target, HttpRequest *request)
{
	request->url = pstrdup(target->connection->endpoint);
	MlAddHeader(request, "api-key", connection_api_key(target), true);
}

const MlProvider MlProviderOpenAI = {
	"openai", MlApiKeySecrets, MlApiKeySecrets, MlNoKeys, MlNoKeys,
	openai_default_format, openai_prepare
};

const MlProvider MlProviderAzureOpenAI = {
	"azureopenai", MlApiKeySecrets, MlApiKeySecrets, MlNoKeys, MlNoKeys,
	openai_default_format, azureopenai_prepare
};
