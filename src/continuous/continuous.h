/*-------------------------------------------------------------------------
 *
 * continuous.h
 *	  Continuous queries as the rest of the extension sees them: one row
 *	  of mlpredict.continuous_query loaded into a struct, and the SQL text
 *	  of the statements that process a batch of queued keys.
 *
 * The catalog (continuous_query.c), the capture trigger (capture.c) and
 * the statements (DDL in src/ddl/) are owned by the SQL surface; the
 * batch processor and the workers (cq-worker) call only what is declared
 * here, so the statements a batch runs are written in one place.
 *
 * Batch statement contract (ContinuousBatchSQL):
 *	  $1 is a two-dimensional text[] of n rows by nkeys columns, each row a
 *	  queue key (mlpredict.continuous_query_queue.key) - exactly what
 *	  "SELECT array_agg(key) FROM (... FOR UPDATE SKIP LOCKED) q" returns.
 *	  The statement reads those source rows (that still exist and match the
 *	  WHERE), calls the model once per row through the pipelined LATERAL
 *	  join and upserts the sink (INSERT ... ON CONFLICT (sink_key) DO
 *	  UPDATE), or UPDATEs the source's target columns when the sink is the
 *	  source.  SPI_processed is the number of sink rows written.
 *	  ContinuousDeleteSQL (same $1, NULL when there is nothing to delete)
 *	  removes the sink rows of those keys whose source row is gone or no
 *	  longer matches the WHERE (or, sink = source, clears the target
 *	  columns of rows that no longer match).  Both run as the query's owner
 *	  (ContinuousCheckPrivileges first), in the caller's transaction.
 *
 * IDENTIFICATION
 *	  src/continuous/continuous.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CONTINUOUS_H
#define MLPREDICT_CONTINUOUS_H

#include "nodes/pg_list.h"

#include "mlpredict.h"

/* Where a sink column's value comes from. */
typedef enum ContinuousTargetKind
{
	CQ_TARGET_SOURCE,			/* a source column, by name */
	CQ_TARGET_OUTPUT,			/* a model output column, by name */
	CQ_TARGET_VERSION			/* the model version that produced the row */
} ContinuousTargetKind;

typedef struct ContinuousTarget
{
	char	   *sink_column;
	ContinuousTargetKind kind;
	char	   *column;			/* source or output column; NULL for VERSION */
} ContinuousTarget;

/* One row of mlpredict.continuous_query, with the options unpacked. */
typedef struct ContinuousQuery
{
	char	   *name;
	Oid			owner;
	Oid			source;			/* relation OIDs */
	Oid			sink;
	bool		sink_is_source;
	int			nkeys;
	char	  **source_key;		/* nkeys source key columns */
	Oid		   *key_types;		/* their types */
	char	  **sink_key;		/* nkeys sink columns receiving them */
	char	   *model_schema;
	char	   *model_name;
	int			model_version;	/* 0: the model's default version at each batch */
	int			ninputs;
	char	  **inputs;			/* source columns passed to the model */
	int			ntargets;
	ContinuousTarget *targets;	/* in sink column order */
	char	   *where_clause;	/* deparsed, columns as s.col; or NULL */
	bool		running;		/* state = 'running' (not paused) */
	/* options */
	bool		backfill;
	bool		delete_rows;
	int			batch_size;
	int			max_attempts;
	char	   *provenance_column;	/* or NULL */
	char	   *statement;		/* canonical CREATE CONTINUOUS QUERY text */
	char	   *runtime_options;	/* the model call's trailing options
									 * (mlpredict.map(...)), SQL text, or NULL */
} ContinuousQuery;

/*
 * continuous_query.c: the catalog row (read as the extension owner).
 * Raises 42704 for a missing name unless missing_ok (then NULL).
 */
extern ContinuousQuery *ContinuousQueryLoad(const char *name, bool missing_ok);

/* names of the database's continuous queries, running ones only if asked */
extern List *ContinuousQueryNames(bool running_only);

/*
 * Check, for the query's owner, every right a batch needs (SELECT on the
 * source, SELECT/INSERT/UPDATE and, with the delete option, DELETE on the
 * sink - UPDATE when the sink is the source -, EXECUTE on the model's
 * typed function); raises 42501 naming what is missing.
 */
extern void ContinuousCheckPrivileges(ContinuousQuery *cq);

/*
 * The batch statement (see above).  The model version is resolved now
 * (pinned, or the model's current default) and written into the text;
 * *version_used receives it (for the progress row's model_version_used).
 */
extern char *ContinuousBatchSQL(ContinuousQuery *cq, int *version_used);

/* the delete statement (see above), or NULL when it has nothing to do */
extern char *ContinuousDeleteSQL(ContinuousQuery *cq);

/*
 * Running the owner's statements (batches, backfill, reprocess, EXPLAIN):
 * ContinuousBecomeOwner switches to the query's owner in a security-
 * restricted operation (no temporary objects, no SET ROLE, no PREPARE or
 * LISTEN left behind in the session of whoever runs the batch: a pool
 * worker or a superuser calling process_continuous_query) with
 * search_path = pg_catalog, pg_temp, in a GUC nest level;
 * ContinuousRestoreUser goes back to the caller and rolls back every
 * setting the owner's code changed (set_config(..., false) in a WHERE
 * function or a sink trigger must not outlive the batch).
 */
typedef struct ContinuousOwnerContext
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
} ContinuousOwnerContext;

extern void ContinuousBecomeOwner(ContinuousQuery *cq, ContinuousOwnerContext *ctx);
extern void ContinuousRestoreUser(ContinuousOwnerContext *ctx);

#endif							/* MLPREDICT_CONTINUOUS_H */
