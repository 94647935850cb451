/*-------------------------------------------------------------------------
 *
 * mlpredict.h
 *	  Shared constants and the small value types that cross subsystem
 *	  boundaries (options, model references, columns); it includes
 *	  settings.h, the GUC variables, for the many files that read them.
 *
 * Each subsystem has its own header; this one holds only what every part
 * of the extension needs to agree on.
 *
 * IDENTIFICATION
 *	  src/mlpredict.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_H
#define MLPREDICT_H

#include "postgres.h"

#include "nodes/pg_list.h"

#include "settings.h"

#define MLPREDICT_SCHEMA		"mlpredict"
#define MLPREDICT_MAX_VERSIONS	10
#define MLPREDICT_MAX_PARAMS	32
#define MLPREDICT_MAX_SECRET_LEN 4000

/*
 * One "key" = "value" pair from a WITH (...) / SET (...) clause or a jsonb
 * options object.  Keys are kept as written; comparisons are
 * case-insensitive.  location is a byte offset into the statement text, or
 * -1 when the option did not come from statement text.
 */
typedef struct MlOption
{
	char	   *key;
	char	   *value;
	int			location;
} MlOption;

/* Which version(s) of a model a reference addresses. */
typedef enum MlVersionKind
{
	ML_VERSION_DEFAULT,			/* bare name */
	ML_VERSION_NUMBER,			/* name$3 */
	ML_VERSION_LATEST,			/* name$latest */
	ML_VERSION_ALL				/* name$all */
} MlVersionKind;

/*
 * A parsed model reference such as public.sentimentmodel$2.  schema is
 * NULL when the reference is unqualified.  Identifiers are already
 * unquoted and case-folded.
 */
typedef struct MlModelRef
{
	char	   *schema;
	char	   *name;
	MlVersionKind version_kind;
	int			version;		/* valid for ML_VERSION_NUMBER */
	/*
	 * The name's other spelling, tried when no model has name (Flink keeps
	 * the case of every identifier): as written when name was folded to
	 * lower case, folded when name was quoted; NULL when both are the same.
	 */
	char	   *alt_name;
} MlModelRef;

/* A registered connection. */
typedef struct MlConnection
{
	char	   *name;
	char	   *type;			/* lower case: "openai", "bedrock", ... */
	char	   *endpoint;
	List	   *options;		/* MlOption *: non-secret options */
	List	   *secrets;		/* MlOption *: only when loaded with secrets */
	char	   *comment;
	Oid			owner_id;		/* the owner of record (regrole) */
	char	   *owner;			/* its name, for messages */
} MlConnection;

/* One version of a registered model. */
typedef struct MlModel
{
	char	   *schema;
	char	   *name;
	List	   *input;			/* MlColumn * */
	List	   *output;			/* MlColumn * */
	char	   *task;
	char	   *comment;
	Oid			owner_id;		/* the owner of record (regrole) */
	char	   *owner;			/* its name, for messages */
	int			default_version;
	int			version;		/* the version described by options */
	List	   *options;		/* MlOption *, keys lower case */
} MlModel;

#endif							/* MLPREDICT_H */
