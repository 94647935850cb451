/*-------------------------------------------------------------------------
 *
 * debug.c
 *	  Looking at a model's wire traffic without a provider:
 *	  debug_request(model, VARIADIC inputs) shows the exact HTTP request a
 *	  model would send for these inputs, with secrets masked, and sends
 *	  nothing; decode_response(model, body, ...) turns a given response
 *	  body into the model's output row, exactly as ml_predict would.
 *
 * IDENTIFICATION
 *	  src/exec/debug.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "compat.h"
#include "exec/predict.h"
#include "types/json_datum.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mlpredict_debug_request);
PG_FUNCTION_INFO_V1(mlpredict_decode_response);

/*
 * headers_json
 *		Request headers as a JSON object, secret values masked.
 */
static char *
headers_json(HttpRequest *request)
{
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	foreach(lc, request->headers)
	{
		HttpHeader *h = lfirst(lc);

		appendStringInfoString(&buf, first ? "" : ", ");
		first = false;
		escape_json(&buf, h->name);
		appendStringInfoString(&buf, ": ");
		escape_json(&buf, h->secret ? "*****" : h->value);
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * body_text
 *		The request body for display: UTF-8 text converted to the database
 *		encoding, or for a binary body (BINARY, binary tensors) its bytes as
 *		bytea hex ("\\x0a0b...").
 */
static char *
body_text(HttpRequest *request)
{
	const char *p = request->body;
	size_t		len = request->body_len;

	if (memchr(p, '\0', len) == NULL &&
		pg_verify_mbstr(PG_UTF8, p, (int) len, true))
		return pg_any_to_server(p, (int) len, PG_UTF8);
	return DatumGetCString(DirectFunctionCall1(byteaout,
											   PointerGetDatum(cstring_to_text_with_len(p, (int) len))));
}

/*
 * mlpredict_debug_request
 *		One row: method, url, headers, body.
 */
Datum
mlpredict_debug_request(PG_FUNCTION_ARGS)
{
	PredictState *state = MlPredictState(fcinfo, "debug_request");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MlTarget   *target = state->target;
	Datum	   *in_values = palloc0(sizeof(Datum) * target->ninputs);
	bool	   *in_nulls = palloc0(sizeof(bool) * target->ninputs);
	MlRuntimeOptions runtime;
	HttpRequest *request;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	int			i;

	MlInitMaterializedSRF(fcinfo, false);
	MlPredictInputs(state, fcinfo, in_values, in_nulls, &runtime);
	for (i = 0; i < target->ninputs; i++)
		if (in_nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("input %d is NULL, so no request would be sent", i + 1),
					 errdetail("ml_predict returns a row of NULLs for NULL inputs.")));
	request = MlBuildRequest(target, in_values, in_nulls, &runtime);
	values[0] = CStringGetTextDatum(request->method);
	values[1] = CStringGetTextDatum(MlMaskedEndpoint(MlMaskSecrets(target, request->url)));
	values[2] = DirectFunctionCall1(jsonb_in, CStringGetDatum(headers_json(request)));
	values[3] = CStringGetTextDatum(MlMaskSecrets(target, body_text(request)));
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

/*
 * headers_from_jsonb
 *		Response headers given as a JSON object of strings, names lower-cased.
 */
static List *
headers_from_jsonb(Jsonb *object)
{
	List	   *headers = NIL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *name = NULL;

	if (object == NULL || !JB_ROOT_IS_OBJECT(object))
		return NIL;
	it = JsonbIteratorInit(&object->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			name = str_tolower(v.val.string.val, v.val.string.len, DEFAULT_COLLATION_OID);
		else if (tok == WJB_VALUE && name)
		{
			HttpHeader *h = palloc0(sizeof(HttpHeader));

			h->name = name;
			h->value = v.type == jbvString ?
				pnstrdup(v.val.string.val, v.val.string.len) : MlJsonValueToText(&v);
			headers = lappend(headers, h);
			name = NULL;
		}
	}
	return headers;
}

/*
 * mlpredict_decode_response
 *		decode_response(model, body bytea, content_type, headers jsonb): the
 *		output row the model's output format makes of this 200 response.
 */
Datum
mlpredict_decode_response(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MlTarget   *target;
	bytea	   *body;
	HttpRequest request = {0};
	HttpResponse response = {0};
	MlResponseBody decoded;
	HttpHeader *ct;
	Datum	   *values;
	bool	   *nulls;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model and body must not be null")));
	MlInitMaterializedSRF(fcinfo, true);
	target = MlPredictTarget(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	MlCheckResultDesc(target, rsinfo->setDesc);
	body = PG_GETARG_BYTEA_PP(1);
	response.outcome = HTTP_OK;
	response.status = 200;
	initStringInfo(&response.body);
	appendBinaryStringInfo(&response.body, VARDATA_ANY(body), VARSIZE_ANY_EXHDR(body));
	response.headers = headers_from_jsonb(PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3));
	if (!PG_ARGISNULL(2))
	{
		ct = palloc0(sizeof(HttpHeader));
		ct->name = "content-type";
		ct->value = text_to_cstring(PG_GETARG_TEXT_PP(2));
		response.headers = lcons(ct, response.headers);
	}
	request.method = "POST";
	request.url = "";
	values = palloc0(sizeof(Datum) * target->noutputs);
	nulls = palloc(sizeof(bool) * target->noutputs);
	memset(nulls, true, sizeof(bool) * target->noutputs);
	MlDecodeResponse(target, &request, &response, values, nulls, &decoded);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}
