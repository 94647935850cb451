/*-------------------------------------------------------------------------
 *
 * request.c
 *	  Resolving a model version for calls, building its HTTP requests,
 *	  sending them with retries, and decoding responses or raising clear
 *	  errors.
 *
 * Sending goes through the connection pool (src/pool), which also retries
 * transient failures; each request carries its route (database,
 * connection, model and the connection's limits) and its retry_count.
 *
 * Error texts never contain secrets: every secret value of the connection
 * is masked in anything that came back from the provider.
 *
 * IDENTIFICATION
 *	  src/exec/request.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "exec/request.h"
#include "types/json_datum.h"
#include "types/typemap.h"
#include "util.h"

static void build_route(MlTarget *target);

/*
 * resolve_formats
 *		Input format from the option or the provider's auto-detection;
 *		output format from its option or the input format.
 */
static void
resolve_formats(MlTarget *target)
{
	const char *in = MlTargetOption(target, "input_format");
	MlFormatChoice choice;

	if (in == NULL)
		in = target->provider->default_format(target->connection->endpoint,
											  MlTargetOption(target, "model_version"));
	MlFormatResolve(in, MlTargetOption(target, "output_format"), &choice);
	target->input_format = choice.input;
	target->input_suffix = choice.input_suffix;
	target->output_format = choice.output;
	target->output_suffix = choice.output_suffix;
}

/*
 * MlTargetBuild
 *		Everything needed to call one model version.  Checks that the model's
 *		owner may use its connection, then loads the connection with its
 *		secrets; allocates in the current memory context.
 */
MlTarget *
MlTargetBuild(MlModel *model)
{
	MlTarget   *target = palloc0(sizeof(MlTarget));
	const char *provider = MlModelProvider(model->options);
	const char *timeout;

	target->model = model;
	target->display_name = psprintf("%s$%d",
									MlQualifiedModelName(model->schema, model->name),
									model->version);
	target->provider = MlProviderLookup(provider, false);
	CatalogCheckModelConnection(model, MlTargetOption(target, "connection"));
	target->connection = CatalogGetConnection(MlTargetOption(target, "connection"),
											  true, false);
	MlCheckEndpoint(target->connection->endpoint, NULL, -1);
	resolve_formats(target);
	target->system_prompt = MlTargetOption(target, "system_prompt");
	target->model_version = MlTargetOption(target, "model_version");
	target->params = MlParseParams(model->options, target->provider->name, NULL);
	timeout = MlTargetOption(target, "client_timeout");
	target->timeout_ms = timeout ? atoi(timeout) * 1000 : 0;
	timeout = MlTargetOption(target, "connect_timeout");
	target->connect_timeout_ms = timeout ? atoi(timeout) : 0;
	target->ninputs = list_length(model->input);
	target->noutputs = list_length(model->output);
	build_route(target);
	return target;
}

/*
 * connection_limit
 *		A numeric limit option of the connection, 0 when unset.
 */
static int
connection_limit(MlConnection *connection, const char *key)
{
	MlOption   *opt = MlOptionFind(connection->options, key);

	return opt ? atoi(opt->value) : 0;
}

/*
 * build_route
 *		Whose requests these are, for the pool's limits and statistics.
 */
static void
build_route(MlTarget *target)
{
	HttpRoute  *route = &target->route;

	route->dboid = MyDatabaseId;
	strlcpy(route->connection, target->connection->name, sizeof(route->connection));
	strlcpy(route->model,
			MlQualifiedModelName(target->model->schema, target->model->name),
			sizeof(route->model));
	route->max_concurrency = connection_limit(target->connection, "max_concurrency");
	route->requests_per_minute = connection_limit(target->connection, "requests_per_minute");
	route->tokens_per_minute = connection_limit(target->connection, "tokens_per_minute");
	route->built_ms = (int64) (GetCurrentTimestamp() / 1000);
}

/*
 * MlTextInputs
 *		The text input values of a row, which error messages must not echo
 *		(a provider's validation error may quote the prompt).  Only the
 *		pointers are kept: they are read when an error is raised.
 */
List *
MlTextInputs(MlTarget *target, Datum *values, bool *nulls)
{
	List	   *result = NIL;
	ListCell   *lc;
	int			i = 0;

	foreach(lc, target->model->input)
	{
		MlColumn   *col = lfirst(lc);
		Oid			base = getBaseType(col->typid);

		if (!nulls[i] && (base == TEXTOID || base == VARCHAROID || base == BPCHAROID))
			result = lappend(result, DatumGetPointer(values[i]));
		i++;
	}
	return result;
}

/*
 * MlFinishRequest
 *		The HTTP request around an encoded body: UTF-8 conversion, content
 *		headers, timeouts, retries, route and the inputs never to be shown;
 *		last, the provider's URL and authentication (a signing provider
 *		covers the final body and headers).  A body that names a method
 *		(Gemini's batchEmbedContents) is sent to that method of the model.
 */
HttpRequest *
MlFinishRequest(MlTarget *target, MlRequestBody *body, List *sensitive,
				const MlRuntimeOptions *runtime)
{
	HttpRequest *request = palloc0(sizeof(HttpRequest));
	const char *content_type = MlTargetOption(target, "input_content_type");
	const char *accept = MlTargetOption(target, "output_content_type");
	int			timeout_s;

	if (body->server_encoding)
	{
		/* providers speak UTF-8 whatever the database encoding is */
		request->body = pg_server_to_any(body->data.data, body->data.len, PG_UTF8);
		request->body_len = strlen(request->body);
	}
	else
	{
		request->body = body->data.data;
		request->body_len = body->data.len;
	}
	request->method = "POST";
	request->headers = body->headers;
	if (content_type == NULL)
		content_type = body->content_type ? body->content_type :
			target->input_format->content_type;
	MlAddHeader(request, "Content-Type", content_type, false);
	MlAddHeader(request, "Accept",
				accept ? accept : target->output_format->content_type, false);
	timeout_s = runtime->client_timeout > 0 ? runtime->client_timeout :
		target->timeout_ms > 0 ? target->timeout_ms / 1000 : mlpredict_client_timeout;
	request->timeout_ms = timeout_s * 1000;
	request->connect_timeout_ms = Min(runtime->connect_timeout > 0 ? runtime->connect_timeout :
									  target->connect_timeout_ms > 0 ? target->connect_timeout_ms :
									  mlpredict_connect_timeout,
									  request->timeout_ms);
	request->allow_http = mlpredict_allow_insecure_http;
	request->retry_count = runtime->retry_count;
	request->route = target->route;
	request->sensitive = sensitive;
	if (body->method == NULL)
		target->provider->prepare_request(target, request);
	else if (target->provider->prepare_method != NULL)
		target->provider->prepare_method(target, request, body->method);
	else
		elog(ERROR, "provider \"%s\" cannot address method \"%s\"",
			 target->provider->name, body->method);
	return request;
}

/*
 * MlBuildRequest
 *		The HTTP request for one row of inputs.
 */
HttpRequest *
MlBuildRequest(MlTarget *target, Datum *values, bool *nulls,
			   const MlRuntimeOptions *runtime)
{
	MlRequestBody body = {0};

	initStringInfo(&body.data);
	body.server_encoding = true;
	target->input_format->encode(target, values, nulls, &body);
	return MlFinishRequest(target, &body, MlTextInputs(target, values, nulls),
						   runtime);
}

/*
 * MlReportAttempts
 *		With the debug runtime option: one NOTICE per attempt.
 */
void
MlReportAttempts(MlTarget *target, HttpRequest *request, HttpResponse *response)
{
	static const char *const outcomes[] = {
		"HTTP", "timeout", "connection failure", "response too large", "transport failure",
		"refused by mlpredict.allowed_networks", "unavailable"
	};
	int			n = Min(response->nattempts, HTTP_MAX_ATTEMPTS_KEPT);

	for (int i = 0; i < n; i++)
	{
		HttpAttempt *a = &response->attempts[i];

		ereport(NOTICE,
				(errmsg("mlpredict: %s %s -> %s %ld (attempt %d)",
						request->method, MlMaskedEndpoint(MlMaskSecrets(target, request->url)),
						outcomes[a->outcome], a->status, i + 1),
				 errdetail("%.1f ms, %d bytes sent, %d bytes received%s%s",
						   a->elapsed_ms, (int) request->body_len,
						   i == response->nattempts - 1 ? response->body.len : 0,
						   a->error[0] ? ": " : "",
						   MlMaskSecrets(target, a->error))));
	}
}

/*
 * MlSendRequests
 *		Perform n requests through the pool, which retries transient
 *		failures of each up to its retry_count; responses hold the final
 *		attempt.
 */
void
MlSendRequests(MlTarget *target, HttpRequest **requests, HttpResponse *responses,
			   int n, const MlRuntimeOptions *runtime)
{
	HttpPerform(requests, responses, n);
	if (runtime->debug)
		for (int i = 0; i < n; i++)
			MlReportAttempts(target, requests[i], &responses[i]);
}

/*
 * MlDecodeResponse
 *		Output values from a final response, or an ERROR that says what went
 *		wrong (request is used for messages only).  *body is the caller's
 *		storage for the decoded body; it keeps the parsed JSON, so that the
 *		caller can read more from it (token usage) without parsing again.
 */
void
MlDecodeResponse(MlTarget *target, HttpRequest *request, HttpResponse *response,
				 Datum *values, bool *nulls, MlResponseBody *body)
{
	if (!HttpResponseSucceeded(response))
		MlRaiseResponseError(target, request, response);
	MlResponseBodyFrom(body, response);
	target->output_format->decode(target, body, values, nulls);
}
