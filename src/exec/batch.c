/*-------------------------------------------------------------------------
 *
 * batch.c
 *	  Several consecutive rows in one request (see request.h): how many
 *	  rows a request of the model may carry, building it, splitting its
 *	  answer back into rows, and which failures may be one row's fault.
 *
 * A model batches when its input format can encode several rows
 * (MlFormat.encode_batch) into a request whose answer its output format
 * can split (decode_batch): the same embedding format on both sides, or a
 * row format (TF Serving instances, pandas frames) with an output format
 * that reads one element per row.  An output pointer that picks a single
 * result (an index in the output format's suffix) rules batching out.
 * The rows per request are the model's <provider>.batch_size (default
 * ML_BATCH_SIZE_DEFAULT), capped by the provider's documented limits of
 * inputs and tokens per request (the format's batch_limits, with tokens
 * estimated high, from the text's bytes) and by ML_BATCH_MAX_BYTES of
 * input per request.
 *
 * A request of one row is built by MlBuildRequest and its answer decoded
 * by MlDecodeResponse, exactly as without batching, and each row of a
 * batch is decoded as its own answer would be, so results never depend
 * on how rows were packed.  The token usage of a batch is that of its
 * answer, counted once by the caller.
 *
 * IDENTIFICATION
 *	  src/exec/batch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"

#include "exec/request.h"
#include "types/typemap.h"
#include "util.h"

/*
 * Input bytes one request may carry at most: well below the smallest body
 * limit providers document (SageMaker serverless endpoints take 4 MB).
 */
#define ML_BATCH_MAX_BYTES	(2 * 1024 * 1024)

/* tokens estimated from bytes: high for any language (English is ~4) */
#define ML_BYTES_PER_TOKEN	3

/*
 * picks_one_result
 *		Does the output pointer name one element of an array (a segment
 *		that is an index), so that it cannot be read once per row?
 */
static bool
picks_one_result(const char *pointer)
{
	const char *p = pointer;

	while (*p)
	{
		size_t		len;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len > 0 && strspn(p, "0123456789") == len)
			return true;
		p += len;
	}
	return false;
}

/*
 * batchable
 *		Can the model's requests carry several rows?
 */
static bool
batchable(MlTarget *target)
{
	const MlFormat *in = target->input_format;
	const MlFormat *out = target->output_format;
	const char *suffix = target->output_suffix;

	if (in->batch == ML_BATCH_NONE || in->encode_batch == NULL ||
		in->batch_limits == NULL || out->decode_batch == NULL ||
		out->batch != in->batch)
		return false;
	if (in->batch == ML_BATCH_OWN && out != in)
		return false;
	if (suffix != NULL && suffix[0] != '\0' &&
		(in->batch == ML_BATCH_OWN || picks_one_result(suffix)))
		return false;
	return true;
}

/*
 * MlTargetBatchSize
 *		See request.h.
 */
int
MlTargetBatchSize(MlTarget *target)
{
	const char *option;
	int64		size = ML_BATCH_SIZE_DEFAULT;
	int			max_rows;
	int			max_tokens;

	if (!batchable(target))
		return 1;
	target->input_format->batch_limits(target, &max_rows, &max_tokens);
	option = MlTargetOption(target, "batch_size");
	if (option != NULL && !MlParseInt(option, &size))
		size = ML_BATCH_SIZE_DEFAULT;
	return (int) Max(1, Min(size, max_rows));
}

/*
 * is_text
 *		text, varchar or char (and domains over them).
 */
static bool
is_text(Oid typid)
{
	Oid			base = getBaseType(typid);

	return base == TEXTOID || base == VARCHAROID || base == BPCHAROID;
}

/*
 * rows_within_limits
 *		How many of rows[0..nrows-1], from the first, fit in one request:
 *		ML_BATCH_MAX_BYTES of input and the format's tokens (at least one
 *		row, whatever its size).
 */
static int
rows_within_limits(MlTarget *target, MlBatchRow *rows, int nrows)
{
	int			ninputs = target->ninputs;
	int16	   *typlen = palloc(sizeof(int16) * ninputs);
	bool	   *text = palloc(sizeof(bool) * ninputs);
	int			max_rows;
	int			max_tokens;
	int64		bytes = 0;
	int64		tokens = 0;
	ListCell   *lc;
	int			r;

	target->input_format->batch_limits(target, &max_rows, &max_tokens);
	foreach(lc, target->model->input)
	{
		MlColumn   *col = lfirst(lc);

		typlen[foreach_current_index(lc)] = get_typlen(col->typid);
		text[foreach_current_index(lc)] = is_text(col->typid);
	}
	for (r = 0; r < nrows; r++)
	{
		int64		row_bytes = 0;
		int64		row_tokens = 0;

		for (int i = 0; i < ninputs; i++)
		{
			int64		size;

			if (rows[r].nulls[i])
				continue;
			if (typlen[i] == -1)
				size = toast_raw_datum_size(rows[r].values[i]) - VARHDRSZ;
			else if (typlen[i] == -2)
				size = strlen(DatumGetCString(rows[r].values[i]));
			else
				size = typlen[i];
			row_bytes += size;
			if (text[i])
				row_tokens += size / ML_BYTES_PER_TOKEN + 1;
		}
		if (r > 0 &&
			(bytes + row_bytes > ML_BATCH_MAX_BYTES ||
			 (max_tokens > 0 && tokens + row_tokens > max_tokens)))
			break;
		bytes += row_bytes;
		tokens += row_tokens;
	}
	pfree(typlen);
	pfree(text);
	return Max(r, 1);
}

/*
 * build_batch_request
 *		The request for rows[0..nrows-1] (nrows >= 2): the input format's
 *		batch body, finished as MlBuildRequest finishes one row's, with
 *		every row's text inputs kept out of messages.
 */
static HttpRequest *
build_batch_request(MlTarget *target, MlBatchRow *rows, int nrows,
					const MlRuntimeOptions *runtime)
{
	MlRequestBody body = {0};
	List	   *sensitive = NIL;

	initStringInfo(&body.data);
	body.server_encoding = true;
	target->input_format->encode_batch(target, rows, nrows, &body);
	for (int r = 0; r < nrows; r++)
		sensitive = list_concat(sensitive,
								MlTextInputs(target, rows[r].values, rows[r].nulls));
	return MlFinishRequest(target, &body, sensitive, runtime);
}

/*
 * MlBuildBatchRequest
 *		See request.h.
 */
int
MlBuildBatchRequest(MlTarget *target, MlBatchRow *rows, int nrows,
					const MlRuntimeOptions *runtime, HttpRequest **request)
{
	int			n = Min(nrows, MlTargetBatchSize(target));

	Assert(nrows >= 1);
	if (n > 1)
		n = rows_within_limits(target, rows, n);
	if (n <= 1)
	{
		*request = MlBuildRequest(target, rows[0].values, rows[0].nulls, runtime);
		return 1;
	}
	*request = build_batch_request(target, rows, n, runtime);
	return n;
}

/*
 * MlDecodeBatchResponse
 *		See request.h.  One row: MlDecodeResponse.  Several: the same
 *		status check, then the output format splits the answer.  Either way
 *		body starts from MlResponseBodyFrom (caches empty), so that
 *		MlResponseUsage may read what decoders left in it.
 */
void
MlDecodeBatchResponse(MlTarget *target, HttpRequest *request,
					  HttpResponse *response, MlBatchRow *rows, int nrows,
					  MlResponseBody *body)
{
	Assert(nrows >= 1);
	if (nrows == 1)
	{
		MlDecodeResponse(target, request, response, rows[0].out_values,
						 rows[0].out_nulls, body);
		return;
	}
	if (!HttpResponseSucceeded(response))
		MlRaiseResponseError(target, request, response);
	MlResponseBodyFrom(body, response);
	target->output_format->decode_batch(target, body, rows, nrows);
}

/*
 * original_status_is_4xx
 *		A model error (424) that passes on the model's own 4xx: Azure ML's
 *		ms-azureml-model-error-statuscode header, SageMaker's
 *		"OriginalStatusCode" in the body.
 */
static bool
original_status_is_4xx(HttpResponse *response)
{
	const char *header = HttpResponseHeader(response, "ms-azureml-model-error-statuscode");
	const char *body = response->body.data;
	const char *field;

	if (header != NULL)
		return header[0] == '4';
	if (body == NULL || (field = strstr(body, "\"OriginalStatusCode\"")) == NULL)
		return false;
	field += strlen("\"OriginalStatusCode\"");
	field += strspn(field, " \t\r\n:");
	return field[0] == '4';
}

/*
 * MlBatchFailureMayBeRow
 *		See request.h.  Validation failures (400, 413, 422, a model's own
 *		4xx passed on as 424) may come from one row; authentication (401,
 *		403, and Google's 400 for a bad key), missing endpoints (404),
 *		quotas, throttling, timeouts and server faults are the request's.
 */
bool
MlBatchFailureMayBeRow(HttpResponse *response)
{
	const char *aws_type;

	if (response->outcome != HTTP_OK)
		return false;
	switch (response->status)
	{
		case 400:
			aws_type = HttpResponseHeader(response, "x-amzn-errortype");
			if (aws_type != NULL &&
				strncmp(aws_type, "ServiceQuotaExceeded", 20) == 0)
				return false;
			return response->body.data == NULL ||
				strstr(response->body.data, "API_KEY_INVALID") == NULL;
		case 413:
		case 422:
			return true;
		case 424:
			return original_status_is_4xx(response);
		default:
			return false;
	}
}
