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

#include "provider/provider.h"
#include "util.h"
#include "wire/target.h"

/*
 * openai_default_format
 *		OPENAI-EMBED for an /embeddings endpoint, else OPENAI-CHAT.
 */
static const char *
openai_default_format(const char *endpoint, const char *model_version)
{
	if (endpoint && strstr(endpoint, "/embeddings") != NULL)
		return "OPENAI-EMBED";
	return "OPENAI-CHAT";
}

/*
 * openai_prepare
 *		POST to the endpoint with a bearer token.
 */
static void
openai_prepare(MlTarget *target, HttpRequest *request)
{
	char	   *auth = psprintf("Bearer %s", MlConnectionSecret(target, "api-key"));

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
	MlAddHeader(request, "api-key", MlConnectionSecret(target, "api-key"), true);
}

const MlProvider MlProviderOpenAI = {
	.name = "openai",
	.secret_keys = MlApiKeySecrets,
	.required_secrets = MlApiKeySecrets,
	.connection_options = MlNoKeys,
	.model_options = MlNoKeys,
	.default_format = openai_default_format,
	.prepare_request = openai_prepare,
};

const MlProvider MlProviderAzureOpenAI = {
	.name = "azureopenai",
	.secret_keys = MlApiKeySecrets,
	.required_secrets = MlApiKeySecrets,
	.connection_options = MlNoKeys,
	.model_options = MlNoKeys,
	.default_format = openai_default_format,
	.prepare_request = azureopenai_prepare,
};
