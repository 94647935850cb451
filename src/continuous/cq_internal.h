/*-------------------------------------------------------------------------
 *
 * cq_internal.h
 *	  What the files of src/continuous/ share with each other and with the
 *	  statements (src/ddl/): creation, the operations, the capture
 *	  trigger's wake-up.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CQ_INTERNAL_H
#define MLPREDICT_CQ_INTERNAL_H

#include "utils/array.h"

#include "continuous/continuous.h"

#define CQ_DEFAULT_BATCH_SIZE 500
#define CQ_DEFAULT_MAX_ATTEMPTS 5
#define CQ_MAX_NAME_BYTES 48
#define CQ_TRIGGER_PREFIX "mlpredict_cq_"		/* the row trigger */
#define CQ_TRUNCATE_PREFIX "mlpredict_cqt_"	/* the TRUNCATE trigger */

/*
 * Queueing a key: a key already waiting keeps its place (a hot row is not
 * pushed back for ever); a parked one starts afresh.
 */
#define CQ_ENQUEUE_INTO "INSERT INTO mlpredict.continuous_query_queue AS q (query, key) "
#define CQ_ENQUEUE_CONFLICT \
	"ON CONFLICT (query, key) DO UPDATE SET " \
	"enqueued_at = CASE WHEN q.parked THEN EXCLUDED.enqueued_at ELSE q.enqueued_at END, " \
	"attempts = 0, next_attempt_at = '-infinity', parked = false"

/* continuous_query.c */
extern char *ContinuousRelationName(Oid relid);
extern MlModel *ContinuousQueryModel(ContinuousQuery *cq);
/* the query, if the current user may manage it (owner or superuser) */
extern ContinuousQuery *ContinuousQueryForOwner(const char *name, bool missing_ok);

/*
 * cq_define.c: CREATE CONTINUOUS QUERY.  statement holds the INSERT ...
 * SELECT at byte offset query_location (0 for the function form); options
 * are MlOption with locations in statement (or -1).  Returns false when
 * the query existed and if_not_exists.
 */
extern bool ContinuousQueryCreate(const char *name, const char *statement,
								  int query_location, List *options,
								  bool if_not_exists);
extern char *ContinuousCanonicalStatement(const char *name, const char *options_json,
										  const char *query);
extern char *ContinuousOptionsJson(List *options, const char *statement,
								   bool for_alter, const char *current_json);

/*
 * cq_cycle.c: refuse (42P17) a new query that would queue its own rows
 * again through other queries; follows are the source columns its capture
 * trigger will follow (key, inputs, WHERE columns).
 */
extern void ContinuousCheckNoLoop(ContinuousQuery *cq, List *follows);

/* cq_ops.c: the operations on an existing query (owner or superuser) */
extern void ContinuousQuerySetState(const char *name, bool running);
extern void ContinuousQueryAlter(const char *name, List *options, const char *statement);
extern void ContinuousQuerySetVersion(const char *name, int version, bool reprocess_all);
extern bool ContinuousQueryDrop(const char *name, bool if_exists);
extern int64 ContinuousRetryParked(const char *name, ArrayType *key);
extern List *ContinuousExplain(const char *name);
extern char *ContinuousQueryText(const char *statement);

/* cq_enqueue.c: queue many keys at once (backfill, reprocess) */
extern int64 ContinuousEnqueueAll(ContinuousQuery *cq);
extern int64 ContinuousReprocess(const char *name, int older_than_version, bool all);
extern int64 ContinuousEnqueueSinkKeys(ContinuousQuery *cq);

/* commit_wake.c: wake the worker when this transaction commits */
extern void ContinuousWakeAtCommit(void);

#endif							/* MLPREDICT_CQ_INTERNAL_H */
