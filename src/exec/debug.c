/*-------------------------------------------------------------------------
 *
 * debug.c
 *	  mlpredict.debug_request(model, VARIADIC inputs "any"): the exact HTTP
 *	  request a model would send for these inputs, with secrets masked.
 *	  Nothing is sent.
 *
 * IDENTIFICATION
 *	  src/exec/debug.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "compat.h"
#include "exec/predict.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mlpredict_debug_request);

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
	values[1] = CStringGetTextDatum(MlMaskSecrets(target, request->url));
	values[2] = DirectFunctionCall1(jsonb_in, CStringGetDatum(headers_json(request)));
	values[3] = CStringGetTextDatum(MlMaskSecrets(target, request->body));
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}
