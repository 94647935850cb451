/*-------------------------------------------------------------------------
 *
 * cq_wake.h
 *	  Waking a database's continuous-query worker: the shared-memory
 *	  registry of worker latches (owned by the cq-worker side).
 *
 * The capture trigger calls ContinuousWake(MyDatabaseId) at commit of a
 * transaction that queued keys (and create/resume call it too): it sets
 * the database worker's latch, or asks the launcher to start one.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_wake.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CQ_WAKE_H
#define MLPREDICT_CQ_WAKE_H

#include "postgres_ext.h"

extern void ContinuousWake(Oid dboid);

#endif							/* MLPREDICT_CQ_WAKE_H */
