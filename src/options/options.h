/*-------------------------------------------------------------------------
 *
 * options.h
 *	  Model options (WITH clause) and runtime options (the counterpart of
 *	  Confluent's MAP[...] argument); request parameters (<p>.params.*)
 *	  are the wire layer's (wire/params.h).
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
#include "wire/params.h"

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
extern void MlCheckModelOptionKey(MlOption *opt, const char *provider_name,
								  const char *statement);
extern const char *MlModelOption(List *options, const char *provider,
								 const char *suffix);
extern const char *MlModelProvider(List *options);

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
