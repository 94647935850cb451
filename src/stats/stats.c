/*-------------------------------------------------------------------------
 *
 * stats.c
 *	  The statistics table: one row per (database, connection) and one per
 *	  (database, model, connection), their counters and latency
 *	  histograms, recording, reset, and copying rows out for the views.
 *
 * Where the table lives:
 *	- preloaded: in shared memory (MlStatsShmemRequest/MlStatsShmemInit,
 *	  called from the pool's shmem hooks), with room for
 *	  ML_STATS_MAX_CONNECTIONS and ML_STATS_MAX_MODELS rows, protected by
 *	  the one LWLock of tranche "mlpredict_stats": recording and reset
 *	  take it exclusively, copying for the views shared;
 *	- otherwise: in TopMemoryContext of this backend, allocated on first
 *	  use with the smaller ML_STATS_LOCAL_* sizes, and no lock.
 *
 * Each half of the table is a packed array: rows are appended, and a
 * removed row is replaced by the last one, so a lookup scans only the live
 * rows (comparing a hash of the key first).
 *
 * Rows of objects that no longer exist.  DROP CONNECTION and DROP MODEL
 * call MlStatsForget, which removes their rows at once, or marks them
 * dead while requests of theirs are still in flight; the rows of a
 * database that was dropped are marked dead by the next backend that
 * submits a request while the table is full (MlStatsForgetMissingDatabases:
 * the pool worker, which records most, cannot read the catalogs).  When a
 * half is full,
 * a new key takes the place of an idle dead row; only when there is none
 * is the new key not tracked, and "dropped" counts the recording that was
 * lost.  The shared table has mlpredict.stat_max_connections connection
 * rows and four times as many model rows.
 *
 * Recording runs in the pool worker's event loop as well as in backends:
 * it never raises ERROR and never allocates, apart from the one-time local
 * allocation, which fails softly (nothing is recorded).
 *
 * Latency is a histogram of HTTP attempts over log-spaced buckets: bucket
 * 0 holds [0, LAT_MIN_MS), bucket i >= 1 starts at LAT_MIN_MS *
 * LAT_RATIO^(i-1), and the last bucket (from about 12 minutes on) is
 * open-ended.  Percentiles interpolate linearly inside their bucket, so
 * they are within LAT_RATIO of the true value.
 *
 * IDENTIFICATION
 *	  src/stats/stats.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "mlpredict.h"
#include "stats/stats.h"

/* model rows per connection row of the shared table; a backend's own table */
#define ML_STATS_MODELS_PER_CONNECTION	4
#define ML_STATS_LOCAL_CONNECTIONS	32
#define ML_STATS_LOCAL_MODELS		128

#define ML_STATS_TRANCHE	"mlpredict_stats"

/* latency histogram, see the file header */
#define LAT_MIN_MS		0.05
#define LAT_RATIO		1.15
#define LAT_BUCKETS		120

typedef struct StatEntry
{
	uint32		hash;			/* of dboid and names */
	Oid			dboid;
	bool		dead;			/* its object was dropped: evict when idle */
	MlStatRow	row;			/* names and counters; percentiles unused */
	int64		latency[LAT_BUCKETS];
} StatEntry;

typedef struct StatTable
{
	int64		dropped;		/* recordings lost to a full half */
	int			max_connections;
	int			max_models;
	int			nconnections;
	int			nmodels;
	StatEntry	entries[FLEXIBLE_ARRAY_MEMBER]; /* connections, then models */
} StatTable;

/* One half of the table. */
typedef struct StatSet
{
	StatEntry  *entries;
	int		   *n;
	int			max;
} StatSet;

/* What one recording adds to a row. */
typedef struct StatDelta
{
	int64		calls;
	int64		rows;
	int64		retries;
	int64		throttled;
	double		throttled_ms;
	int			in_flight;
	int64		bytes_sent;
	int64		bytes_received;
	int64		prompt_tokens;
	int64		completion_tokens;
	int64		cache_hits;
	int64		cache_misses;
	int			error;			/* MlStatError, or -1 */
	int			bucket;			/* latency bucket, or -1 */
} StatDelta;

static StatTable *stats = NULL;
static LWLock *stats_lock = NULL;	/* NULL: backend-local table */
static bool stats_shared = false;

/*
 * table_size
 *		Bytes of a table with room for the given rows.
 */
static Size
table_size(int max_connections, int max_models)
{
	return add_size(offsetof(StatTable, entries),
					mul_size(sizeof(StatEntry), max_connections + max_models));
}

/*
 * MlStatsShmemSize
 *		Shared memory the table needs.
 */
Size
MlStatsShmemSize(void)
{
	return table_size(mlpredict_stat_max_connections,
					  mlpredict_stat_max_connections * ML_STATS_MODELS_PER_CONNECTION);
}

/*
 * MlStatsShmemRequest
 *		Ask for the table's shared memory and its lock; call from
 *		shmem_request_hook.
 */
void
MlStatsShmemRequest(void)
{
	RequestAddinShmemSpace(MlStatsShmemSize());
	RequestNamedLWLockTranche(ML_STATS_TRANCHE, 1);
}

/*
 * MlStatsShmemInit
 *		Attach to (and on first use zero) the shared table; call from
 *		shmem_startup_hook with AddinShmemInitLock held.
 */
void
MlStatsShmemInit(void)
{
	bool		found;
	StatTable  *table;

	table = ShmemInitStruct("mlpredict stats", MlStatsShmemSize(), &found);
	if (!found)
	{
		memset(table, 0, MlStatsShmemSize());
		table->max_connections = mlpredict_stat_max_connections;
		table->max_models = mlpredict_stat_max_connections * ML_STATS_MODELS_PER_CONNECTION;
	}
	stats_lock = &(GetNamedLWLockTranche(ML_STATS_TRANCHE))->lock;
	stats = table;
	stats_shared = true;
}

/*
 * stats_table
 *		The table, allocating the backend-local one on first use; NULL if
 *		that allocation failed.  Never raises ERROR.
 */
static StatTable *
stats_table(void)
{
	Size		size;

	if (stats != NULL || stats_shared)
		return stats;
	size = table_size(ML_STATS_LOCAL_CONNECTIONS, ML_STATS_LOCAL_MODELS);
	stats = MemoryContextAllocExtended(TopMemoryContext, size,
									   MCXT_ALLOC_NO_OOM | MCXT_ALLOC_ZERO);
	if (stats != NULL)
	{
		stats->max_connections = ML_STATS_LOCAL_CONNECTIONS;
		stats->max_models = ML_STATS_LOCAL_MODELS;
	}
	return stats;
}

/* Take and release the table's lock (none for a local table). */
static inline void
stats_lock_acquire(LWLockMode mode)
{
	if (stats_lock != NULL)
		LWLockAcquire(stats_lock, mode);
}

static inline void
stats_lock_release(void)
{
	if (stats_lock != NULL)
		LWLockRelease(stats_lock);
}

/*
 * table_set
 *		The connection or the model half of a table.
 */
static StatSet
table_set(StatTable *table, bool models)
{
	StatSet		set;

	set.entries = table->entries + (models ? table->max_connections : 0);
	set.n = models ? &table->nmodels : &table->nconnections;
	set.max = models ? table->max_models : table->max_connections;
	return set;
}

/*
 * name_hash
 *		Hash of a route name (bounded by HTTP_ROUTE_NAME_LEN).
 */
static uint32
name_hash(const char *name)
{
	return hash_bytes((const unsigned char *) name,
					  (int) strnlen(name, HTTP_ROUTE_NAME_LEN));
}

/*
 * copy_name
 *		Copy a route name, cut to fit and terminated.
 */
static void
copy_name(char *dst, const char *src)
{
	size_t		len = strnlen(src, HTTP_ROUTE_NAME_LEN - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/*
 * entry_init
 *		Zero an entry and give it a key; stats_reset is now.
 */
static void
entry_init(StatEntry *entry, uint32 hash, Oid dboid, const char *connection,
		   const char *model, TimestampTz now)
{
	memset(entry, 0, sizeof(StatEntry));
	entry->hash = hash;
	entry->dboid = dboid;
	copy_name(entry->row.connection, connection);
	copy_name(entry->row.model, model);
	entry->row.stats_reset = now;
}

/*
 * set_remove
 *		Remove row i of a half (the last row takes its place).
 */
static void
set_remove(StatSet set, int i)
{
	(*set.n)--;
	if (i < *set.n)
		set.entries[i] = set.entries[*set.n];
}

/*
 * set_evict_dead
 *		Make room in a full half by removing an idle dead row; false if
 *		there is none.
 */
static bool
set_evict_dead(StatSet set)
{
	for (int i = 0; i < *set.n; i++)
	{
		if (set.entries[i].dead && set.entries[i].row.in_flight == 0)
		{
			set_remove(set, i);
			return true;
		}
	}
	return false;
}

/*
 * set_entry
 *		The row of a key in one half, added if new (in place of an idle
 *		dead row if the half is full); NULL when the half is full of live
 *		or busy rows.  model is "" for the connection half.  Caller holds
 *		the lock exclusively.  A dead row found by its key lives again: an
 *		object of that name exists again.
 */
static StatEntry *
set_entry(StatSet set, Oid dboid, const char *connection, const char *model)
{
	uint32		hash;
	int			i;

	hash = hash_combine(hash_combine(hash_bytes_uint32(dboid), name_hash(connection)),
						name_hash(model));
	for (i = 0; i < *set.n; i++)
	{
		StatEntry  *entry = &set.entries[i];

		if (entry->hash == hash && entry->dboid == dboid &&
			strncmp(entry->row.connection, connection, HTTP_ROUTE_NAME_LEN - 1) == 0 &&
			strncmp(entry->row.model, model, HTTP_ROUTE_NAME_LEN - 1) == 0)
		{
			entry->dead = false;
			return entry;
		}
	}
	if (*set.n >= set.max && !set_evict_dead(set))
		return NULL;
	entry_init(&set.entries[*set.n], hash, dboid, connection, model,
			   GetCurrentTimestamp());
	return &set.entries[(*set.n)++];
}

/*
 * entry_add
 *		Add a delta to a row.
 */
static void
entry_add(StatEntry *entry, const StatDelta *delta)
{
	MlStatRow  *row = &entry->row;

	row->calls += delta->calls;
	row->rows += delta->rows;
	row->retries += delta->retries;
	row->throttled += delta->throttled;
	row->throttled_ms += delta->throttled_ms;
	row->in_flight += delta->in_flight;
	row->bytes_sent += delta->bytes_sent;
	row->bytes_received += delta->bytes_received;
	row->prompt_tokens += delta->prompt_tokens;
	row->completion_tokens += delta->completion_tokens;
	row->cache_hits += delta->cache_hits;
	row->cache_misses += delta->cache_misses;
	if (delta->error >= 0 && delta->error < ML_STAT_NERRORS)
		row->errors[delta->error]++;
	if (delta->bucket >= 0)
		entry->latency[delta->bucket]++;
}

/*
 * stats_record
 *		Add a delta to the route's connection row and, if the route names a
 *		model, to its model row.  Routes without a connection are ignored.
 */
static void
stats_record(const HttpRoute *route, const StatDelta *delta)
{
	StatTable  *table;
	StatEntry  *entry;

	if (route == NULL || route->connection[0] == '\0' ||
		(table = stats_table()) == NULL)
		return;
	stats_lock_acquire(LW_EXCLUSIVE);
	entry = set_entry(table_set(table, false), route->dboid, route->connection, "");
	if (entry != NULL)
		entry_add(entry, delta);
	else
		table->dropped++;
	if (route->model[0] != '\0')
	{
		entry = set_entry(table_set(table, true), route->dboid,
						  route->connection, route->model);
		if (entry != NULL)
			entry_add(entry, delta);
		else
			table->dropped++;
	}
	stats_lock_release();
}

/* An empty delta. */
static void
delta_init(StatDelta *delta)
{
	memset(delta, 0, sizeof(StatDelta));
	delta->error = -1;
	delta->bucket = -1;
}

/*
 * latency_bucket
 *		The histogram bucket of a duration in milliseconds.
 */
static int
latency_bucket(double ms)
{
	double		i;

	if (!(ms >= LAT_MIN_MS))	/* also NaN */
		return 0;
	i = 1 + floor(log(ms / LAT_MIN_MS) / log(LAT_RATIO));
	return i >= LAT_BUCKETS - 1 ? LAT_BUCKETS - 1 : (int) i;
}

/* Where bucket i starts, in milliseconds. */
static double
bucket_start(int i)
{
	return i == 0 ? 0.0 : LAT_MIN_MS * pow(LAT_RATIO, i - 1);
}

/*
 * latency_percentile
 *		The q-quantile (0 < q < 1) of a histogram holding total > 0
 *		samples, interpolated inside its bucket.
 */
static double
latency_percentile(const int64 *hist, int64 total, double q)
{
	double		rank = q * (double) total;
	int64		below = 0;
	int			i;

	for (i = 0; i < LAT_BUCKETS - 1; i++)
	{
		if (hist[i] > 0 && (double) (below + hist[i]) >= rank)
		{
			double		start = bucket_start(i);

			return start + (bucket_start(i + 1) - start) *
				(rank - (double) below) / (double) hist[i];
		}
		below += hist[i];
	}
	return bucket_start(LAT_BUCKETS - 1);
}

/*
 * MlStatErrorClass
 *		The error class of a final response, or -1 for a 2xx answer.
 */
int
MlStatErrorClass(const HttpResponse *final)
{
	switch (final->outcome)
	{
		case HTTP_TIMEOUT:
			return ML_STAT_ERR_TIMEOUT;
		case HTTP_CONNECT_FAILED:
		case HTTP_REFUSED:
		case HTTP_UNAVAILABLE:
			return ML_STAT_ERR_CONNECTION;
		case HTTP_TOO_LARGE:
		case HTTP_FAILED:
			return ML_STAT_ERR_RESPONSE;
		case HTTP_OK:
			break;
	}
	if (final->status >= 200 && final->status <= 299)
		return -1;
	if (final->status == 429)
		return ML_STAT_ERR_THROTTLED;
	if (final->status >= 400 && final->status <= 499)
		return ML_STAT_ERR_CLIENT;
	return ML_STAT_ERR_SERVER;
}

/*
 * MlStatsAttempt
 *		One HTTP attempt ended: one request fewer in flight, its latency,
 *		the bytes sent and received, and a retry when another attempt
 *		follows, else the call's final outcome (see MlStatsCallDone).
 */
void
MlStatsAttempt(const HttpRoute *route, const HttpResponse *attempt,
			   size_t bytes_sent, bool retried)
{
	StatDelta	delta;

	delta_init(&delta);
	delta.in_flight = -1;
	delta.bucket = latency_bucket(attempt->elapsed_ms);
	delta.bytes_sent = (int64) bytes_sent;
	delta.bytes_received = Max(attempt->body.len, 0);
	delta.retries = retried ? 1 : 0;
	if (!retried)
	{
		delta.calls = 1;
		delta.error = MlStatErrorClass(attempt);
	}
	stats_record(route, &delta);
}

/*
 * MlStatsCallDone
 *		A request's final outcome: one call, and an error by class unless
 *		the answer is a 2xx.
 */
void
MlStatsCallDone(const HttpRoute *route, const HttpResponse *final)
{
	StatDelta	delta;

	delta_init(&delta);
	delta.calls = 1;
	delta.error = MlStatErrorClass(final);
	stats_record(route, &delta);
}

/*
 * MlStatsThrottled
 *		A request waited waited_ms for a cap, a rate limit or Retry-After.
 */
void
MlStatsThrottled(const HttpRoute *route, double waited_ms)
{
	StatDelta	delta;

	delta_init(&delta);
	delta.throttled = 1;
	delta.throttled_ms = waited_ms > 0 ? waited_ms : 0;
	stats_record(route, &delta);
}

/*
 * MlStatsInFlight
 *		Requests on the wire went up or down by delta.
 */
void
MlStatsInFlight(const HttpRoute *route, int delta)
{
	StatDelta	d;

	delta_init(&d);
	d.in_flight = delta;
	stats_record(route, &d);
}

/*
 * MlStatsCanceled
 *		A request was abandoned: a call that ended in class "canceled".
 */
void
MlStatsCanceled(const HttpRoute *route)
{
	StatDelta	delta;

	delta_init(&delta);
	delta.calls = 1;
	delta.error = ML_STAT_ERR_CANCELED;
	stats_record(route, &delta);
}

/*
 * MlStatsRows
 *		Rows a decoded answer produced and the tokens it reports.
 */
void
MlStatsRows(const HttpRoute *route, int64 rows, int64 prompt_tokens,
			int64 completion_tokens)
{
	StatDelta	delta;

	delta_init(&delta);
	delta.rows = Max(rows, 0);
	delta.prompt_tokens = Max(prompt_tokens, 0);
	delta.completion_tokens = Max(completion_tokens, 0);
	stats_record(route, &delta);
}

/*
 * MlStatsResponseError
 *		A 2xx answer could not be decoded (its call is already counted).
 */
void
MlStatsResponseError(const HttpRoute *route)
{
	StatDelta	delta;

	delta_init(&delta);
	delta.error = ML_STAT_ERR_RESPONSE;
	stats_record(route, &delta);
}

/*
 * MlStatsCache
 *		Rows answered by the response cache, and lookups it missed.
 */
void
MlStatsCache(const HttpRoute *route, int64 hits, int64 misses)
{
	StatDelta	delta;

	delta_init(&delta);
	delta.cache_hits = Max(hits, 0);
	delta.cache_misses = Max(misses, 0);
	stats_record(route, &delta);
}

/*
 * copy_rows
 *		Copy the entries of dboid from a half into out; returns how many.
 *		Caller holds the lock.
 */
static int
copy_rows(StatSet set, Oid dboid, StatEntry *out)
{
	int			n = 0;
	int			i;

	for (i = 0; i < *set.n; i++)
		if (set.entries[i].dboid == dboid)
			out[n++] = set.entries[i];
	return n;
}

/*
 * entry_row
 *		A copied entry as a view row, with its latency percentiles.
 */
static void
entry_row(const StatEntry *entry, MlStatRow *row)
{
	static const double quantiles[3] = {0.50, 0.95, 0.99};
	int64		total = 0;
	int			i;

	*row = entry->row;
	for (i = 0; i < LAT_BUCKETS; i++)
		total += entry->latency[i];
	row->has_latency = total > 0;
	for (i = 0; i < 3; i++)
		row->latency_ms[i] = total > 0 ?
			latency_percentile(entry->latency, total, quantiles[i]) : 0.0;
}

/*
 * MlStatsSnapshot
 *		The model or connection rows of database dboid, palloc'd.  The
 *		copy is taken under the shared lock into an array sized from an
 *		unlocked look at the row count, retried if rows were added since.
 */
int
MlStatsSnapshot(Oid dboid, bool models, MlStatRow **rows)
{
	StatTable  *table = stats_table();
	StatSet		set;
	StatEntry  *copy;
	int			n;
	int			i;

	*rows = NULL;
	if (table == NULL)
		return 0;
	set = table_set(table, models);
	for (;;)
	{
		int			capacity = *set.n;

		copy = palloc(sizeof(StatEntry) * Max(capacity, 1));
		stats_lock_acquire(LW_SHARED);
		if (*set.n <= capacity)
			break;
		stats_lock_release();
		pfree(copy);
	}
	n = copy_rows(set, dboid, copy);
	stats_lock_release();

	*rows = palloc(sizeof(MlStatRow) * Max(n, 1));
	for (i = 0; i < n; i++)
		entry_row(&copy[i], &(*rows)[i]);
	pfree(copy);
	return n;
}

/*
 * reset_set
 *		Remove the rows of dboid from a half; a row with requests in flight
 *		is zeroed instead, keeping its gauge.  Caller holds the lock
 *		exclusively.
 */
static void
reset_set(StatSet set, Oid dboid, TimestampTz now)
{
	int			i = 0;

	while (i < *set.n)
	{
		StatEntry  *entry = &set.entries[i];

		if (entry->dboid != dboid)
			i++;
		else if (entry->row.in_flight != 0)
		{
			int32		in_flight = entry->row.in_flight;
			MlStatRow	key = entry->row;

			entry_init(entry, entry->hash, dboid, key.connection, key.model, now);
			entry->row.in_flight = in_flight;
			i++;
		}
		else
		{
			(*set.n)--;
			if (i < *set.n)
				*entry = set.entries[*set.n];
		}
	}
}

/*
 * MlStatsReset
 *		Clear the rows of database dboid.
 */
void
MlStatsReset(Oid dboid)
{
	StatTable  *table = stats_table();
	TimestampTz now = GetCurrentTimestamp();

	if (table == NULL)
		return;
	stats_lock_acquire(LW_EXCLUSIVE);
	reset_set(table_set(table, false), dboid, now);
	reset_set(table_set(table, true), dboid, now);
	stats_lock_release();
}

/*
 * forget_set
 *		Remove the rows of dboid whose connection is connection (if not
 *		NULL) or whose model is model (if not NULL); rows with requests in
 *		flight are marked dead instead.  Caller holds the lock exclusively.
 */
static void
forget_set(StatSet set, Oid dboid, const char *connection, const char *model)
{
	int			i = 0;

	while (i < *set.n)
	{
		StatEntry  *entry = &set.entries[i];
		bool		match = entry->dboid == dboid &&
			((connection != NULL &&
			  strncmp(entry->row.connection, connection, HTTP_ROUTE_NAME_LEN - 1) == 0) ||
			 (model != NULL && model[0] != '\0' &&
			  strncmp(entry->row.model, model, HTTP_ROUTE_NAME_LEN - 1) == 0));

		if (!match)
			i++;
		else if (entry->row.in_flight != 0)
		{
			entry->dead = true;
			i++;
		}
		else
			set_remove(set, i);
	}
}

/*
 * MlStatsForget
 *		A connection (and every model row on it) or a model was dropped:
 *		free its rows.  Pass NULL for the other name.  Never raises ERROR.
 */
void
MlStatsForget(Oid dboid, const char *connection, const char *model)
{
	StatTable  *table = stats_table();

	if (table == NULL || (connection == NULL && model == NULL))
		return;
	stats_lock_acquire(LW_EXCLUSIVE);
	if (connection != NULL)
		forget_set(table_set(table, false), dboid, connection, NULL);
	forget_set(table_set(table, true), dboid, connection, model);
	stats_lock_release();
}

/*
 * table_full
 *		Whether a half of the table has no free row (an unlocked look).
 */
static bool
table_full(const StatTable *table)
{
	return table->nconnections >= table->max_connections ||
		table->nmodels >= table->max_models;
}

/*
 * table_databases
 *		The distinct databases of the table's rows, palloc'd; returns how
 *		many.  Caller holds the lock.
 */
static int
table_databases(const StatTable *table, Oid **dbs)
{
	int			nrows = table->nconnections + table->nmodels;
	int			n = 0;

	*dbs = palloc(sizeof(Oid) * Max(nrows, 1));
	for (int half = 0; half < 2; half++)
	{
		StatSet		set = table_set((StatTable *) table, half == 1);

		for (int i = 0; i < *set.n; i++)
		{
			Oid			db = set.entries[i].dboid;
			int			j;

			for (j = 0; j < n && (*dbs)[j] != db; j++)
				;
			if (j == n)
				(*dbs)[n++] = db;
		}
	}
	return n;
}

/*
 * MlStatsForgetMissingDatabases
 *		When the shared table is full, mark dead the rows of databases that
 *		no longer exist, so that new keys take their place.  For backends,
 *		in a transaction, before they submit a request; does nothing unless
 *		the table is full, and then looks at most once a second.
 */
void
MlStatsForgetMissingDatabases(void)
{
	static TimestampTz last_look = 0;
	TimestampTz now;
	Oid		   *dbs;
	int			ndbs;
	int			nmissing = 0;

	if (!stats_shared || stats == NULL || !table_full(stats))
		return;
	now = GetCurrentTimestamp();
	if (now - last_look < USECS_PER_SEC)
		return;
	last_look = now;

	stats_lock_acquire(LW_SHARED);
	ndbs = table_databases(stats, &dbs);
	stats_lock_release();
	for (int i = 0; i < ndbs; i++)
		if (!SearchSysCacheExists1(DATABASEOID, ObjectIdGetDatum(dbs[i])))
			dbs[nmissing++] = dbs[i];
	if (nmissing == 0)
	{
		pfree(dbs);
		return;
	}

	stats_lock_acquire(LW_EXCLUSIVE);
	for (int half = 0; half < 2; half++)
	{
		StatSet		set = table_set(stats, half == 1);

		for (int i = 0; i < *set.n; i++)
			for (int j = 0; j < nmissing; j++)
				if (set.entries[i].dboid == dbs[j])
					set.entries[i].dead = true;
	}
	stats_lock_release();
	pfree(dbs);
}

/*
 * MlStatsIsShared
 *		Are the counters cluster-wide (the library was preloaded)?
 */
bool
MlStatsIsShared(void)
{
	return stats_shared;
}

/*
 * MlStatsDropped
 *		Recordings lost since startup because the table was full.
 */
int64
MlStatsDropped(void)
{
	StatTable  *table = stats_table();
	int64		dropped;

	if (table == NULL)
		return 0;
	stats_lock_acquire(LW_SHARED);
	dropped = table->dropped;
	stats_lock_release();
	return dropped;
}
