/*-------------------------------------------------------------------------
 *
 * options.h
 *	  Model options (WITH clause), request parameters (<p>.params.*) and
 *	  runtime options (the counterpart of Confluent's MAP[...] argument).
 *
 * IDENTIFICATION
 *	  src/options/options.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_OPTIONS_H
#define MLPREDICT_OPTIONS_H

#include "fmgr.h"
#include "lib/stringinfo.h"

#include "mlpredict.h"

/* model_options.c */

/*
 * Checks that name is a connection of type provider that the current user
 * may use, and returns its endpoint (the catalog's check, given to
 * MlValidateModelOptions).
 */
typedef const char *(*MlModelConnectionCheck) (const char *name,
											   const char *provider);

extern void MlValidateModelOptions(List *options, List *input, List *output,
								   const char *statement,
								   MlModelConnectionCheck check_name);
extern const char *MlModelOption(List *options, const char *provider,
								 const char *suffix);
extern const char *MlModelProvider(List *options);

/* params.c */
typedef enum MlParamType
{
	ML_PARAM_STRING,
	ML_PARAM_INT,
	ML_PARAM_FLOAT,
	ML_PARAM_BOOL,
	ML_PARAM_CSV
} MlParamType;

typedef struct MlParam
{
	char	   *key;			/* the option key, as written */
	char	   *name;			/* after "params.", type suffix removed */
	const char *standard;		/* temperature, top_p, top_k, max_tokens,
								 * stop; NULL for others */
	List	   *path;			/* name split into nested keys (char *) */
	MlParamType type;
	char	   *value;
} MlParam;

extern List *MlParseParams(List *options, const char *provider,
						   const char *statement);
extern void MlAppendParamValue(StringInfo buf, const MlParam *param);
extern const char MlParamSkip[];

/*
 * An API's names for the five standard parameters: a NULL entry keeps the
 * standard name, MlParamSkip leaves the parameter out (the API lacks it).
 */
typedef struct MlStandardNames
{
	const char *temperature;
	const char *top_p;
	const char *top_k;
	const char *max_tokens;
	const char *stop;
} MlStandardNames;

extern const char *MlStandardParamName(const MlParam *param,
									   const MlStandardNames *names,
									   const char *non_standard);
extern bool MlParamsAny(List *params, const char *(*rename) (const MlParam *param));
extern void MlAppendParams(StringInfo buf, List *params,
						   const char *(*rename) (const MlParam *param),
						   bool *first);

/* runtime_options.c */
typedef enum MlOnError
{
	ML_ON_ERROR_FAIL,			/* raise the error (Confluent's behaviour) */
	ML_ON_ERROR_NULL,			/* the row gets NULL outputs */
	ML_ON_ERROR_SKIP			/* the row is dropped */
} MlOnError;

typedef struct MlRuntimeOptions
{
	int			client_timeout; /* seconds */
	int			retry_count;
	bool		debug;
	int			max_parallelism;
	bool		async_enabled;
	int			connect_timeout;	/* milliseconds; 0: not given */
	bool		ordered;		/* pipelined rows keep the outer order */
	MlOnError	on_error;		/* what a failed row becomes */
} MlRuntimeOptions;

extern Oid	MlRuntimeOptionsTypeId(void);
extern void MlRuntimeOptionsDefaults(MlRuntimeOptions *opts);
extern void MlRuntimeOptionsFromDatum(Datum composite, MlRuntimeOptions *opts);
extern const char *MlOnErrorName(MlOnError on_error);

#endif							/* MLPREDICT_OPTIONS_H */
