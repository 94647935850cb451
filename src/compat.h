/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Shims for differences between the supported PostgreSQL majors (13-17).
 *
 * IDENTIFICATION
 *	  src/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_COMPAT_H
#define MLPREDICT_COMPAT_H

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/tuplestore.h"

#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
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

#if PG_VERSION_NUM >= 150000
#define MlInitMaterializedSRF(fcinfo, use_expected) \
	InitMaterializedSRF(fcinfo, (use_expected) ? MAT_SRF_USE_EXPECTED_DESC : 0)
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

#endif							/* MLPREDICT_COMPAT_H */
