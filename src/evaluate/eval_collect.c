/*-------------------------------------------------------------------------
 *
 * eval_collect.c
 *	  Scoring the rows of ML_EVALUATE's generated statement (see
 *	  eval_statement.c for its columns) and the metrics jsonb with
 *	  Confluent's keys for the task.
 *
 * Classification keeps per-class counts (classes are the trimmed text of
 * labels and predictions, numbered through a hash table); regression
 * keeps the label and prediction of every row; clustering keeps every
 * point and its cluster; embedding and text generation add each row's
 * scores to running sums.  The arithmetic is metrics.c's,
 * cluster_metrics.c's and text_metrics.c's.  A row's temporary memory
 * lives in a context reset at the next row.
 *
 * A row whose prediction is NULL (the call failed under on_error null or
 * skip, or an input was NULL) is not scored: with on_error = fail it is an
 * error, otherwise it is counted as "Rows Failed".  A NULL label is an
 * error (clustering does not read the label).
 *
 * IDENTIFICATION
 *	  src/evaluate/eval_collect.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "evaluate/eval_collect.h"
#include "evaluate/metrics.h"

/* growable arrays of one element type */
typedef struct DoubleArray
{
	double	   *data;
	size_t		len;
	size_t		cap;
} DoubleArray;

typedef struct ClassEntry
{
	char	   *key;			/* hash key: the class text */
	int			id;
} ClassEntry;

struct EvalCollector
{
	EvalTask	task;
	bool		fail_on_error;
	MemoryContext cxt;			/* everything kept */
	MemoryContext row_cxt;		/* reset per row */
	int64		rows;			/* rows seen */
	int64		scored;			/* rows scored */
	int64		failed;			/* rows with no prediction */

	/* classification and clustering: classes / clusters by text */
	HTAB	   *classes;
	int			nclasses;
	int			class_cap;
	int64	   *tp,
			   *fp,
			   *fn;

	/* regression: labels and predictions; clustering: the points */
	DoubleArray y;
	DoubleArray p;
	int		   *cluster;		/* one per point */
	size_t		cluster_cap;
	int			dim;			/* clustering: point dimension */

	/* embedding and text: running sums of the per-row scores */
	double		sum[3];
};

static void
double_append(MemoryContext cxt, DoubleArray *a, const double *v, size_t n)
{
	if (a->len + n > a->cap)
	{
		size_t		cap = Max(a->cap * 2, a->len + n);

		cap = Max(cap, 1024);
		a->data = a->data ? repalloc_huge(a->data, cap * sizeof(double))
			: MemoryContextAllocHuge(cxt, cap * sizeof(double));
		a->cap = cap;
	}
	memcpy(a->data + a->len, v, n * sizeof(double));
	a->len += n;
}

/* the hash table's functions: the key is a pointer to the class text */
static uint32
class_hash(const void *key, Size keysize)
{
	const char *s = *(char *const *) key;

	return hash_bytes((const unsigned char *) s, strlen(s));
}

static int
class_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * EvalCollectorCreate
 *		A collector for one model version, in the current context.
 */
EvalCollector *
EvalCollectorCreate(EvalTask task, bool fail_on_error)
{
	EvalCollector *c = palloc0(sizeof(EvalCollector));
	HASHCTL		ctl;

	c->task = task;
	c->fail_on_error = fail_on_error;
	c->cxt = AllocSetContextCreate(CurrentMemoryContext, "ml_evaluate",
								   ALLOCSET_DEFAULT_SIZES);
	c->row_cxt = AllocSetContextCreate(c->cxt, "ml_evaluate row",
									   ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(ClassEntry);
	ctl.hash = class_hash;
	ctl.match = class_match;
	ctl.hcxt = c->cxt;
	c->classes = hash_create("ml_evaluate classes", 64, &ctl,
							 HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	return c;
}

/* text with leading and trailing white space removed */
static char *
trimmed(Datum value)
{
	char	   *s = TextDatumGetCString(value);
	char	   *end;

	while (*s && isspace((unsigned char) *s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char) end[-1]))
		end--;
	*end = '\0';
	return s;
}

/*
 * class_id
 *		The number of a class (trimmed text), a new one the first time.
 */
static int
class_id(EvalCollector *c, char *text)
{
	ClassEntry *entry;
	bool		found;

	entry = hash_search(c->classes, &text, HASH_FIND, NULL);
	if (entry)
		return entry->id;
	text = MemoryContextStrdup(c->cxt, text);
	entry = hash_search(c->classes, &text, HASH_ENTER, &found);
	entry->id = c->nclasses++;
	if (c->nclasses > c->class_cap)
	{
		int			cap = Max(c->class_cap * 2, 16);

		if (c->tp == NULL)
		{
			c->tp = MemoryContextAllocZero(c->cxt, cap * sizeof(int64));
			c->fp = MemoryContextAllocZero(c->cxt, cap * sizeof(int64));
			c->fn = MemoryContextAllocZero(c->cxt, cap * sizeof(int64));
		}
		else
		{
			c->tp = repalloc(c->tp, cap * sizeof(int64));
			c->fp = repalloc(c->fp, cap * sizeof(int64));
			c->fn = repalloc(c->fn, cap * sizeof(int64));
			for (int i = c->class_cap; i < cap; i++)
				c->tp[i] = c->fp[i] = c->fn[i] = 0;
		}
		c->class_cap = cap;
	}
	return entry->id;
}

/*
 * float8_values
 *		The elements of a float8[]; ERROR for NULL elements.
 */
static double *
float8_values(EvalCollector *c, Datum array, const char *what, int *n)
{
	ArrayType  *a = DatumGetArrayTypeP(array);
	Datum	   *elems;
	bool	   *nulls;
	double	   *out;

	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, n);
	out = palloc(sizeof(double) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s of row " INT64_FORMAT " has a NULL element", what, c->rows),
					 errhint("Vectors compared by ML_EVALUATE must have no NULL elements.")));
		out[i] = DatumGetFloat8(elems[i]);
	}
	return out;
}

static void
collect_classification(EvalCollector *c, Datum label, Datum pred)
{
	int			l = class_id(c, trimmed(label));
	int			p = class_id(c, trimmed(pred));

	if (l == p)
		c->tp[l]++;
	else
	{
		c->fp[p]++;
		c->fn[l]++;
	}
}

static void
collect_regression(EvalCollector *c, Datum label, Datum pred)
{
	double		y = DatumGetFloat8(label);
	double		p = DatumGetFloat8(pred);

	double_append(c->cxt, &c->y, &y, 1);
	double_append(c->cxt, &c->p, &p, 1);
}

static void
collect_clustering(EvalCollector *c, Datum pred, Datum point)
{
	int			n;
	double	   *v = float8_values(c, point, "the point (numeric inputs)", &n);
	size_t		i = (size_t) c->scored;

	if (c->scored == 0)
		c->dim = n;
	else if (n != c->dim)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("the numeric inputs of row " INT64_FORMAT " form a point of %d dimensions, earlier rows %d",
						c->rows, n, c->dim),
				 errhint("Every row's array inputs must have the same length.")));
	double_append(c->cxt, &c->p, v, n);
	if (i >= c->cluster_cap)
	{
		size_t		cap = Max(c->cluster_cap * 2, 1024);

		c->cluster = c->cluster ? repalloc_huge(c->cluster, cap * sizeof(int))
			: MemoryContextAllocHuge(c->cxt, cap * sizeof(int));
		c->cluster_cap = cap;
	}
	c->cluster[i] = class_id(c, trimmed(pred));
}

static void
collect_embedding(EvalCollector *c, Datum label, Datum pred)
{
	int			nl,
				np;
	double	   *l = float8_values(c, label, "the label", &nl);
	double	   *p = float8_values(c, pred, "the prediction", &np);
	VectorPairMetrics m;

	if (nl != np)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("the prediction of row " INT64_FORMAT " has %d dimensions but its label has %d",
						c->rows, np, nl),
				 errhint("Compare the embeddings with label vectors of the model's dimension.")));
	MetricsVectorPair(p, l, nl, &m);
	c->sum[0] += m.cosine;
	c->sum[1] += m.jaccard;
	c->sum[2] += m.euclidean;
}

/*
 * between rows of ROUGE-L's table, which long texts make big, and of the
 * Davies-Bouldin index's k * k centroid distances (k up to the rows)
 */
static void
poll_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

static void
collect_text(EvalCollector *c, Datum label, Datum pred)
{
	text	   *lt = DatumGetTextPP(label);
	text	   *pt = DatumGetTextPP(pred);
	size_t		llen = VARSIZE_ANY_EXHDR(lt);
	size_t		plen = VARSIZE_ANY_EXHDR(pt);
	uint64_t   *ref = palloc(sizeof(uint64_t) * Max(llen, 1));
	uint64_t   *cand = palloc(sizeof(uint64_t) * Max(plen, 1));
	size_t		r = TextTokenize(VARDATA_ANY(lt), llen, ref);
	size_t		n = TextTokenize(VARDATA_ANY(pt), plen, cand);
	uint64_t   *scratch = palloc_extended(sizeof(uint64_t) * TextScratchSize(n, r), MCXT_ALLOC_HUGE);
	TextPairMetrics m;

	MetricsTextPair(cand, n, ref, r, scratch, &m, poll_interrupts);
	c->sum[0] += m.bleu;
	c->sum[1] += m.rouge;
	c->sum[2] += m.similarity;
}

/*
 * EvalCollectRow
 *		Score one row of the generated statement.
 */
void
EvalCollectRow(EvalCollector *c, Datum *values, bool *nulls)
{
	MemoryContext old;

	c->rows++;
	CHECK_FOR_INTERRUPTS();
	if (c->task != EVAL_CLUSTERING && nulls[EVAL_COL_LABEL])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the label of row " INT64_FORMAT " of the evaluation query is NULL", c->rows),
				 errhint("Leave the rows without a label out of the query: WHERE label IS NOT NULL.")));
	if (nulls[EVAL_COL_PREDICTION] ||
		(c->task == EVAL_CLUSTERING && nulls[EVAL_COL_POINT]))
	{
		if (c->fail_on_error)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the model gave no prediction for row " INT64_FORMAT " of the evaluation query", c->rows),
					 errdetail("A NULL input, or a NULL answer, leaves the row without a prediction to score."),
					 errhint("Leave rows with NULL inputs out of the query, or pass mlpredict.options(on_error => 'null') to count such rows as \"Rows Failed\".")));
		c->failed++;
		return;
	}
	old = MemoryContextSwitchTo(c->row_cxt);
	switch (c->task)
	{
		case EVAL_CLASSIFICATION:
			collect_classification(c, values[EVAL_COL_LABEL], values[EVAL_COL_PREDICTION]);
			break;
		case EVAL_REGRESSION:
			collect_regression(c, values[EVAL_COL_LABEL], values[EVAL_COL_PREDICTION]);
			break;
		case EVAL_CLUSTERING:
			collect_clustering(c, values[EVAL_COL_PREDICTION], values[EVAL_COL_POINT]);
			break;
		case EVAL_EMBEDDING:
			collect_embedding(c, values[EVAL_COL_LABEL], values[EVAL_COL_PREDICTION]);
			break;
		case EVAL_TEXT_GENERATION:
			collect_text(c, values[EVAL_COL_LABEL], values[EVAL_COL_PREDICTION]);
			break;
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(c->row_cxt);
	c->scored++;
}

/*
 * "key": value, with NaN and infinities as null; key is JSON text (R² is
 * written "R\u00b2" so that any server encoding that has the character
 * takes it).
 */
static void
add_metric(StringInfo json, const char *key, double value)
{
	if (json->len > 1)
		appendStringInfoString(json, ", ");
	appendStringInfo(json, "\"%s\": ", key);
	if (isnan(value) || isinf(value))
		appendStringInfoString(json, "null");
	else
		appendStringInfoString(json, float8out_internal(value));
}

/* mean of a running sum over the scored rows */
static double
mean(EvalCollector *c, int i)
{
	return c->scored > 0 ? c->sum[i] / (double) c->scored : NAN;
}

static void
clustering_metrics(EvalCollector *c, StringInfo json)
{
	size_t		n = (size_t) c->scored;
	size_t		d = (size_t) c->dim;
	int			k = c->nclasses;
	double	   *centroids = palloc_extended(sizeof(double) * Max(k, 1) * Max(d, 1), MCXT_ALLOC_HUGE);
	int64	   *sizes = palloc(sizeof(int64) * Max(k, 1));
	double	   *scratch = palloc(sizeof(double) * Max(k, 1));
	double		dbi = NAN,
				variance = NAN,
				silhouette = NAN;

	if (n > 0)
	{
		ClusterCentroids(c->p.data, n, d, c->cluster, k, centroids, (int64_t *) sizes);
		variance = ClusterIntraVariance(c->p.data, n, d, c->cluster, centroids);
		dbi = ClusterDaviesBouldin(c->p.data, n, d, c->cluster, k, centroids,
								   (int64_t *) sizes, scratch, poll_interrupts);
	}
	if (k >= 2 && (size_t) k < n)
	{
		double		total = 0;

		for (size_t i = 0; i < n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			total += ClusterSilhouettePoint(c->p.data, n, d, c->cluster, k,
											(int64_t *) sizes, i, scratch);
		}
		silhouette = total / (double) n;
	}
	add_metric(json, "Mean Davies-Bouldin Index", dbi);
	add_metric(json, "intra-cluster variance", variance);
	add_metric(json, "silhouette", silhouette);
}

/*
 * EvalCollectorResult
 *		The metrics of the rows collected, as jsonb with the task's keys
 *		(and "Rows Failed" when on_error is null or skip).
 */
Jsonb *
EvalCollectorResult(EvalCollector *c)
{
	StringInfoData json;

	initStringInfo(&json);
	appendStringInfoChar(&json, '{');
	switch (c->task)
	{
		case EVAL_CLASSIFICATION:
			{
				ClassMetrics m;

				MetricsClassification((int64_t *) c->tp, (int64_t *) c->fp,
									  (int64_t *) c->fn, c->nclasses, c->scored, &m);
				add_metric(&json, "Accuracy", m.accuracy);
				add_metric(&json, "Precision", m.precision);
				add_metric(&json, "Recall", m.recall);
				add_metric(&json, "F1", m.f1);
				break;
			}
		case EVAL_REGRESSION:
			{
				RegressionMetrics m;

				MetricsRegression(c->y.data, c->p.data, c->y.len, &m);
				add_metric(&json, "MAE", m.mae);
				add_metric(&json, "MSE", m.mse);
				add_metric(&json, "RMSE", m.rmse);
				add_metric(&json, "MAPE", m.mape);
				add_metric(&json, "R\\u00b2", m.r2);
				break;
			}
		case EVAL_CLUSTERING:
			clustering_metrics(c, &json);
			break;
		case EVAL_EMBEDDING:
			add_metric(&json, "Mean Cosine Similarity", mean(c, 0));
			add_metric(&json, "Mean Jaccard Similarity", mean(c, 1));
			add_metric(&json, "Mean Euclidean Distance", mean(c, 2));
			break;
		case EVAL_TEXT_GENERATION:
			add_metric(&json, "Mean BLEU", mean(c, 0));
			add_metric(&json, "Mean ROUGE", mean(c, 1));
			add_metric(&json, "Mean Semantic Similarity", mean(c, 2));
			break;
	}
	if (!c->fail_on_error)
		add_metric(&json, "Rows Failed", (double) c->failed);
	appendStringInfoChar(&json, '}');
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json.data)));
}

/* the rows seen (for the empty-input check) */
int64
EvalCollectorRows(EvalCollector *c)
{
	return c->rows;
}

/* release everything the collector kept */
void
EvalCollectorFree(EvalCollector *c)
{
	MemoryContextDelete(c->cxt);
	pfree(c);
}
