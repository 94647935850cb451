/*-------------------------------------------------------------------------
 *
 * metrics.h
 *	  The arithmetic of ML_EVALUATE's metrics, per task: classification
 *	  (from per-class counts), regression, clustering (from the points and
 *	  their clusters), embedding (one pair of vectors) and text generation
 *	  (one pair of token sequences).
 *
 * Pure C11 with libc and libm only, deliberately without "postgres.h":
 * the module build compiles these files with the server's flags, the unit
 * tests (make unit, test/unit/test_metrics.c) link them into a plain
 * program.  Nothing here allocates, raises errors or keeps state: callers
 * pass every buffer, sized as each function says.  A metric that is not
 * defined for its input (no rows, one cluster, ...) is NAN; the caller
 * shows it as JSON null.  The definitions are those of the README's
 * ML_EVALUATE section; evaluate.c applies them to a query's rows.
 *
 * IDENTIFICATION
 *	  src/evaluate/metrics.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_EVAL_METRICS_H
#define MLPREDICT_EVAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* ---- classification (metrics.c) ---- */

/*
 * Macro averages over the classes that occur as a label or a prediction:
 * per class, precision = tp / (tp + fp), recall = tp / (tp + fn) and
 * F1 = 2 tp / (2 tp + fp + fn), each 0 when its denominator is 0; the
 * metric is the mean over the classes.  accuracy = sum(tp) / n.
 */
typedef struct ClassMetrics
{
	double		accuracy;
	double		precision;
	double		recall;
	double		f1;
} ClassMetrics;

extern void MetricsClassification(const int64_t *tp, const int64_t *fp,
								  const int64_t *fn, int nclasses, int64_t n,
								  ClassMetrics *out);

/* ---- regression (metrics.c) ---- */

/*
 * MAE, MSE, RMSE over all n rows; MAPE = mean |(y - p) / y| over the rows
 * with y != 0, as a fraction (NAN if every y is 0); R2 = 1 - SS_res /
 * SS_tot, and when every y is the same (SS_tot = 0): 1 if every
 * prediction is exact, else 0.
 */
typedef struct RegressionMetrics
{
	double		mae;
	double		mse;
	double		rmse;
	double		mape;
	double		r2;
} RegressionMetrics;

extern void MetricsRegression(const double *y, const double *p, size_t n,
							  RegressionMetrics *out);

/* ---- embedding, one pair of vectors of dimension d (metrics.c) ---- */

/*
 * cosine = a.b / (|a| |b|); jaccard is the Tanimoto coefficient
 * a.b / (|a|^2 + |b|^2 - a.b), Jaccard's index extended to real vectors
 * (equal to it on 0/1 vectors); euclidean = |a - b|.  Two zero vectors
 * count as identical (cosine and jaccard 1), one zero vector as
 * unrelated (0).
 */
typedef struct VectorPairMetrics
{
	double		cosine;
	double		jaccard;
	double		euclidean;
} VectorPairMetrics;

extern void MetricsVectorPair(const double *a, const double *b, size_t d,
							  VectorPairMetrics *out);

/* ---- clustering (cluster_metrics.c) ---- */

/*
 * n points of dimension d, row-major in points; cluster[i] in [0, k).
 * ClusterCentroids fills centroids (k * d) and sizes (k).  The other
 * functions take those.
 */
extern void ClusterCentroids(const double *points, size_t n, size_t d,
							 const int *cluster, int k,
							 double *centroids, int64_t *sizes);

/* mean squared distance of a point to its cluster's centroid */
extern double ClusterIntraVariance(const double *points, size_t n, size_t d,
								   const int *cluster, const double *centroids);

/*
 * Davies-Bouldin: S_i = mean distance of cluster i's points to its
 * centroid, R_ij = (S_i + S_j) / |c_i - c_j|, index = mean over i of
 * max over j != i of R_ij.  NAN with fewer than 2 clusters or when two
 * centroids coincide.  scatter: k doubles of scratch.  It takes k * k
 * centroid distances (k can be as large as n, one cluster per row): poll,
 * when not NULL, is called after each cluster's row of them (the server
 * passes a function that checks for query cancel).
 */
extern double ClusterDaviesBouldin(const double *points, size_t n, size_t d,
								   const int *cluster, int k,
								   const double *centroids,
								   const int64_t *sizes, double *scatter,
								   void (*poll) (void));

/*
 * The silhouette of point i: a = mean distance to the other points of its
 * cluster, b = least mean distance to the points of another cluster,
 * s = (b - a) / max(a, b); 0 for a point alone in its cluster (and when
 * a = b = 0).  The caller averages over the points (and may check for
 * interrupts between them: each call is O(n d)).  Meaningful for
 * 2 <= k <= n - 1 (the caller reports NAN otherwise).  sums: k doubles of
 * scratch.
 */
extern double ClusterSilhouettePoint(const double *points, size_t n, size_t d,
									 const int *cluster, int k,
									 const int64_t *sizes, size_t i,
									 double *sums);

/* ---- text generation (text_metrics.c) ---- */

/*
 * TextTokenize: the tokens of a UTF-8 text as 64-bit hashes, at most len
 * of them (out must hold len).  A token is a run of ASCII letters, digits
 * and '_' and of bytes >= 0x80 (so non-ASCII letters stay in words), or
 * one other non-space character (punctuation); ASCII letters are compared
 * case-insensitively.
 */
extern size_t TextTokenize(const char *text, size_t len, uint64_t *out);

/*
 * One candidate (the prediction, c tokens) against one reference (the
 * label, r tokens).  bleu: BLEU-4 with uniform weights and the brevity
 * penalty, n-gram precisions for n >= 2 smoothed by adding 1 to matches
 * and totals (Lin and Och's BLEU+1); rouge: ROUGE-L F1 (longest common
 * subsequence, precision LCS / c, recall LCS / r); similarity: cosine of
 * the two texts' token-count vectors.  Two empty texts score 1, one empty
 * text 0.  scratch: TextScratchSize(c, r) uint64_t.  ROUGE-L takes c * r
 * steps: poll, when not NULL, is called after each candidate token (the
 * server passes a function that checks for query cancel).
 */
typedef struct TextPairMetrics
{
	double		bleu;
	double		rouge;
	double		similarity;
} TextPairMetrics;

extern size_t TextScratchSize(size_t c, size_t r);
extern void MetricsTextPair(const uint64_t *cand, size_t c,
							const uint64_t *ref, size_t r,
							uint64_t *scratch, TextPairMetrics *out,
							void (*poll) (void));

#endif							/* MLPREDICT_EVAL_METRICS_H */
