/*-------------------------------------------------------------------------
 *
 * request.h
 *	  A model version resolved for calling (MlTarget), and building,
 *	  sending and decoding its requests.
 *
 * MlTarget gathers everything one query needs to call a model version: the
 * catalog rows, the connection with its secrets, provider, formats,
 * parameters and timeouts.  It is built once per query and reused for
 * every row.  request.c builds HTTP requests from it (shared by
 * ml_predict and debug_request), sends them with retries and turns
 * responses into output values or clear errors.
 *
 * IDENTIFICATION
 *	  src/exec/request.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_REQUEST_H
#define MLPREDICT_REQUEST_H

#include "catalog/catalog.h"
#include "format/format.h"
#include "http/http.h"
#include "options/options.h"
#include "provider/provider.h"

typedef struct MlTarget
{
	MlModel    *model;
	char	   *display_name;	/* schema.name$version, for messages */
	MlConnection *connection;	/* with secrets */
	const MlProvider *provider;
	const MlFormat *input_format;
	char	   *input_suffix;	/* text after ':' in input_format, or NULL */
	const MlFormat *output_format;
	char	   *output_suffix;
	const char *system_prompt;
	const char *model_version;
	List	   *params;			/* MlParam * */
	int			timeout_ms;		/* from <p>.client_timeout, 0 if unset */
	int			connect_timeout_ms; /* from <p>.connect_timeout, 0 if unset */
	int			ninputs;
	int			noutputs;
	HttpRoute	route;			/* database, connection, model and limits */
} MlTarget;

extern MlTarget *MlTargetBuild(MlModel *model);
extern const char *MlTargetOption(MlTarget *target, const char *suffix);
extern HttpRequest *MlBuildRequest(MlTarget *target, Datum *values, bool *nulls,
								   const MlRuntimeOptions *runtime);
extern void MlSendRequests(MlTarget *target, HttpRequest **requests,
						   HttpResponse *responses, int n,
						   const MlRuntimeOptions *runtime);
extern void MlDecodeResponse(MlTarget *target, HttpRequest *request,
							 HttpResponse *response, Datum *values, bool *nulls,
							 MlResponseBody *body);
extern char *MlMaskSecrets(MlTarget *target, const char *text);

/* response_error.c */
extern bool MlQuotaExhausted(HttpResponse *response);
extern void MlRaiseResponseError(MlTarget *target, HttpRequest *request,
								 HttpResponse *response) pg_attribute_noreturn();

#endif							/* MLPREDICT_REQUEST_H */
