/*-------------------------------------------------------------------------
 *
 * cq_cycle.c
 *	  Refusing a continuous query that would feed itself through others:
 *	  A writes model outputs into columns that B follows, B writes into
 *	  columns that A follows, and every answer queues the row again, for
 *	  ever, each round a paid model call.
 *
 * A query follows the key, input and WHERE columns of its source (its
 * capture trigger's UPDATE OF list) and, when its batch runs, writes its
 * sink's columns other than the key (the upsert's SET list, or the UPDATE
 * of a sink that is the source).  Query X feeds query Y when X's sink is
 * Y's source, or a partition or an ancestor of it (a row written through
 * a partitioned table fires the triggers of its partition), and X writes
 * a column Y follows.  A new query is refused when following "feeds"
 * from it leads back to it; existing queries are the catalog's, and what
 * they follow is read from their capture triggers.  Only a change of a
 * followed value queues a row (capture.c), so a loop whose answers never
 * change would end; a model's answers do change, so any such loop is
 * refused.
 *
 * What this cannot see: a loop closed by a user's own trigger or rule
 * (B's sink written back into A's source by a trigger of the user's),
 * and loops made later by ALTER TABLE ... ATTACH PARTITION.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_cycle.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/partition.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "continuous/cq_internal.h"

/* One query as a node of the graph. */
typedef struct CqFlow
{
	const char *name;
	Oid			source;
	Oid			sink;
	List	   *source_family;	/* the source and its ancestors (OIDs) */
	List	   *sink_family;	/* the sink and its ancestors */
	List	   *follows;		/* source columns (char *) */
	List	   *writes;			/* sink columns (char *) */
	int			from;			/* index of the query that reached it, -1 */
	bool		reached;
} CqFlow;

/* a relation and the partitioned tables it is a partition of */
static List *
family(Oid relid)
{
	return lcons_oid(relid, get_partition_ancestors(relid));
}

/* the first column of writes that follows names, or NULL */
static const char *
shared_column(List *writes, List *follows)
{
	ListCell   *w;
	ListCell   *f;

	foreach(w, writes)
		foreach(f, follows)
			if (strcmp(lfirst(w), lfirst(f)) == 0)
				return lfirst(w);
	return NULL;
}

/* does x feed y (see the file header)?  The column, or NULL */
static const char *
feeds(const CqFlow *x, const CqFlow *y)
{
	/* one is the other, or a partition of it */
	if (!list_member_oid(x->sink_family, y->source) &&
		!list_member_oid(y->source_family, x->sink))
		return NULL;
	return shared_column(x->writes, y->follows);
}

/*
 * trigger_columns
 *		The columns the capture trigger of query name follows, by name, in
 *		the current memory context (none when the trigger is gone).
 */
static List *
trigger_columns(const char *name, Oid source)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2];
	List	   *columns = NIL;

	args[0] = ObjectIdGetDatum(source);
	args[1] = CStringGetTextDatum(psprintf(CQ_TRIGGER_PREFIX "%s", name));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT a.attname::pg_catalog.text "
							  "FROM pg_catalog.pg_trigger t, "
							  "pg_catalog.unnest(t.tgattr::pg_catalog.int2[]) AS k(n), "
							  "pg_catalog.pg_attribute a "
							  "WHERE t.tgrelid OPERATOR(pg_catalog.=) $1 "
							  "AND t.tgname OPERATOR(pg_catalog.=) $2::pg_catalog.name "
							  "AND a.attrelid OPERATOR(pg_catalog.=) t.tgrelid "
							  "AND a.attnum OPERATOR(pg_catalog.=) k.n",
							  2, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the capture trigger of continuous query \"%s\"", name);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *col = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		MemoryContext old = MemoryContextSwitchTo(caller);

		columns = lappend(columns, pstrdup(col));
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return columns;
}

/* the sink columns a batch of cq writes over existing rows: not the key */
static List *
written_columns(ContinuousQuery *cq)
{
	List	   *writes = NIL;

	for (int i = 0; i < cq->ntargets; i++)
	{
		bool		key = false;

		for (int k = 0; k < cq->nkeys; k++)
			key |= strcmp(cq->sink_key[k], cq->targets[i].sink_column) == 0;
		if (!key)
			writes = lappend(writes, cq->targets[i].sink_column);
	}
	return writes;
}

/*
 * flows_of
 *		The new query (first) and the database's others as nodes.
 */
static CqFlow *
flows_of(ContinuousQuery *cq, List *follows, int *n)
{
	List	   *names = ContinuousQueryNames(false);
	CqFlow	   *flows = palloc0(sizeof(CqFlow) * (list_length(names) + 1));
	ListCell   *lc;
	int			k = 0;

	flows[k].name = cq->name;
	flows[k].source = cq->source;
	flows[k].sink = cq->sink;
	flows[k].follows = follows;
	flows[k].writes = written_columns(cq);
	flows[k].source_family = family(cq->source);
	flows[k].sink_family = family(cq->sink);
	k++;
	foreach(lc, names)
	{
		ContinuousQuery *other = ContinuousQueryLoad(lfirst(lc), true);

		if (other == NULL || strcmp(other->name, cq->name) == 0)
			continue;
		flows[k].name = other->name;
		flows[k].source = other->source;
		flows[k].sink = other->sink;
		flows[k].follows = trigger_columns(other->name, other->source);
		flows[k].writes = written_columns(other);
		flows[k].source_family = family(other->source);
		flows[k].sink_family = family(other->sink);
		k++;
	}
	*n = k;
	return flows;
}

/*
 * report_loop
 *		ERROR: the new query (flows[0]) feeds itself through the queries
 *		that lead from it to flows[last].
 */
static void
report_loop(CqFlow *flows, int nflows, int last)
{
	StringInfoData path;
	int		   *chain = palloc(sizeof(int) * (nflows + 1));
	int			n = 0;

	for (int i = last; i > 0; i = flows[i].from)
		chain[n++] = i;
	chain[n++] = 0;
	initStringInfo(&path);
	/* chain holds the loop backwards: 0 is last, its start */
	for (int i = n - 1; i >= 0; i--)
	{
		CqFlow	   *x = &flows[chain[i]];
		CqFlow	   *y = &flows[i > 0 ? chain[i - 1] : 0];

		appendStringInfo(&path, "%s\"%s\" writes column \"%s\" of %s, which \"%s\" follows",
						 path.len > 0 ? "; " : "", x->name, feeds(x, y),
						 ContinuousRelationName(x->sink), y->name);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
			 errmsg("continuous query \"%s\" would feed itself%s%s",
					flows[0].name, last > 0 ? " through continuous query " : "",
					last > 0 ? psprintf("\"%s\"", flows[chain[n - 2]].name) : ""),
			 errdetail("%s.", path.data),
			 errhint("Every answer would queue its row again, calling the model for ever. Write the outputs to columns the other query does not follow (its key, inputs and WHERE columns), or to another table.")));
}

/*
 * ContinuousCheckNoLoop
 *		See cq_internal.h.
 */
void
ContinuousCheckNoLoop(ContinuousQuery *cq, List *follows)
{
	int			n;
	CqFlow	   *flows = flows_of(cq, follows, &n);
	int		   *stack = palloc(sizeof(int) * n);
	int			depth = 0;

	flows[0].reached = true;
	flows[0].from = -1;
	stack[depth++] = 0;
	while (depth > 0)
	{
		int			x = stack[--depth];

		CHECK_FOR_INTERRUPTS();
		if (feeds(&flows[x], &flows[0]) != NULL)
			report_loop(flows, n, x);
		for (int y = 1; y < n; y++)
		{
			if (flows[y].reached || feeds(&flows[x], &flows[y]) == NULL)
				continue;
			flows[y].reached = true;
			flows[y].from = x;
			stack[depth++] = y;
		}
	}
}
