/*-------------------------------------------------------------------------
 *
 * target.h
 *	  The per-call context of a model call (MlTarget), the provider
 *	  interface it is called through, and the helpers every format and
 *	  provider hook shares.
 *
 * MlTarget gathers everything one query needs to call a model version: the
 * catalog rows, the connection with its secrets, provider, formats,
 * parameters and timeouts.  The executor builds it once per query
 * (exec/request.c) and passes it to every format and provider hook; this
 * header is all they need of it, so they never include the executor.
 *
 * IDENTIFICATION
 *	  src/wire/target.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_TARGET_H
#define MLPREDICT_TARGET_H

#include "compat.h"
#include "http/http.h"
#include "mlpredict.h"

struct MlFormat;
struct MlProvider;

typedef struct MlTarget
{
	MlModel    *model;
	char	   *display_name;	/* schema.name$version, for messages */
	MlConnection *connection;	/* with secrets */
	const struct MlProvider *provider;
	const struct MlFormat *input_format;
	char	   *input_suffix;	/* text after ':' in input_format, or NULL */
	const struct MlFormat *output_format;
	char	   *output_suffix;
	const char *system_prompt;
	const char *model_version;
	List	   *params;			/* MlParam * (wire/params.h) */
	int			timeout_ms;		/* from <p>.client_timeout, 0 if unset */
	int			connect_timeout_ms; /* from <p>.connect_timeout, 0 if unset */
	int			ninputs;
	int			noutputs;
	HttpRoute	route;			/* database, connection, model and limits */
} MlTarget;

/*
 * One row of a request that carries several (batch.c, pipeline.c); the
 * formats' batch hooks encode and decode these.
 */
typedef struct MlBatchRow
{
	Datum	   *values;			/* model inputs, converted, none NULL */
	bool	   *nulls;
	Datum	   *out_values;		/* noutputs each, filled by decoding */
	bool	   *out_nulls;
} MlBatchRow;

/*
 * A provider: connection type, secrets, and how a request reaches it (URL
 * and authentication).  The providers (provider/) implement it.
 */
typedef struct MlProvider
{
	const char *name;			/* provider name = connection type */
	const char *const *secret_keys; /* canonical secret keys accepted */
	const char *const *required_secrets;
	const char *const *connection_options;	/* non-secret keys accepted */
	const char *const *model_options;	/* "<p>.x" suffixes beyond the
										 * common ones */

	/*
	 * Format used when the model names none (Confluent's auto-detection),
	 * from the connection's endpoint and the model's model_version option
	 * (NULL when unset).
	 */
	const char *(*default_format) (const char *endpoint, const char *model_version);

	/*
	 * Set the URL and authentication of a request whose body and content
	 * headers are final (signing providers cover them).
	 */
	void		(*prepare_request) (MlTarget *target, HttpRequest *request);

	/*
	 * prepare_request for a body meant for another method of the model
	 * the endpoint names (method: the verb, such as batchEmbedContents
	 * for a batch of embedContent requests; MlRequestBody.method); NULL
	 * when the provider has no such methods, and then formats that need
	 * one take one row per request.
	 */
	void		(*prepare_method) (MlTarget *target, HttpRequest *request,
								   const char *method);

	/*
	 * Extra checks of a connection at CREATE/ALTER CONNECTION time, beyond
	 * the key lists (a parsable service key, a derivable AWS region); may
	 * be NULL.  options and secrets are MlOption lists with canonical keys.
	 */
	void		(*check_connection) (const char *endpoint, List *options,
									 List *secrets);
} MlProvider;

/* target.c */
extern const char *MlTargetOption(MlTarget *target, const char *suffix);
extern const char *MlConnectionSecret(MlTarget *target, const char *key);
extern char *MlMaskSecrets(MlTarget *target, const char *text);

/* response_error.c: the providers' error shapes */
extern bool MlQuotaExhausted(HttpResponse *response);
pg_noreturn extern void MlRaiseResponseError(MlTarget *target, HttpRequest *request,
											 HttpResponse *response);

#endif							/* MLPREDICT_TARGET_H */
