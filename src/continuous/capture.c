/*-------------------------------------------------------------------------
 *
 * capture.c
 *	  mlpredict.continuous_query_capture(): the row trigger that queues
 *	  the keys of a continuous query's changed source rows, and the wake-up
 *	  of the worker when the transaction commits.
 *
 * The trigger is AFTER INSERT OR DELETE OR UPDATE OF <key, inputs, WHERE
 * columns> FOR EACH ROW, its argument the query's name.  INSERT queues
 * the new key, DELETE the old one, UPDATE the new key when one of the
 * trigger's columns changed (an UPDATE that names them but writes equal
 * values queues nothing), and the old key too when the key changed.  The
 * queue is written as the extension owner (catalog_access.c) through one
 * saved plan.  A trigger whose query no longer exists (a dump restored
 * without mlpredict's rows) does nothing.
 *
 * The key columns of each query are looked up once per transaction and
 * relation (a partitioned source's partitions fire clones of the trigger).
 * Each queued key asks for the worker to be woken when the transaction
 * commits (commit_wake.c): no polling.
 *
 * The same function is the source's statement-level AFTER TRUNCATE
 * trigger (mlpredict_cqt_<query>): a truncated source queues every key of
 * the sink, so that the batches remove those rows (with the delete
 * option; a sink that is the source went with it).
 *
 * IDENTIFICATION
 *	  src/continuous/capture.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/partition.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "catalog/ml_catalog.h"
#include "compat.h"
#include "continuous/cq_internal.h"

PG_FUNCTION_INFO_V1(mlpredict_continuous_query_capture);

/* the key columns of one query on one table, valid for one transaction */
typedef struct CaptureKeys
{
	char		name[NAMEDATALEN];
	Oid			relid;
	LocalTransactionId lxid;
	bool		exists;
	int			nkeys;
	AttrNumber	attnums[INDEX_MAX_KEYS];
	FmgrInfo	output[INDEX_MAX_KEYS];
} CaptureKeys;

#define CAPTURE_CACHE_SIZE 16

static CaptureKeys capture_cache[CAPTURE_CACHE_SIZE];
static int	capture_next;
static SPIPlanPtr enqueue_plan;

/*
 * capture_keys
 *		The key columns of query name on relation rel.
 */
static CaptureKeys *
capture_keys(const char *name, Relation rel)
{
	LocalTransactionId lxid = MlMyLocalTransactionId();
	CaptureKeys *entry;
	ContinuousQuery *cq;
	int			i;

	for (i = 0; i < CAPTURE_CACHE_SIZE; i++)
	{
		entry = &capture_cache[i];
		if (entry->lxid == lxid && entry->relid == RelationGetRelid(rel) &&
			strcmp(entry->name, name) == 0)
			return entry;
	}
	entry = &capture_cache[capture_next];
	capture_next = (capture_next + 1) % CAPTURE_CACHE_SIZE;
	memset(entry, 0, sizeof(*entry));
	strlcpy(entry->name, name, NAMEDATALEN);
	entry->relid = RelationGetRelid(rel);
	entry->lxid = lxid;

	cq = ContinuousQueryLoad(name, true);
	if (cq == NULL || cq->nkeys > INDEX_MAX_KEYS ||
		(cq->source != RelationGetRelid(rel) &&
		 !(rel->rd_rel->relispartition &&
		   list_member_oid(get_partition_ancestors(RelationGetRelid(rel)), cq->source))))
		return entry;
	for (i = 0; i < cq->nkeys; i++)
	{
		Oid			typoutput;
		bool		varlena;

		/* by name: a partition's columns may sit at other numbers */
		entry->attnums[i] = get_attnum(RelationGetRelid(rel), cq->source_key[i]);
		if (entry->attnums[i] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("key column \"%s\" of continuous query \"%s\" no longer exists",
							cq->source_key[i], name)));
		getTypeOutputInfo(cq->key_types[i], &typoutput, &varlena);
		fmgr_info_cxt(typoutput, &entry->output[i], TopMemoryContext);
	}
	entry->nkeys = cq->nkeys;
	entry->exists = true;
	return entry;
}

/* the key of tuple as text[] */
static Datum
key_of(CaptureKeys *keys, HeapTuple tuple, TupleDesc desc)
{
	Datum		elems[INDEX_MAX_KEYS];
	int			i;

	for (i = 0; i < keys->nkeys; i++)
	{
		bool		isnull;
		Datum		value = heap_getattr(tuple, keys->attnums[i], desc, &isnull);

		if (isnull)				/* a key of NOT NULL columns: cannot happen */
			elog(ERROR, "continuous query \"%s\": NULL key column", keys->name);
		elems[i] = CStringGetTextDatum(OutputFunctionCall(&keys->output[i], value));
	}
	return PointerGetDatum(construct_array(elems, keys->nkeys, TEXTOID, -1, false, TYPALIGN_INT));
}

/* did any of the columns differ between the two tuples? */
static bool
columns_differ(int n, int16 *attnums, HeapTuple a, HeapTuple b, TupleDesc desc)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, attnums[i] - 1);
		bool		anull,
					bnull;
		Datum		av = heap_getattr(a, attnums[i], desc, &anull);
		Datum		bv = heap_getattr(b, attnums[i], desc, &bnull);

		if (anull != bnull)
			return true;
		if (!anull && !datumIsEqual(av, bv, att->attbyval, att->attlen))
			return true;
	}
	return false;
}

/* did the key differ? */
static bool
key_differs(CaptureKeys *keys, HeapTuple a, HeapTuple b, TupleDesc desc)
{
	int16		attnums[INDEX_MAX_KEYS];
	int			i;

	for (i = 0; i < keys->nkeys; i++)
		attnums[i] = keys->attnums[i];
	return columns_differ(keys->nkeys, attnums, a, b, desc);
}

/* queue one key, as the extension owner */
static void
enqueue(const char *name, Datum key)
{
	CatalogAccess access;
	Oid			types[2] = {TEXTOID, TEXTARRAYOID};
	Datum		values[2] = {CStringGetTextDatum(name), key};

	CatalogBegin(&access);
	if (enqueue_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(CQ_ENQUEUE_INTO "VALUES ($1, $2) " CQ_ENQUEUE_CONFLICT,
									   2, types);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "could not prepare the queue statement");
		enqueue_plan = plan;
	}
	if (SPI_execute_plan(enqueue_plan, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not queue a continuous query key");
	CatalogEnd(&access);
	ContinuousWakeAtCommit();
}

/*
 * mlpredict_continuous_query_capture
 *		The row trigger (see the file header).
 */
Datum
mlpredict_continuous_query_capture(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	CaptureKeys *keys;
	const char *name;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		TRIGGER_FIRED_FOR_ROW(td->tg_event) == TRIGGER_FIRED_BY_TRUNCATE(td->tg_event) ||
		td->tg_trigger->tgnargs != 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("continuous_query_capture() must be an AFTER ... FOR EACH ROW trigger, or AFTER TRUNCATE ... FOR EACH STATEMENT, with the query's name as argument")));
	name = td->tg_trigger->tgargs[0];
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		ContinuousQuery *cq = ContinuousQueryLoad(name, true);

		if (cq && cq->source == RelationGetRelid(td->tg_relation))
			(void) ContinuousEnqueueSinkKeys(cq);
		return PointerGetDatum(NULL);
	}
	desc = RelationGetDescr(td->tg_relation);
	keys = capture_keys(name, td->tg_relation);
	if (!keys->exists)
		return PointerGetDatum(NULL);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		enqueue(name, key_of(keys, td->tg_trigtuple, desc));
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		enqueue(name, key_of(keys, td->tg_trigtuple, desc));
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		HeapTuple	old = td->tg_trigtuple;
		HeapTuple	new = td->tg_newtuple;

		if (!columns_differ(td->tg_trigger->tgnattr, td->tg_trigger->tgattr, old, new, desc))
			return PointerGetDatum(NULL);
		enqueue(name, key_of(keys, new, desc));
		if (key_differs(keys, old, new, desc))
			enqueue(name, key_of(keys, old, desc));
	}
	return PointerGetDatum(NULL);
}
