/*-------------------------------------------------------------------------
 *
 * cache.h
 *	  Answering a model call without a request: the keys of calls
 *	  (cache_key.c), the per-statement memo of answers that deduplicates
 *	  identical calls (memo.c), and the opt-in response cache across
 *	  statements, table-backed (response_cache.c).
 *
 * A call's key is the SHA-256 of what decides its answer: the model
 * version's identity (schema, name, version, its options, its
 * connection's name and endpoint) and the converted input values.  Two
 * calls with the same key send the same request, so one answer serves
 * both; runtime options do not change the request, and the callers share
 * answers only between calls made with the same runtime options.
 *
 * IDENTIFICATION
 *	  src/cache/cache.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CACHE_H
#define MLPREDICT_CACHE_H

#include "lib/stringinfo.h"
#include "utils/hsearch.h"

#include "options/options.h"
#include "types/typemap.h"
#include "wire/target.h"

#define ML_CACHE_KEY_LEN	32		/* SHA-256 */

typedef struct MlCacheKey
{
	uint8		bytes[ML_CACHE_KEY_LEN];
} MlCacheKey;

/* cache_key.c */

/*
 * What a model version's calls are keyed by before their inputs (see the
 * file header), with typlen/typbyval of each INPUT column for reading the
 * values; built once per statement in the current memory context.
 */
typedef struct MlKeyPrefix
{
	StringInfoData identity;
	int			ninputs;
	int16	   *typlen;
	bool	   *typbyval;
	struct MlKeyHash *hash;		/* SHA-256 states (cache_key.c) */
} MlKeyPrefix;

extern void MlKeyPrefixInit(MlKeyPrefix *prefix, MlTarget *target);

/* The key of a call with these inputs (none NULL). */
extern void MlCallKey(MlKeyPrefix *prefix, Datum *values, bool *nulls,
					  MlCacheKey *key);

/* memo.c: the answers of one statement's calls, by key */
typedef enum MlMemoState
{
	ML_MEMO_PENDING,			/* the first call is on its way */
	ML_MEMO_DONE				/* its answer is known */
} MlMemoState;

typedef struct MlMemoEntry
{
	MlCacheKey	key;			/* hash key: first */
	MlMemoState state;
	bool		keep;			/* DONE: false if on_error = skip dropped it */
	int			refs;			/* rows still to copy the answer (caller's) */
	void	   *leader;			/* PENDING: the caller's first row */
	void	   *waiters;		/* PENDING: the caller's rows waiting */
	bool		leader_ready;	/* PENDING: the leader's answer is in */
	Datum	   *values;			/* DONE: the outputs, copied */
	bool	   *nulls;
	Size		bytes;			/* DONE: what the copies hold */
} MlMemoEntry;

typedef struct MlMemo
{
	HTAB	   *hash;
	MemoryContext context;		/* the hash table and the copies */
	int			noutputs;
	int16	   *typlen;			/* of each OUTPUT column */
	bool	   *typbyval;
	Size		bytes;			/* held by the entries */
	Size		max_bytes;		/* mlpredict.dedup_memory */
	int64		duplicates;		/* rows answered by an earlier call */
	uint64		refused;		/* entries refused since the last trim
								 * that made room */
} MlMemo;

/* A memo for the target's calls, or NULL when mlpredict.dedup_memory = 0. */
extern MlMemo *MlMemoCreate(MlTarget *target, MemoryContext parent);
extern MlMemoEntry *MlMemoLookup(MlMemo *memo, const MlCacheKey *key);

/*
 * A new PENDING entry for key (not in the memo), or NULL when the memo
 * is full even after dropping the answers no row waits for.
 */
extern MlMemoEntry *MlMemoEnter(MlMemo *memo, const MlCacheKey *key);

/* The answer of an entry: copied into the memo; the entry becomes DONE. */
extern void MlMemoSetAnswer(MlMemo *memo, MlMemoEntry *entry, Datum *values,
							bool *nulls, bool keep);

/* A DONE entry's outputs, copied into the current memory context. */
extern void MlMemoCopyAnswer(MlMemo *memo, MlMemoEntry *entry, Datum *values,
							 bool *nulls);

/* Forget every PENDING entry, and every row's reference (a rescan). */
extern void MlMemoForgetPending(MlMemo *memo);

/* response_cache.c: the cross-statement cache (mlpredict.response_cache) */
typedef struct MlResponseCache
{
	MlTarget   *target;
	char	   *ttl;			/* the model's mlpredict.cache_ttl */
	bool		writable;		/* false: read-only transaction, standby */
	FmgrInfo   *out_funcs;		/* of each OUTPUT column */
	FmgrInfo   *in_funcs;
	Oid		   *in_ioparams;
	int32	   *typmods;
	int64		hits;
	int64		misses;
} MlResponseCache;

/*
 * The response cache of the target's calls, in the current memory
 * context; NULL when the model has not opted in, or when its requests
 * are not deterministic (an LLM task whose temperature is unset or above
 * 0) and it does not allow that.  The caller has checked that the user
 * may execute the model.
 */
extern MlResponseCache *MlResponseCacheOpen(MlTarget *target);

/* Whether the model's requests are deterministic (see above). */
extern bool MlRequestsDeterministic(MlTarget *target);

/*
 * A live entry's outputs, into values/nulls (allocated in the current
 * memory context); counts a hit or a miss.
 */
extern bool MlResponseCacheGet(MlResponseCache *cache, const MlCacheKey *key,
							   Datum *values, bool *nulls);

/* Store an answer (skipped when the transaction cannot write). */
extern void MlResponseCachePut(MlResponseCache *cache, const MlCacheKey *key,
							   Datum *values, bool *nulls);

#endif							/* MLPREDICT_CACHE_H */
