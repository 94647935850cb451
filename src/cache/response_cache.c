/*-------------------------------------------------------------------------
 *
 * response_cache.c
 *	  The opt-in response cache across statements (see cache.h), kept in
 *	  mlpredict.response_cache, and mlpredict.cache_clear().
 *
 * A model version opts in with the model option 'mlpredict.cache_ttl' (an
 * interval: how long an answer stays usable).  A request that is not
 * deterministic, an LLM task (text_generation) whose temperature is unset
 * or above 0, is never answered from the cache nor stored in it, unless
 * the version also says 'mlpredict.cache_nondeterministic' = 'true'.
 *
 * The table belongs to the extension and only its owner may read it: the
 * code reads and writes it as the extension owner (catalog_access.c),
 * after the caller has been checked for EXECUTE on the model, so a role
 * that may not call a model never sees its answers.  Rows name their
 * model version with a foreign key that cascades, so DROP MODEL removes
 * its entries; an entry whose model options or connection have changed
 * simply stops matching (its key differs) and expires.  Expired entries
 * are deleted lazily, those of a version each time a statement opens its
 * cache, and by cache_clear().  Only answers that decoded are stored.  A
 * transaction that cannot write (read only, hot standby) reads the cache
 * and stores nothing.  Writes run in a subtransaction: one that fails
 * (a deadlock with a concurrent writer of the same keys, a version dropped
 * meanwhile) is rolled back with a WARNING and the statement stops
 * writing, so the cache never fails a query.  Hits and misses are counted
 * in the statistics (mlpredict.stat_models).
 *
 * IDENTIFICATION
 *	  src/cache/response_cache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/resowner.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "cache/cache.h"
#include "catalog/ml_catalog.h"
#include "stats/stats.h"
#include "syntax/names.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mlpredict_cache_clear);

/*
 * MlRequestsDeterministic
 *		See cache.h.
 */
bool
MlRequestsDeterministic(MlTarget *target)
{
	const char *task = MlOptionGet(target->model->options, "task");
	ListCell   *lc;

	if (task == NULL)
		task = target->model->task;
	if (task == NULL || pg_strcasecmp(task, "text_generation") != 0)
		return true;
	foreach(lc, target->params)
	{
		MlParam    *param = lfirst(lc);

		if (param->standard != NULL && strcmp(param->standard, "temperature") == 0)
			return param->value != NULL && strtod(param->value, NULL) <= 0.0;
	}
	return false;
}

/*
 * allows_nondeterministic
 *		The version's 'mlpredict.cache_nondeterministic'.
 */
static bool
allows_nondeterministic(MlModel *model)
{
	const char *value = MlOptionGet(model->options, "mlpredict.cache_nondeterministic");
	bool		result = false;

	return value != NULL && parse_bool(value, &result) && result;
}

/*
 * delete_expired
 *		The lazy cleaning: the version's expired entries go.
 */
static void
delete_expired(MlResponseCache *cache, void *arg)
{
	MlModel    *model = cache->target->model;
	CatalogAccess access;
	Oid			types[3] = {TEXTOID, TEXTOID, INT4OID};
	Datum		values[3];

	values[0] = CStringGetTextDatum(model->schema);
	values[1] = CStringGetTextDatum(model->name);
	values[2] = Int32GetDatum(model->version);
	CatalogBegin(&access);
	CatalogExec("DELETE FROM mlpredict.response_cache"
				" WHERE schema_name = $1::name AND name = $2 AND version = $3"
				" AND expires_at <= now()", 3, types, values, NULL, false);
	CatalogEnd(&access);
}

/*
 * guarded_write
 *		Run a write in a subtransaction; if it fails (other than by a
 *		cancel), roll it back, warn, and write no more in this statement.
 */
static void
guarded_write(MlResponseCache *cache, void (*write) (MlResponseCache *, void *),
			  void *arg)
{
	MemoryContext mcxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(mcxt);
	PG_TRY();
	{
		write(cache, arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(mcxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(mcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(mcxt);
		CurrentResourceOwner = owner;
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
			ReThrowError(edata);
		cache->writable = false;
		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("could not write the response cache of model \"%s\": %s",
						cache->target->display_name, edata->message),
				 errdetail("The statement goes on without storing more answers.")));
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

/*
 * MlResponseCacheOpen
 *		See cache.h.
 */
MlResponseCache *
MlResponseCacheOpen(MlTarget *target)
{
	MlModel    *model = target->model;
	const char *ttl = MlOptionGet(model->options, "mlpredict.cache_ttl");
	MlResponseCache *cache;
	ListCell   *lc;
	int			n = Max(target->noutputs, 1);
	int			i = 0;

	if (ttl == NULL)
		return NULL;
	if (!MlRequestsDeterministic(target) && !allows_nondeterministic(model))
		return NULL;
	cache = palloc0(sizeof(MlResponseCache));
	cache->target = target;
	cache->ttl = pstrdup(ttl);
	cache->writable = !XactReadOnly && !RecoveryInProgress();
	cache->out_funcs = palloc0(sizeof(FmgrInfo) * n);
	cache->in_funcs = palloc0(sizeof(FmgrInfo) * n);
	cache->in_ioparams = palloc0(sizeof(Oid) * n);
	cache->typmods = palloc0(sizeof(int32) * n);
	foreach(lc, model->output)
	{
		MlColumn   *col = lfirst(lc);
		Oid			func;
		bool		varlena;

		getTypeOutputInfo(col->typid, &func, &varlena);
		fmgr_info(func, &cache->out_funcs[i]);
		getTypeInputInfo(col->typid, &func, &cache->in_ioparams[i]);
		fmgr_info(func, &cache->in_funcs[i]);
		cache->typmods[i] = col->typmod;
		i++;
	}
	if (cache->writable)
		guarded_write(cache, delete_expired, NULL);
	return cache;
}

/*
 * key_datum
 *		A key as bytea.
 */
static Datum
key_datum(const MlCacheKey *key)
{
	bytea	   *result = palloc(VARHDRSZ + ML_CACHE_KEY_LEN);

	SET_VARSIZE(result, VARHDRSZ + ML_CACHE_KEY_LEN);
	memcpy(VARDATA(result), key->bytes, ML_CACHE_KEY_LEN);
	return PointerGetDatum(result);
}

/*
 * read_outputs
 *		An entry's text[] into typed outputs, in the caller's context;
 *		false if it does not have one element per output (a model whose
 *		OUTPUT cannot change: a stray row, treated as a miss).
 */
static bool
read_outputs(MlResponseCache *cache, Datum array, MemoryContext caller,
			 Datum *values, bool *nulls)
{
	ArrayType  *arr = DatumGetArrayTypeP(array);
	Datum	   *elems;
	bool	   *elem_nulls;
	int			nelems;
	MemoryContext old;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &elem_nulls, &nelems);
	if (nelems != cache->target->noutputs)
		return false;
	old = MemoryContextSwitchTo(caller);
	for (int i = 0; i < nelems; i++)
	{
		nulls[i] = elem_nulls[i];
		values[i] = nulls[i] ? (Datum) 0 :
			InputFunctionCall(&cache->in_funcs[i], TextDatumGetCString(elems[i]),
							  cache->in_ioparams[i], cache->typmods[i]);
	}
	MemoryContextSwitchTo(old);
	return true;
}

/*
 * MlResponseCacheGet
 *		See cache.h.
 */
bool
MlResponseCacheGet(MlResponseCache *cache, const MlCacheKey *key, Datum *values,
				   bool *nulls)
{
	CatalogAccess access;
	Oid			types[1] = {BYTEAOID};
	Datum		args[1];
	bool		hit = false;

	args[0] = key_datum(key);
	CatalogBegin(&access);
	if (CatalogExec("SELECT outputs FROM mlpredict.response_cache"
					" WHERE key = $1 AND expires_at > now()",
					1, types, args, NULL, true) == 1)
	{
		bool		isnull;
		Datum		outputs = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
											1, &isnull);

		hit = !isnull && read_outputs(cache, outputs, access.caller_context,
									  values, nulls);
	}
	CatalogEnd(&access);
	pfree(DatumGetPointer(args[0]));
	if (hit)
		cache->hits++;
	else
		cache->misses++;
	MlStatsCache(&cache->target->route, hit ? 1 : 0, hit ? 0 : 1);
	return hit;
}

/*
 * outputs_array
 *		Outputs as text[] (NULL elements for NULL outputs).
 */
static Datum
outputs_array(MlResponseCache *cache, Datum *values, bool *nulls)
{
	int			n = cache->target->noutputs;
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
		elems[i] = nulls[i] ? (Datum) 0 :
			CStringGetTextDatum(OutputFunctionCall(&cache->out_funcs[i], values[i]));
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID,
											  -1, false, TYPALIGN_INT));
}

/*
 * put
 *		Store one answer (in guarded_write).
 */
typedef struct CachePut
{
	const MlCacheKey *key;
	Datum	   *values;
	bool	   *nulls;
} CachePut;

static void
put(MlResponseCache *cache, void *arg)
{
	CachePut   *p = arg;
	MlModel    *model = cache->target->model;
	CatalogAccess access;
	Oid			types[6] = {BYTEAOID, TEXTOID, TEXTOID, INT4OID, TEXTARRAYOID, TEXTOID};
	Datum		args[6];
	const MlCacheKey *key = p->key;
	Datum	   *values = p->values;
	bool	   *nulls = p->nulls;

	args[0] = key_datum(key);
	args[1] = CStringGetTextDatum(model->schema);
	args[2] = CStringGetTextDatum(model->name);
	args[3] = Int32GetDatum(model->version);
	args[4] = outputs_array(cache, values, nulls);
	args[5] = CStringGetTextDatum(cache->ttl);
	CatalogBegin(&access);
	CatalogExec("INSERT INTO mlpredict.response_cache"
				" (key, schema_name, name, version, outputs, created_at, expires_at)"
				" VALUES ($1, $2::name, $3, $4, $5, now(), now() + $6::interval)"
				" ON CONFLICT (key) DO UPDATE SET outputs = excluded.outputs,"
				" created_at = excluded.created_at, expires_at = excluded.expires_at",
				6, types, args, NULL, false);
	CatalogEnd(&access);
}

/*
 * MlResponseCachePut
 *		See cache.h.
 */
void
MlResponseCachePut(MlResponseCache *cache, const MlCacheKey *key, Datum *values,
				   bool *nulls)
{
	CachePut	p = {key, values, nulls};

	if (!cache->writable || XactReadOnly || RecoveryInProgress())
		return;
	guarded_write(cache, put, &p);
}

/*
 * clear_all
 *		Every entry (a superuser's cache_clear()).
 */
static int64
clear_all(void)
{
	CatalogAccess access;
	int64		n;

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be superuser to clear the response cache of every model"),
				 errhint("Name a model you own: mlpredict.cache_clear('model').")));
	CatalogBegin(&access);
	n = CatalogExec("DELETE FROM mlpredict.response_cache", 0, NULL, NULL, NULL, false);
	CatalogEnd(&access);
	return n;
}

/*
 * clear_model
 *		The entries of a model (every version, or the one named), for its
 *		owner.
 */
static int64
clear_model(const char *model_text)
{
	MlModelRef *ref = MlParseModelRef(model_text);
	MlVersionKind kind = ref->version_kind;
	MlModel    *model;
	CatalogAccess access;
	Oid			types[3] = {TEXTOID, TEXTOID, INT4OID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	int64		n;

	if (kind == ML_VERSION_ALL)
		ref->version_kind = ML_VERSION_DEFAULT;
	model = CatalogGetModel(ref, false);
	CatalogCheckOwner(GetUserId(), model->owner_id, "model",
					  MlQualifiedModelName(model->schema, model->name));
	values[0] = CStringGetTextDatum(model->schema);
	values[1] = CStringGetTextDatum(model->name);
	values[2] = Int32GetDatum(model->version);
	if (kind == ML_VERSION_DEFAULT || kind == ML_VERSION_ALL)
		nulls[2] = 'n';
	CatalogBegin(&access);
	n = CatalogExec("DELETE FROM mlpredict.response_cache"
					" WHERE schema_name = $1::name AND name = $2"
					" AND ($3 IS NULL OR version = $3)",
					3, types, values, nulls, false);
	CatalogEnd(&access);
	return n;
}

/*
 * mlpredict_cache_clear
 *		mlpredict.cache_clear(model text DEFAULT NULL): entries deleted.
 */
Datum
mlpredict_cache_clear(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(clear_all());
	PG_RETURN_INT64(clear_model(text_to_cstring(PG_GETARG_TEXT_PP(0))));
}
