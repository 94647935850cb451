/*-------------------------------------------------------------------------
 *
 * sagemaker.c
 *	  The sagemaker provider: SageMaker runtime InvokeEndpoint, signed with
 *	  AWS Signature Version 4 (service "sagemaker").
 *
 * The endpoint is the invocation URL,
 * https://runtime.sagemaker.<region>.amazonaws.com/endpoints/<name>/invocations.
 * Model options become SageMaker's routing headers (values verbatim, only
 * when set): target_variant, target_model, target_container_hostname,
 * inference_component_name, custom_attributes, inference_id and
 * enable_explanations.  The default format is CSV, as Confluent's.  A
 * Triton body with binary tensors announces its JSON header length in the
 * Content-Type, as SageMaker's Triton containers expect, instead of the
 * Inference-Header-Content-Length header.
 *
 * IDENTIFICATION
 *	  src/provider/sagemaker.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "provider/aws.h"
#include "provider/provider.h"
#include "wire/target.h"

#define SAGEMAKER_SERVICE "sagemaker"
#define TRITON_HEADER_LENGTH "Inference-Header-Content-Length"

/* model option -> header */
static const struct
{
	const char *option;
	const char *header;
}			routing_headers[] = {
	{"target_variant", "X-Amzn-SageMaker-Target-Variant"},
	{"target_model", "X-Amzn-SageMaker-Target-Model"},
	{"target_container_hostname", "X-Amzn-SageMaker-Target-Container-Hostname"},
	{"inference_component_name", "X-Amzn-SageMaker-Inference-Component"},
	{"custom_attributes", "X-Amzn-SageMaker-Custom-Attributes"},
	{"inference_id", "X-Amzn-SageMaker-Inference-Id"},
	{"enable_explanations", "X-Amzn-SageMaker-Enable-Explanations"},
};

static const char *const sagemaker_model_options[] = {
	"custom_attributes", "enable_explanations", "inference_component_name",
	"inference_id", "target_container_hostname", "target_model",
	"target_variant", NULL
};

/*
 * sagemaker_default_format
 *		CSV, whatever the endpoint.
 */
static const char *
sagemaker_default_format(const char *endpoint, const char *model_version)
{
	return "CSV";
}

/*
 * triton_content_type
 *		Move a binary Triton body's JSON length into SageMaker's Content-Type.
 */
static void
triton_content_type(HttpRequest *request)
{
	const char *length = MlRequestHeader(request, TRITON_HEADER_LENGTH);

	if (length == NULL)
		return;
	MlSetHeader(request, "Content-Type",
				psprintf("application/vnd.sagemaker-triton.binary+json;json-header-size=%s",
						 length), false);
	MlRemoveHeader(request, TRITON_HEADER_LENGTH);
}

/*
 * sagemaker_prepare
 *		POST to the invocation URL with the routing headers, signed.
 */
static void
sagemaker_prepare(MlTarget *target, HttpRequest *request)
{
	request->url = pstrdup(target->connection->endpoint);
	for (int i = 0; i < lengthof(routing_headers); i++)
	{
		const char *value = MlTargetOption(target, routing_headers[i].option);

		if (value && value[0])
			MlSetHeader(request, routing_headers[i].header, value, false);
	}
	triton_content_type(request);
	MlAwsSign(target, request, SAGEMAKER_SERVICE);
}

const MlProvider MlProviderSageMaker = {
	.name = "sagemaker",
	.secret_keys = MlAwsSecrets,
	.required_secrets = MlAwsRequiredSecrets,
	.connection_options = MlAwsConnectionOptions,
	.model_options = sagemaker_model_options,
	.default_format = sagemaker_default_format,
	.prepare_request = sagemaker_prepare,
	.check_connection = MlAwsCheckConnection,
};
