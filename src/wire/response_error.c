/*-------------------------------------------------------------------------
 *
 * response_error.c
 *	  Turning a failed model call into a clear PostgreSQL error.
 *
 * A call fails without an HTTP answer (timeout, connection failure, an
 * address refused by mlpredict.allowed_networks, a response over the
 * size limit) or with a non-2xx status.  A redirect (3xx) is never
 * followed and says so, without its Location.  For the latter
 * the provider's own error type and message are dug out of whichever shape
 * it uses:
 *	 OpenAI, Azure	{"error": {"type"|"code", "message"}}
 *	 Anthropic		{"type": "error", "error": {"type", "message"}}
 *	 Google			{"error": {"status", "message"}}
 *	 AWS			x-amzn-ErrorType header + {"message"|"Message"}; SageMaker
 *					model errors {"OriginalStatusCode", "OriginalMessage"}
 *	 OAuth			{"error", "error_description"}
 *	 TF Serving, KServe, Triton	{"error": "..."}; MLflow {"error_code", "message"}
 * and shown as "<type>: <message>".  Every secret of the connection and
 * every text input of the row is masked, and the text is capped at 1 kB,
 * so an error never leaks a key or echoes the data that was sent.
 *
 * IDENTIFICATION
 *	  src/wire/response_error.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "http/retry_policy.h"
#include "types/json_datum.h"
#include "wire/target.h"

#define ERROR_TEXT_MAX	1024
#define MASKED_INPUT	"<input>"

/*
 * json_text
 *		The string (or number) at pointer, or NULL.
 */
static char *
json_text(Jsonb *doc, const char *pointer)
{
	JsonbValue	v;

	if (doc == NULL || !MlJsonPointer(doc, pointer, &v))
		return NULL;
	if (v.type == jbvString)
		return pnstrdup(v.val.string.val, v.val.string.len);
	if (v.type == jbvNumeric)
		return MlJsonValueToText(&v);
	return NULL;
}

/*
 * first_text
 *		The first of several pointers that holds text.
 */
static char *
first_text(Jsonb *doc, const char *const *pointers)
{
	for (; *pointers; pointers++)
	{
		char	   *text = json_text(doc, *pointers);

		if (text && text[0])
			return text;
	}
	return NULL;
}

/*
 * error_type
 *		The provider's error class: AWS's x-amzn-ErrorType (up to ':'), or a
 *		type/status/code field of the body.
 */
static char *
error_type(HttpResponse *response, Jsonb *doc)
{
	static const char *const pointers[] = {
		"/error/type", "/error/status", "/error/code", "/ErrorCode",
		"/error_code", "/code", NULL
	};
	const char *aws = HttpResponseHeader(response, "x-amzn-errortype");
	char	   *type;

	if (aws)
		return pnstrdup(aws, strcspn(aws, ":"));
	type = first_text(doc, pointers);
	/* OAuth puts the class in "error" itself, next to error_description */
	if (type == NULL && json_text(doc, "/error_description"))
		type = json_text(doc, "/error");
	return type;
}

/*
 * error_message
 *		The provider's human-readable message, else the whole body.
 */
static char *
error_message(HttpResponse *response, Jsonb *doc)
{
	static const char *const pointers[] = {
		"/error/message", "/OriginalMessage", "/message", "/Message",
		"/error_description", "/error", "/detail", NULL
	};
	char	   *message = first_text(doc, pointers);

	return message ? message : pstrdup(response->body.data ? response->body.data : "");
}

/*
 * mask_inputs
 *		message with every (4+ byte) input value of the request replaced.
 */
static char *
mask_inputs(HttpRequest *request, char *message)
{
	ListCell   *lc;

	foreach(lc, request->sensitive)
	{
		char	   *input = text_to_cstring((text *) lfirst(lc));
		const char *value = pg_server_to_any(input, strlen(input), PG_UTF8);
		size_t		len = strlen(value);
		char	   *hit;

		if (len < 4)
			continue;
		while ((hit = strstr(message, value)) != NULL)
			message = psprintf("%.*s%s%s", (int) (hit - message), message, MASKED_INPUT, hit + len);
	}
	return message;
}

/*
 * shown
 *		Text fit for an error message: secrets and inputs masked, capped.
 */
static char *
shown(MlTarget *target, HttpRequest *request, const char *text)
{
	char	   *result = mask_inputs(request, MlMaskSecrets(target, text));

	if (strlen(result) > ERROR_TEXT_MAX)
		strcpy(result + ERROR_TEXT_MAX - 3, "...");
	return result;
}

/*
 * provider_detail
 *		"<type>: <message>" from the error body and headers.
 */
static char *
provider_detail(MlTarget *target, HttpRequest *request, HttpResponse *response)
{
	Jsonb	   *doc = MlTryParseJson(response->body.data ? response->body.data : "",
									 response->body.len);
	char	   *type = error_type(response, doc);
	char	   *message = error_message(response, doc);
	const char *original = json_text(doc, "/OriginalStatusCode");
	char	   *text;

	if (original)
		message = psprintf("%s (the model answered HTTP %s)", message, original);
	text = (type && strcmp(type, message) != 0) ?
		psprintf("%s: %s", type, message) : message;
	return shown(target, request, text);
}

/*
 * MlQuotaExhausted
 *		A 429 that will not clear by waiting (billing or hard quota).
 */
bool
MlQuotaExhausted(HttpResponse *response)
{
	return RetryQuotaExhausted(response->status, response->body.data,
							   (size_t) response->body.len);
}

/*
 * status_hint
 *		What the user can do about an HTTP error status.
 */
static char *
status_hint(MlTarget *target, HttpResponse *response)
{
	const char *conn = target->connection->name;

	if (response->status == 401 || response->status == 403 ||
		(response->status == 400 && response->body.data &&
		 strstr(response->body.data, "API_KEY_INVALID")))
		return psprintf("Check the credentials of connection \"%s\" (ALTER CONNECTION %s SET (...)).",
						conn, conn);
	if (response->status == 404)
		return psprintf("Check the endpoint of connection \"%s\" and the model's model_version.", conn);
	if (MlQuotaExhausted(response))
		return pstrdup("The provider reports the quota as exhausted; waiting will not help until it is raised.");
	if (response->status == 429)
		return pstrdup("The provider is throttling requests; lower max_parallelism, raise retry_count, or raise the provider's rate limit.");
	if (response->status == 424)
		return pstrdup("The model itself failed on this input; see the model's logs at the provider.");
	if (response->status >= 500)
		return pstrdup("The provider failed; retrying later may help.");
	return pstrdup("Check the model's options and inputs with mlpredict.debug_request().");
}

/*
 * transport_detail
 *		libcurl's error text without its timings (" after 12 ms"), masked.
 */
static char *
transport_detail(MlTarget *target, HttpResponse *response)
{
	char	   *text = MlMaskSecrets(target, response->error);
	char	   *after = strstr(text, " after ");

	if (after && strstr(after, " ms") != NULL)
	{
		char	   *end = strstr(after, " ms") + 3;

		memmove(after, end, strlen(end) + 1);
	}
	return text;
}

/*
 * raise_transport_error
 *		A request that got no usable HTTP answer.
 */
static void
raise_transport_error(MlTarget *target, HttpRequest *request, HttpResponse *response)
{
	if (response->outcome == HTTP_REFUSED)
		HttpReportRefused(response,
						  psprintf("request to model \"%s\" (connection \"%s\")",
								   target->display_name, target->connection->name));
	if (response->outcome == HTTP_TIMEOUT)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("request to model \"%s\" timed out after %d ms",
						target->display_name, request->timeout_ms),
				 errhint("Raise client_timeout with mlpredict.options(client_timeout => ...) or the model option %s.client_timeout.",
						 target->provider->name)));
	if (response->outcome == HTTP_UNAVAILABLE)
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("connection \"%s\" is unavailable", target->connection->name),
				 errdetail("Its endpoint has been %s.", transport_detail(target, response)),
				 errhint("Requests wait up to mlpredict.retry_outage_window for an endpoint that cannot be reached; after that they fail at once until it answers again.")));
	if (response->outcome == HTTP_TOO_LARGE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("response of model \"%s\" is too large", target->display_name),
				 errdetail("The %s.", response->error)));
	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 errmsg("could not reach model \"%s\"", target->display_name),
			 errdetail("%s", transport_detail(target, response)),
			 errhint("Check the endpoint of connection \"%s\".", target->connection->name)));
}

/*
 * MlRaiseResponseError
 *		ERROR for a final response that carries no usable answer.
 */
void
MlRaiseResponseError(MlTarget *target, HttpRequest *request, HttpResponse *response)
{
	if (response->outcome != HTTP_OK)
		raise_transport_error(target, request, response);
	if (response->status >= 300 && response->status <= 399)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("model \"%s\" answered with a redirect (HTTP status %ld), which is not followed",
						target->display_name, response->status),
				 errdetail("Requests and their credentials go only to the endpoint of connection \"%s\", never where an answer points.",
						   target->connection->name),
				 errhint("Set the endpoint of connection \"%s\" to the URL the provider serves the model at.",
						 target->connection->name)));
	if (MlQuotaExhausted(response))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("model \"%s\" reports its quota as exhausted (HTTP status %ld)",
						target->display_name, response->status),
				 errdetail("%s", provider_detail(target, request, response)),
				 errhint("%s", status_hint(target, response))));
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("model \"%s\" returned HTTP status %ld", target->display_name,
					response->status),
			 errdetail("%s", provider_detail(target, request, response)),
			 errhint("%s", status_hint(target, response))));
}
