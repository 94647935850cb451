/*-------------------------------------------------------------------------
 *
 * azureml.c
 *	  The azureml provider: Azure Machine Learning online endpoints and
 *	  Azure AI Foundry (serverless) model endpoints.
 *
 * Both take "Authorization: Bearer <key>".  The model option
 * azureml.deployment_name pins a deployment with the
 * azureml-model-deployment header.  The default format is
 * AZUREML-PANDAS-DATAFRAME (MLflow models), except for AI Foundry hosts
 * (*.inference.ai.azure.com, *.models.ai.azure.com,
 * *.services.ai.azure.com), which speak the OpenAI chat and embeddings
 * dialect: OPENAI-EMBED for an /embeddings route, else OPENAI-CHAT.
 *
 * IDENTIFICATION
 *	  src/provider/azureml.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "provider/provider.h"
#include "util.h"
#include "wire/target.h"

static const char *const azureml_model_options[] = {"deployment_name", NULL};

/*
 * is_foundry_host
 *		An Azure AI Foundry model inference host?
 */
static bool
is_foundry_host(const char *endpoint)
{
	static const char *const suffixes[] = {
		".inference.ai.azure.com", ".models.ai.azure.com", ".services.ai.azure.com", NULL
	};
	MlUrl		url;

	if (endpoint == NULL || !MlSplitUrl(endpoint, &url))
		return false;
	for (int i = 0; suffixes[i]; i++)
	{
		size_t		hl = strlen(url.host);
		size_t		sl = strlen(suffixes[i]);

		if (hl > sl && pg_strcasecmp(url.host + hl - sl, suffixes[i]) == 0)
			return true;
	}
	return false;
}

/*
 * azureml_default_format
 *		OpenAI dialect on AI Foundry hosts, pandas split frames elsewhere.
 */
static const char *
azureml_default_format(const char *endpoint, const char *model_version)
{
	if (!is_foundry_host(endpoint))
		return "AZUREML-PANDAS-DATAFRAME";
	if (strstr(endpoint, "/embeddings") != NULL)
		return "OPENAI-EMBED";
	return "OPENAI-CHAT";
}

/*
 * azureml_prepare
 *		POST to the scoring URL with a bearer key and optional deployment.
 */
static void
azureml_prepare(MlTarget *target, HttpRequest *request)
{
	const char *deployment = MlTargetOption(target, "deployment_name");

	request->url = pstrdup(target->connection->endpoint);
	MlAddHeader(request, "Authorization",
				psprintf("Bearer %s", MlConnectionSecret(target, "api-key")), true);
	if (deployment && deployment[0])
		MlSetHeader(request, "azureml-model-deployment", deployment, false);
}

const MlProvider MlProviderAzureML = {
	.name = "azureml",
	.secret_keys = MlApiKeySecrets,
	.required_secrets = MlApiKeySecrets,
	.connection_options = MlNoKeys,
	.model_options = azureml_model_options,
	.default_format = azureml_default_format,
	.prepare_request = azureml_prepare,
};
