/*-------------------------------------------------------------------------
 *
 * cq_wake.h
 *	  The continuous-query workers' shared registry: one entry per database
 *	  that may have continuous queries (its worker's pid and latch, and a
 *	  "work may be pending" flag), and the wake-up every other part calls.
 *
 * ContinuousWake(dboid) is what the capture trigger's commit callback and
 * create/resume call: it sets the database worker's latch, or, when that
 * database has no worker running, asks the launcher to start one.  It is
 * a no-op when the library is not preloaded (then nothing runs in the
 * background, and mlpredict.process_continuous_query() is the only way to
 * process a queue).
 *
 * IDENTIFICATION
 *	  src/continuous/cq_wake.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CQ_WAKE_H
#define MLPREDICT_CQ_WAKE_H

#include "datatype/timestamp.h"
#include "storage/latch.h"

/* databases the registry can follow at once */
#define CQ_MAX_DATABASES 64

extern void ContinuousWake(Oid dboid);
extern bool ContinuousIsShared(void);

/* cq_wake.c: the registry (for cq_worker.c) */
extern void ContinuousShmemRequest(void);
extern void ContinuousShmemInit(void);
extern void ContinuousSetLauncher(Latch *latch);
extern bool ContinuousNoteDatabase(Oid dboid);
extern Oid	ContinuousNextToStart(long *wake_ms);
extern void ContinuousStartFailed(Oid dboid, TimestampTz hold_until);
extern void ContinuousForgetDatabase(Oid dboid);
extern bool ContinuousWorkerAttach(Oid dboid, Latch *latch);
extern bool ContinuousTakePending(Oid dboid);
extern bool ContinuousWorkerDetachIfIdle(Oid dboid);
extern void ContinuousWorkerDetach(Oid dboid);

/* cq_wake.c: the hold of a database a DROP/ALTER DATABASE needs (cq_dbguard.c) */
extern pid_t ContinuousHoldDatabase(Oid dboid, TimestampTz until);
extern bool ContinuousWorkerGone(Oid dboid);
extern void ContinuousReleaseDatabase(Oid dboid, bool dropped);

/* cq_dbguard.c: the ProcessUtility hook for those commands (from _PG_init) */
extern void ContinuousDatabaseGuardInit(void);

/* cq_launcher.c: from _PG_init while preloading */
extern void ContinuousRegister(void);

#endif							/* MLPREDICT_CQ_WAKE_H */
