/*-------------------------------------------------------------------------
 *
 * memo.c
 *	  One statement's answers by call key (see cache.h), so that rows with
 *	  the same inputs share one call.
 *
 * An entry is PENDING while the first row's call is on its way (the
 * caller keeps its rows waiting on it) and DONE once that row's answer is
 * known: its outputs and whether on_error = skip dropped the row, copied
 * into the memo's context so that they outlive the first row.  The memo
 * is bounded by mlpredict.dedup_memory (the entries and their copies, as
 * allocated): when a new entry would pass it,
 * the DONE entries no row still has to copy are dropped; if that is not
 * enough the new call is not deduplicated (the memo never blocks a row).
 *
 * IDENTIFICATION
 *	  src/cache/memo.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "cache/cache.h"
#include "settings.h"

/* a full memo is trimmed (a scan of every entry) once per so many rows */
#define MEMO_TRIM_EVERY		64

/* an entry in the hash table, with dynahash's header and the bucket */
#define ENTRY_BYTES	(MAXALIGN(sizeof(MlMemoEntry)) + 3 * sizeof(void *))

/*
 * MlMemoCreate
 *		See cache.h.
 */
MlMemo *
MlMemoCreate(MlTarget *target, MemoryContext parent)
{
	MemoryContext context;
	MlMemo	   *memo;
	HASHCTL		ctl;
	ListCell   *lc;
	int			i = 0;

	if (mlpredict_dedup_memory <= 0)
		return NULL;
	/* small blocks: what the memo holds stays close to what it counts */
	context = AllocSetContextCreate(parent, "mlpredict dedup", 0, 8 * 1024, 64 * 1024);
	memo = MemoryContextAllocZero(context, sizeof(MlMemo));
	memo->context = context;
	memo->noutputs = target->noutputs;
	memo->max_bytes = (Size) mlpredict_dedup_memory * 1024;
	memo->typlen = MemoryContextAlloc(context, sizeof(int16) * Max(target->noutputs, 1));
	memo->typbyval = MemoryContextAlloc(context, sizeof(bool) * Max(target->noutputs, 1));
	foreach(lc, target->model->output)
	{
		MlColumn   *col = lfirst(lc);

		get_typlenbyval(col->typid, &memo->typlen[i], &memo->typbyval[i]);
		i++;
	}
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(MlCacheKey);
	ctl.entrysize = sizeof(MlMemoEntry);
	ctl.hcxt = context;
	memo->hash = hash_create("mlpredict dedup", 256, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	return memo;
}

/*
 * MlMemoLookup
 *		See cache.h.
 */
MlMemoEntry *
MlMemoLookup(MlMemo *memo, const MlCacheKey *key)
{
	return hash_search(memo->hash, key, HASH_FIND, NULL);
}

/*
 * drop_entry
 *		Remove an entry and free its copies (one chunk).
 */
static void
drop_entry(MlMemo *memo, MlMemoEntry *entry)
{
	if (entry->state == ML_MEMO_DONE)
		pfree(entry->values);
	memo->bytes -= entry->bytes + ENTRY_BYTES;
	hash_search(memo->hash, &entry->key, HASH_REMOVE, NULL);
}

/*
 * trim
 *		Drop the DONE entries that no row still has to copy.
 */
static void
trim(MlMemo *memo)
{
	HASH_SEQ_STATUS status;
	MlMemoEntry *entry;

	hash_seq_init(&status, memo->hash);
	while ((entry = hash_seq_search(&status)) != NULL)
		if (entry->state == ML_MEMO_DONE && entry->refs == 0)
			drop_entry(memo, entry);
}

/*
 * MlMemoEnter
 *		See cache.h.
 */
MlMemoEntry *
MlMemoEnter(MlMemo *memo, const MlCacheKey *key)
{
	MlMemoEntry *entry;
	bool		found;

	if (memo->bytes + ENTRY_BYTES > memo->max_bytes)
	{
		/* after a trim that freed too little, try again only now and then */
		if (memo->refused++ % MEMO_TRIM_EVERY != 0)
			return NULL;
		trim(memo);
		if (memo->bytes + ENTRY_BYTES > memo->max_bytes)
			return NULL;
		memo->refused = 0;
	}
	entry = hash_search(memo->hash, key, HASH_ENTER, &found);
	Assert(!found);
	memset((char *) entry + sizeof(MlCacheKey), 0,
		   sizeof(MlMemoEntry) - sizeof(MlCacheKey));
	entry->state = ML_MEMO_PENDING;
	memo->bytes += ENTRY_BYTES;
	return entry;
}

/*
 * MlMemoSetAnswer
 *		See cache.h.  The outputs are copied into one chunk: the values,
 *		the null flags, then the by-reference values' data.
 */
void
MlMemoSetAnswer(MlMemo *memo, MlMemoEntry *entry, Datum *values, bool *nulls,
				bool keep)
{
	int			n = Max(memo->noutputs, 1);
	Size		head = MAXALIGN(sizeof(Datum) * n) + MAXALIGN(sizeof(bool) * n);
	Size		size = head;
	char	   *chunk;
	char	   *data;

	Assert(entry->state == ML_MEMO_PENDING);
	for (int i = 0; i < memo->noutputs; i++)
		if (keep && !nulls[i] && !memo->typbyval[i])
			size += MAXALIGN(datumGetSize(values[i], false, memo->typlen[i]));
	chunk = MemoryContextAllocZero(memo->context, size);
	entry->values = (Datum *) chunk;
	entry->nulls = (bool *) (chunk + MAXALIGN(sizeof(Datum) * n));
	data = chunk + head;
	for (int i = 0; i < memo->noutputs; i++)
	{
		entry->nulls[i] = !keep || nulls[i];
		if (entry->nulls[i])
			continue;
		if (memo->typbyval[i])
			entry->values[i] = values[i];
		else
		{
			Size		len = datumGetSize(values[i], false, memo->typlen[i]);

			memcpy(data, DatumGetPointer(values[i]), len);
			entry->values[i] = PointerGetDatum(data);
			data += MAXALIGN(len);
		}
	}
	entry->keep = keep;
	entry->state = ML_MEMO_DONE;
	entry->leader = entry->waiters = NULL;
	entry->bytes = GetMemoryChunkSpace(chunk);
	memo->bytes += entry->bytes;
}

/*
 * MlMemoCopyAnswer
 *		See cache.h.
 */
void
MlMemoCopyAnswer(MlMemo *memo, MlMemoEntry *entry, Datum *values, bool *nulls)
{
	Assert(entry->state == ML_MEMO_DONE);
	for (int i = 0; i < memo->noutputs; i++)
	{
		nulls[i] = entry->nulls[i];
		values[i] = nulls[i] ? (Datum) 0 :
			datumCopy(entry->values[i], memo->typbyval[i], memo->typlen[i]);
	}
}

/*
 * MlMemoForgetPending
 *		See cache.h.
 */
void
MlMemoForgetPending(MlMemo *memo)
{
	HASH_SEQ_STATUS status;
	MlMemoEntry *entry;

	hash_seq_init(&status, memo->hash);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		entry->refs = 0;
		if (entry->state == ML_MEMO_PENDING)
			drop_entry(memo, entry);
	}
}
