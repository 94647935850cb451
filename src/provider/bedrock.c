/*-------------------------------------------------------------------------
 *
 * bedrock.c
 *	  The bedrock provider: Amazon Bedrock's InvokeModel, signed with AWS
 *	  Signature Version 4 (service "bedrock").
 *
 * The endpoint is the InvokeModel URL of one model,
 * https://bedrock-runtime.<region>.amazonaws.com/model/<model-id>/invoke
 * (bedrock.model_version keeps Confluent's meaning: the anthropic_version
 * of Claude bodies).  Model ids contain ':' and ARNs
 * contain '/': whatever the user wrote (raw or already percent-encoded),
 * the id travels as one path segment encoded exactly once (%3A, %2F), and
 * the signer encodes it once more in the canonical request, as AWS does.
 *
 * The request format is picked from the model id as Confluent does (the
 * vendor before the first '.'), looking past cross-region inference
 * profile prefixes (us., eu., apac., global.) and ARNs, which Confluent
 * does not.
 *
 * IDENTIFICATION
 *	  src/provider/bedrock.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "auth/sigv4.h"
#include "provider/aws.h"
#include "provider/provider.h"
#include "util.h"
#include "wire/target.h"

#define BEDROCK_SERVICE "bedrock"

/*
 * percent_decode
 *		%XX sequences decoded; anything else copied.
 */
static char *
percent_decode(const char *s, size_t len)
{
	char	   *out = palloc(len + 1);
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		if (s[i] == '%' && i + 2 < len && isxdigit((unsigned char) s[i + 1]) &&
			isxdigit((unsigned char) s[i + 2]))
		{
			char		hex[3] = {s[i + 1], s[i + 2], '\0'};

			out[n++] = (char) strtol(hex, NULL, 16);
			i += 2;
		}
		else
			out[n++] = s[i];
	}
	out[n] = '\0';
	return out;
}

/*
 * split_model_path
 *		From a path "/model/<id>/<operation>" the decoded model id and the
 *		operation ("invoke"); false when the path is not of that shape.  An
 *		ARN id contains '/', so the operation is the last segment.
 */
static bool
split_model_path(const char *path, char **model_id, char **operation)
{
	const char *start = strstr(path, "/model/");
	const char *last;

	if (start == NULL)
		return false;
	start += strlen("/model/");
	last = strrchr(start, '/');
	if (last == NULL || last == start || last[1] == '\0')
		return false;
	*model_id = percent_decode(start, last - start);
	*operation = pstrdup(last + 1);
	return true;
}

/*
 * endpoint_model_id
 *		The model id named by an endpoint URL, or NULL.
 */
static char *
endpoint_model_id(const char *endpoint)
{
	MlUrl		url;
	char	   *id;
	char	   *op;

	if (endpoint == NULL || !MlSplitUrl(endpoint, &url) ||
		!split_model_path(url.path, &id, &op))
		return NULL;
	return id;
}

/*
 * base_model_id
 *		The foundation model an id refers to: an ARN's last segment, without
 *		a cross-region inference profile's geography prefix.
 */
static const char *
base_model_id(const char *id)
{
	static const char *const geographies[] = {"us.", "eu.", "apac.", "global.", "us-gov.", "ca.", "jp.", "au.", NULL};
	const char *slash = strrchr(id, '/');

	if (strncmp(id, "arn:", 4) == 0 && slash)
		id = slash + 1;
	for (int i = 0; geographies[i]; i++)
		if (strncmp(id, geographies[i], strlen(geographies[i])) == 0)
			return id + strlen(geographies[i]);
	return id;
}

/*
 * starts_with
 *		Does s begin with prefix?
 */
static bool
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * format_for_model
 *		Confluent's format auto-detection for a Bedrock model id.
 */
static const char *
format_for_model(const char *model_id)
{
	const char *id = base_model_id(model_id);

	if (starts_with(id, "amazon.titan-embed"))
		return "AMAZON-TITAN-EMBED";
	if (starts_with(id, "amazon."))
		return "AMAZON-TITAN-TEXT";
	if (starts_with(id, "ai21."))
		return "AI21-COMPLETE";
	if (strcmp(id, "anthropic.claude-v2") == 0 || strcmp(id, "anthropic.claude-v2:1") == 0 ||
		starts_with(id, "anthropic.claude-instant-v1"))
		return "ANTHROPIC-COMPLETIONS";
	if (starts_with(id, "anthropic."))
		return "ANTHROPIC-MESSAGES";
	if (starts_with(id, "cohere.embed"))
		return "COHERE-EMBED";
	if (starts_with(id, "cohere.command-r"))
		return "COHERE-CHAT";
	if (starts_with(id, "cohere."))
		return "COHERE-GENERATE";
	if (starts_with(id, "meta."))
		return "BEDROCK-LLAMA";
	if (starts_with(id, "mistral."))
		return "MISTRAL-COMPLETIONS";
	return "AMAZON-TITAN-TEXT";
}

/*
 * bedrock_default_format
 *		From the model id in the endpoint.
 */
static const char *
bedrock_default_format(const char *endpoint, const char *model_version)
{
	const char *id = endpoint_model_id(endpoint);

	return id ? format_for_model(id) : "AMAZON-TITAN-TEXT";
}

/*
 * encode_segment
 *		A model id percent-encoded as one path segment (':' and '/' too).
 */
static char *
encode_segment(const char *id)
{
	char	   *tmp = sigv4_uri_encode(id, 0);
	char	   *result;

	if (tmp == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	result = pstrdup(tmp);
	free(tmp);
	return result;
}

/*
 * invoke_url
 *		The InvokeModel URL with the model id encoded once as one segment.
 */
static char *
invoke_url(MlTarget *target)
{
	MlUrl		url;
	char	   *id;
	char	   *op;
	char	   *encoded;
	char	   *prefix;

	if (!MlSplitUrl(target->connection->endpoint, &url))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid endpoint \"%s\"", MlMaskedEndpoint(target->connection->endpoint))));
	if (!split_model_path(url.path, &id, &op))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("endpoint of connection \"%s\" does not name a Bedrock model",
						target->connection->name),
				 errhint("Use the model's InvokeModel URL: https://bedrock-runtime.<region>.amazonaws.com/model/<model-id>/invoke.")));
	prefix = pnstrdup(url.path, strstr(url.path, "/model/") - url.path);
	encoded = encode_segment(id);
	url.path = psprintf("%s/model/%s/%s", prefix, encoded, op);
	return MlJoinUrl(&url);
}

/*
 * bedrock_prepare
 *		POST to the model's InvokeModel URL, signed for service bedrock.
 */
static void
bedrock_prepare(MlTarget *target, HttpRequest *request)
{
	request->url = invoke_url(target);
	MlAwsSign(target, request, BEDROCK_SERVICE);
}

/*
 * bedrock_check_connection
 *		A region, and an endpoint that names a model.
 */
static void
bedrock_check_connection(const char *endpoint, List *options, List *secrets)
{
	MlAwsCheckConnection(endpoint, options, secrets);
	if (endpoint_model_id(endpoint) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("endpoint \"%s\" does not name a Bedrock model", MlMaskedEndpoint(endpoint)),
				 errhint("Use the model's InvokeModel URL: https://bedrock-runtime.<region>.amazonaws.com/model/<model-id>/invoke.")));
}

const MlProvider MlProviderBedrock = {
	.name = "bedrock",
	.secret_keys = MlAwsSecrets,
	.required_secrets = MlAwsRequiredSecrets,
	.connection_options = MlAwsConnectionOptions,
	.model_options = MlNoKeys,
	.default_format = bedrock_default_format,
	.prepare_request = bedrock_prepare,
	.check_connection = bedrock_check_connection,
};
