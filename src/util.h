/*-------------------------------------------------------------------------
 *
 * util.h
 *	  Option lists and small string helpers shared by the catalog, DDL and
 *	  executor code.
 *
 * IDENTIFICATION
 *	  src/util.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_UTIL_H
#define MLPREDICT_UTIL_H

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "mlpredict.h"

/* An absolute URL taken apart (MlSplitUrl); pieces are palloc'd. */
typedef struct MlUrl
{
	char	   *scheme;			/* "https" */
	char	   *authority;		/* "host:port" as written, without user info */
	char	   *host;			/* without port */
	char	   *path;			/* "/..." ("/" when empty), without query */
	char	   *query;			/* after '?', without '#...'; NULL if none */
} MlUrl;

extern bool MlSplitUrl(const char *url, MlUrl *out);

/*
 * Open a GUC nest level with search_path = pg_catalog, pg_temp, for code
 * whose names must not depend on the caller's path; returns the level, to
 * close with AtEOXact_GUC (an ERROR closes it with the transaction).
 */
extern int	MlPinSearchPath(void);
extern char *MlJoinUrl(const MlUrl *url);
/*
 * Options one statement or jsonb may give (connections, models, continuous
 * queries): far more than any takes (a model has a dozen and up to 32
 * <provider>.params.*), and few enough that the checks that compare every
 * option with every other (duplicates, parameter conflicts) stay quick.
 * Without it 200000 keys held a backend for minutes, deaf to cancel.
 */
#define ML_MAX_OPTIONS 1000

extern MlOption *MlMakeOption(const char *key, const char *value, int location);
extern const char *MlOptionGet(List *options, const char *key);
extern MlOption *MlOptionFind(List *options, const char *key);
extern List *MlOptionsFromJsonb(Jsonb *jsonb, const char *what);
extern char *MlOptionsToJson(List *options);
extern List *MlOptionsFromJsonText(const char *text, const char *what);
extern List *MlOptionsLowerKeys(List *options);
extern void MlCheckDuplicateOptions(List *options, const char *statement);
extern void MlCheckOptionLine(MlOption *opt, const char *statement);
extern int	MlErrorPosition(const char *statement, int location);
extern bool MlLikeMatch(const char *value, const char *pattern);
extern char *MlQualifiedModelName(const char *schema, const char *name);
extern bool MlParseInt(const char *value, int64 *result);

#endif							/* MLPREDICT_UTIL_H */
