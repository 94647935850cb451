/*-------------------------------------------------------------------------
 *
 * request.h
 *	  Resolving a model version for calling (an MlTarget, wire/target.h),
 *	  and building, sending and decoding its requests.
 *
 * MlTargetBuild fills an MlTarget once per query from the catalog; it is
 * reused for every row.  request.c builds HTTP requests from it (shared by
 * ml_predict and debug_request), sends them with retries and turns
 * responses into output values or clear errors (wire/response_error.c).
 *
 * IDENTIFICATION
 *	  src/exec/request.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_REQUEST_H
#define MLPREDICT_REQUEST_H

#include "catalog/ml_catalog.h"
#include "compat.h"
#include "format/format.h"
#include "http/http.h"
#include "options/options.h"
#include "provider/provider.h"
#include "wire/target.h"

extern MlTarget *MlTargetBuild(MlModel *model);
extern HttpRequest *MlBuildRequest(MlTarget *target, Datum *values, bool *nulls,
								   const MlRuntimeOptions *runtime);
extern HttpRequest *MlFinishRequest(MlTarget *target, MlRequestBody *body,
									List *sensitive,
									const MlRuntimeOptions *runtime);
extern List *MlTextInputs(MlTarget *target, Datum *values, bool *nulls);
extern void MlSendRequests(MlTarget *target, HttpRequest **requests,
						   HttpResponse *responses, int n,
						   const MlRuntimeOptions *runtime);
extern void MlDecodeResponse(MlTarget *target, HttpRequest *request,
							 HttpResponse *response, Datum *values, bool *nulls,
							 MlResponseBody *body);

/*
 * batch.c: several consecutive rows (MlBatchRow, wire/target.h) in one
 * request, where the input format takes many inputs per request (embedding
 * input arrays, instances, dataframe rows); the pipelined executor
 * (pipeline.c) uses these.
 */

/*
 * Most rows one request may carry: 1 when the format takes one row per
 * request, else the model's <provider>.batch_size bounded by the
 * provider's inputs-per-request limit.
 */
extern int	MlTargetBatchSize(MlTarget *target);

/*
 * The request for rows[0..nrows-1] (nrows <= MlTargetBatchSize()).
 * Returns how many rows, from the first, it carries: at least 1, fewer
 * than nrows when a per-request limit of the provider (tokens, bytes)
 * says so.
 */
extern int	MlBuildBatchRequest(MlTarget *target, MlBatchRow *rows, int nrows,
								const MlRuntimeOptions *runtime,
								HttpRequest **request);

/*
 * Decode the final response to a request of nrows rows into each row's
 * out_values/out_nulls (allocated in the current memory context), or
 * raise the error MlDecodeResponse would; a answer with the wrong number
 * of results is an error.  *body as for MlDecodeResponse.
 */
extern void MlDecodeBatchResponse(MlTarget *target, HttpRequest *request,
								  HttpResponse *response, MlBatchRow *rows,
								  int nrows, MlResponseBody *body);

/*
 * Whether a failed response to a request of several rows may be caused by
 * one of them (a validation error, not authentication, throttling or a
 * server fault), so that splitting the batch can isolate the bad row.
 */
extern bool MlBatchFailureMayBeRow(HttpResponse *response);

/* request.c: the debug option's NOTICE per attempt of a final request */
extern void MlReportAttempts(MlTarget *target, HttpRequest *request,
							 HttpResponse *response);

#endif							/* MLPREDICT_REQUEST_H */
