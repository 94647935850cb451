/*-------------------------------------------------------------------------
 *
 * batch.c
 *	  Several rows in one request (see request.h).  For now every format
 *	  takes one row per request.
 *
 * IDENTIFICATION
 *	  src/exec/batch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "exec/request.h"

int
MlTargetBatchSize(MlTarget *target)
{
	return 1;
}

int
MlBuildBatchRequest(MlTarget *target, MlBatchRow *rows, int nrows,
					const MlRuntimeOptions *runtime, HttpRequest **request)
{
	Assert(nrows >= 1);
	*request = MlBuildRequest(target, rows[0].values, rows[0].nulls, runtime);
	return 1;
}

void
MlDecodeBatchResponse(MlTarget *target, HttpRequest *request,
					  HttpResponse *response, MlBatchRow *rows, int nrows,
					  MlResponseBody *body)
{
	Assert(nrows == 1);
	MlDecodeResponse(target, request, response, rows[0].out_values,
					 rows[0].out_nulls, body);
}

bool
MlBatchFailureMayBeRow(HttpResponse *response)
{
	return false;
}
