/*-------------------------------------------------------------------------
 *
 * anthropic.c
 *	  The anthropic provider: Anthropic's Messages API called directly.
 *
 * Authentication is the "x-api-key" header; every request names the API
 * version in "anthropic-version" (2023-06-01, the version the Messages
 * API is documented under).  The body is ANTHROPIC-MESSAGES, whose model
 * field comes from anthropic.model_version (or anthropic.params.model).
 *
 * IDENTIFICATION
 *	  src/provider/anthropic.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "provider/provider.h"
#include "wire/target.h"

#define ANTHROPIC_API_VERSION "2023-06-01"

/*
 * anthropic_default_format
 *		The Messages API.
 */
static const char *
anthropic_default_format(const char *endpoint, const char *model_version)
{
	return "ANTHROPIC-MESSAGES";
}

/*
 * anthropic_prepare
 *		POST to the endpoint with the key and API version headers.
 */
static void
anthropic_prepare(MlTarget *target, HttpRequest *request)
{
	request->url = pstrdup(target->connection->endpoint);
	MlAddHeader(request, "x-api-key", MlConnectionSecret(target, "api-key"), true);
	MlAddHeader(request, "anthropic-version", ANTHROPIC_API_VERSION, false);
}

const MlProvider MlProviderAnthropic = {
	.name = "anthropic",
	.secret_keys = MlApiKeySecrets,
	.required_secrets = MlApiKeySecrets,
	.connection_options = MlNoKeys,
	.model_options = MlNoKeys,
	.default_format = anthropic_default_format,
	.prepare_request = anthropic_prepare,
};
