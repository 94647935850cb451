/*-------------------------------------------------------------------------
 *
 * mlpredict.h
 *	  Shared constants, GUC variables and the small value types that cross
 *	  subsystem boundaries (options, model references, columns).
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

#define MLPREDICT_SCHEMA		"mlpredict"
#define MLPREDICT_MAX_VERSIONS	10
#define MLPREDICT_MAX_PARAMS	32
#define MLPREDICT_MAX_SECRET_LEN 4000

/* GUC variables (guc.c) */
extern int	mlpredict_max_parallelism;
extern bool mlpredict_enable_pipeline;
extern int	mlpredict_client_timeout;	/* seconds */
extern int	mlpredict_max_client_timeout;	/* seconds */
extern int	mlpredict_connect_timeout;	/* milliseconds */
extern int	mlpredict_retry_count;
extern bool mlpredict_allow_insecure_http;
extern int	mlpredict_max_response_size;	/* kilobytes */
extern int	mlpredict_max_output_elements;
extern char *mlpredict_secret_key_file;
extern char *mlpredict_allowed_networks;	/* CIDR list */
extern char *mlpredict_ca_bundle;
extern int	mlpredict_stat_max_connections;

extern void MlDefineGucs(void);

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
