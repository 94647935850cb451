/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Shims for differences between the supported PostgreSQL majors (15-18;
 *	  the guards for 13 and 14 are kept but no longer built or tested).
 *
 * IDENTIFICATION
 *	  src/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_COMPAT_H
#define MLPREDICT_COMPAT_H

#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_relation.h"
#include "utils/tuplestore.h"

#include "common/jsonapi.h"
#include "parser/parse_type.h"
#include "storage/latch.h"
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#include "varatt.h"				/* VARDATA, SET_VARSIZE: out of postgres.h in PG16 */
#endif
#if PG_VERSION_NUM >= 170000
#include "utils/resowner.h"
#endif
/* PG_WAIT_EXTENSION (WaitEventExtensionNew too on PG17); PG13: pgstat.h. */
#if PG_VERSION_NUM >= 140000
#include "utils/wait_event.h"
#else
#include "pgstat.h"
#endif

/* EXPLAIN's ExplainProperty* moved out of commands/explain.h in PG18. */
#if PG_VERSION_NUM >= 180000
#include "commands/explain_format.h"
#endif

/*
 * A function that never returns: PG18 replaced the trailing
 * pg_attribute_noreturn() by a leading pg_noreturn (C11's _Noreturn), which
 * every supported server's compiler understands.
 */
#ifndef pg_noreturn
#define pg_noreturn _Noreturn
#endif

/*
 * expandRTE's columns of a range table entry, as they read (PG18 added
 * which version of a RETURNING row the Vars refer to).
 */
#if PG_VERSION_NUM >= 180000
#define MlExpandRTE(rte, rtindex, colnames, colvars) \
	expandRTE((rte), (rtindex), 0, VAR_RETURNING_DEFAULT, -1, false, (colnames), (colvars))
#else
#define MlExpandRTE(rte, rtindex, colnames, colvars) \
	expandRTE((rte), (rtindex), 0, -1, false, (colnames), (colvars))
#endif

/* MarkGUCPrefixReserved is PG15's new name for EmitWarningsOnPlaceholders. */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/* PG13 lacks message_level_is_interesting: treat every level as wanted. */
#if PG_VERSION_NUM < 140000
#define message_level_is_interesting(elevel) true
#endif

/* A uniform random double in [0, 1) for backoff jitter. */
#if PG_VERSION_NUM >= 150000
#include "common/pg_prng.h"
#define MlRandomDouble() pg_prng_double(&pg_global_prng_state)
#else
#define MlRandomDouble() ((double) random() / ((double) MAX_RANDOM_VALUE + 1))
#endif

#if PG_VERSION_NUM >= 160000
#define MlNamespaceAclCheck(nsp, role, mode) \
	object_aclcheck(NamespaceRelationId, nsp, role, mode)
#define MlProcAclCheck(proc, role, mode) \
	object_aclcheck(ProcedureRelationId, proc, role, mode)
#else
#define MlNamespaceAclCheck(nsp, role, mode) pg_namespace_aclcheck(nsp, role, mode)
#define MlProcAclCheck(proc, role, mode) pg_proc_aclcheck(proc, role, mode)
#endif

/* The RETURNING expressions of a raw INSERT (a ReturningClause from 18). */
#if PG_VERSION_NUM >= 180000
#define MlInsertReturningList(ins) \
	((ins)->returningClause != NULL ? (ins)->returningClause->exprs : NIL)
#else
#define MlInsertReturningList(ins) ((ins)->returningList)
#endif

/* Whether a PGPROC is not a regular backend (a background worker). */
#if PG_VERSION_NUM >= 180000
#define MlProcIsBackgroundWorker(proc) (!(proc)->isRegularBackend)
#else
#define MlProcIsBackgroundWorker(proc) ((proc)->isBackgroundWorker)
#endif

/* This backend's local transaction id (in PGPROC's vxid from 17). */
#if PG_VERSION_NUM >= 170000
#define MlMyLocalTransactionId() (MyProc->vxid.lxid)
#else
#define MlMyLocalTransactionId() (MyProc->lxid)
#endif

/*
 * Materialized SRF setup: InitMaterializedSRF from 16 (and 15.1+), but
 * 15.0 has only SetSingleFuncCall, which every 15.x keeps; older servers
 * get our own copy below.
 */
#if PG_VERSION_NUM >= 160000
#define MlInitMaterializedSRF(fcinfo, use_expected) \
	InitMaterializedSRF(fcinfo, (use_expected) ? MAT_SRF_USE_EXPECTED_DESC : 0)
#elif PG_VERSION_NUM >= 150000
#define MlInitMaterializedSRF(fcinfo, use_expected) \
	SetSingleFuncCall(fcinfo, (use_expected) ? SRF_SINGLE_USE_EXPECTED : 0)
#else
/*
 * Older servers lack InitMaterializedSRF: set up a tuplestore in the
 * per-query context the same way.
 */
static inline void
MlInitMaterializedSRF(FunctionCallInfo fcinfo, bool use_expected)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcontext;
	TupleDesc	tupdesc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (use_expected)
		tupdesc = CreateTupleDescCopy(rsinfo->expectedDesc);
	else if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->setDesc = tupdesc;
	MemoryContextSwitchTo(oldcontext);
}
#endif

/*
 * A WaitEventSet for nevents events, freed with FreeWaitEventSet; PG17 ties
 * it to CurrentResourceOwner, older servers allocate it in
 * CurrentMemoryContext.  A lasting one belongs to no resource owner (in
 * TopMemoryContext before PG17) and lives until it is freed.
 */
#if PG_VERSION_NUM >= 170000
#define MlCreateWaitEventSet(nevents) \
	CreateWaitEventSet(CurrentResourceOwner, (nevents))
#define MlCreateLastingWaitEventSet(nevents) \
	CreateWaitEventSet(NULL, (nevents))
#else
#define MlCreateWaitEventSet(nevents) \
	CreateWaitEventSet(CurrentMemoryContext, (nevents))
#define MlCreateLastingWaitEventSet(nevents) \
	CreateWaitEventSet(TopMemoryContext, (nevents))
#endif

/*
 * shm_mq_send, flushing at once: PG15 added force_flush (without it a
 * small message may sit unannounced until a quarter of the ring fills).
 */
#if PG_VERSION_NUM >= 150000
#define MlShmMqSend(mqh, nbytes, data, nowait) \
	shm_mq_send((mqh), (nbytes), (data), (nowait), true)
#else
#define MlShmMqSend(mqh, nbytes, data, nowait) \
	shm_mq_send((mqh), (nbytes), (data), (nowait))
#endif

/*
 * shm_mq_send of one message of a batch: with flush false (PG15+), the
 * receiver learns of it, and its latch is set, only with a later flushed
 * message or when a quarter of the ring is pending or the ring is full;
 * so the last message of a batch must be sent with flush.  Before PG15
 * every message is flushed.
 */
#if PG_VERSION_NUM >= 150000
#define MlShmMqSendBatched(mqh, nbytes, data, nowait, flush) \
	shm_mq_send((mqh), (nbytes), (data), (nowait), (flush))
#else
#define MlShmMqSendBatched(mqh, nbytes, data, nowait, flush) \
	shm_mq_send((mqh), (nbytes), (data), (nowait))
#endif

/* This backend's index among all PGPROCs (PG17 dropped PGPROC.pgprocno). */
#if PG_VERSION_NUM >= 170000
#define MlMyProcNumber() ((int) MyProcNumber)
#else
#define MlMyProcNumber() (MyProc->pgprocno)
#endif

/* A named wait event of type Extension; before PG17 the generic one. */
#if PG_VERSION_NUM >= 170000
#define MlWaitEventExtensionNew(name) WaitEventExtensionNew(name)
#else
#define MlWaitEventExtensionNew(name) PG_WAIT_EXTENSION
#endif

/* A palloc'd JSON lexer; PG17 also takes a struct to fill (NULL: palloc). */
#if PG_VERSION_NUM >= 170000
#define MlJsonLexContextCreate(json, len, encoding, need_escapes) \
	makeJsonLexContextCstringLen(NULL, (json), (len), (encoding), (need_escapes))
#else
#define MlJsonLexContextCreate(json, len, encoding, need_escapes) \
	makeJsonLexContextCstringLen((json), (len), (encoding), (need_escapes))
#endif

/* Free an MlJsonLexContextCreate lexer; freeJsonLexContext is PG17's. */
#if PG_VERSION_NUM >= 170000
#define MlJsonLexContextFree(lex) freeJsonLexContext(lex)
#else
static inline void
MlJsonLexContextFree(JsonLexContext *lex)
{
	if (lex->strval != NULL)
	{
		pfree(lex->strval->data);
		pfree(lex->strval);
	}
	pfree(lex);
}
#endif

/*
 * parseTypeString; with missing_ok, returns false instead of raising ERROR
 * when the type does not exist (PG16 reports that softly through an
 * ErrorSaveContext, which also catches a malformed name; older servers take
 * a missing_ok flag and leave *typid invalid).
 */
static inline bool
MlParseTypeString(const char *str, Oid *typid, int32 *typmod, bool missing_ok)
{
#if PG_VERSION_NUM >= 160000
	ErrorSaveContext escontext = {T_ErrorSaveContext};

	if (!missing_ok)
	{
		parseTypeString(str, typid, typmod, NULL);
		return true;
	}
	if (!parseTypeString(str, typid, typmod, (Node *) &escontext))
		return false;
#else
	parseTypeString(str, typid, typmod, missing_ok);
#endif
	return OidIsValid(*typid);
}

#endif							/* MLPREDICT_COMPAT_H */
