/*-------------------------------------------------------------------------
 *
 * params.h
 *	  Request parameters: the <provider>.params.* model options, parsed and
 *	  typed, and emitted into JSON request bodies by the formats.
 *
 * IDENTIFICATION
 *	  src/wire/params.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_PARAMS_H
#define MLPREDICT_PARAMS_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"

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

#endif							/* MLPREDICT_PARAMS_H */
