/*-------------------------------------------------------------------------
 *
 * test_metrics.c
 *	  Unit tests of ML_EVALUATE's metric arithmetic (src/evaluate/
 *	  metrics.c, cluster_metrics.c, text_metrics.c) against values worked
 *	  out by hand: perfect predictions, all wrong, ties, degenerate input.
 *	  A plain C11 program, no server and no framework; built and run by
 *	  "make unit".
 *
 * IDENTIFICATION
 *	  test/unit/test_metrics.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "evaluate/metrics.h"

#include "unit_check.h"

#define CHECK(cond)		check((cond) != 0, __LINE__, #cond)
#define NEAR(a, b)		check(fabs((a) - (b)) < 1e-9, __LINE__, #a " == " #b)

static void
test_classification(void)
{
	ClassMetrics m;

	/* perfect: a b a c */
	{
		int64_t		tp[] = {2, 1, 1}, fp[] = {0, 0, 0}, fn[] = {0, 0, 0};

		MetricsClassification(tp, fp, fn, 3, 4, &m);
		NEAR(m.accuracy, 1);
		NEAR(m.precision, 1);
		NEAR(m.recall, 1);
		NEAR(m.f1, 1);
	}
	/* all wrong: labels a a b b, predictions b b a a */
	{
		int64_t		tp[] = {0, 0}, fp[] = {2, 2}, fn[] = {2, 2};

		MetricsClassification(tp, fp, fn, 2, 4, &m);
		NEAR(m.accuracy, 0);
		NEAR(m.precision, 0);
		NEAR(m.recall, 0);
		NEAR(m.f1, 0);
	}
	/* labels 1 1 1 0 0, predictions 1 0 1 0 1 (classes 1, 0) */
	{
		int64_t		tp[] = {2, 1}, fp[] = {1, 1}, fn[] = {1, 1};

		MetricsClassification(tp, fp, fn, 2, 5, &m);
		NEAR(m.accuracy, 0.6);
		NEAR(m.precision, 7.0 / 12);
		NEAR(m.recall, 7.0 / 12);
		NEAR(m.f1, 7.0 / 12);
	}
	/* labels a b c, predictions a a a: b and c never predicted */
	{
		int64_t		tp[] = {1, 0, 0}, fp[] = {2, 0, 0}, fn[] = {0, 1, 1};

		MetricsClassification(tp, fp, fn, 3, 3, &m);
		NEAR(m.accuracy, 1.0 / 3);
		NEAR(m.precision, 1.0 / 9);
		NEAR(m.recall, 1.0 / 3);
		NEAR(m.f1, 1.0 / 6);
	}
	/* nothing to score */
	MetricsClassification(NULL, NULL, NULL, 0, 0, &m);
	CHECK(isnan(m.accuracy) && isnan(m.f1));
}

static void
test_regression(void)
{
	RegressionMetrics m;
	double		y[] = {3, -0.5, 2, 7}, p[] = {2.5, 0.0, 2, 8};
	double		same[] = {1, 2, 3};
	double		flat[] = {2, 2}, off[] = {2, 3};
	double		zy[] = {0, 4}, zp[] = {1, 2};

	MetricsRegression(y, p, 4, &m);
	NEAR(m.mae, 0.5);
	NEAR(m.mse, 0.375);
	NEAR(m.rmse, sqrt(0.375));
	NEAR(m.mape, (0.5 / 3 + 1 + 0 + 1.0 / 7) / 4);
	NEAR(m.r2, 1 - 1.5 / 29.1875);
	/* perfect */
	MetricsRegression(same, same, 3, &m);
	NEAR(m.mae, 0);
	NEAR(m.mse, 0);
	NEAR(m.rmse, 0);
	NEAR(m.mape, 0);
	NEAR(m.r2, 1);
	/* constant labels: R2 is 1 only for exact predictions */
	MetricsRegression(flat, flat, 2, &m);
	NEAR(m.r2, 1);
	MetricsRegression(flat, off, 2, &m);
	NEAR(m.r2, 0);
	NEAR(m.mae, 0.5);
	/* a zero label is left out of MAPE only */
	MetricsRegression(zy, zp, 2, &m);
	NEAR(m.mape, 0.5);
	NEAR(m.mae, 1.5);
	MetricsRegression(zy, zp, 1, &m);
	CHECK(isnan(m.mape));
	MetricsRegression(NULL, NULL, 0, &m);
	CHECK(isnan(m.mae) && isnan(m.r2));
}

static void
test_vectors(void)
{
	VectorPairMetrics m;
	double		x[] = {1, 0}, y[] = {0, 1}, nx[] = {-1, 0};
	double		a[] = {1, 2}, b[] = {2, 4}, z[] = {0, 0};

	MetricsVectorPair(x, x, 2, &m);
	NEAR(m.cosine, 1);
	NEAR(m.jaccard, 1);
	NEAR(m.euclidean, 0);
	MetricsVectorPair(x, y, 2, &m);
	NEAR(m.cosine, 0);
	NEAR(m.jaccard, 0);
	NEAR(m.euclidean, sqrt(2));
	MetricsVectorPair(a, b, 2, &m);
	NEAR(m.cosine, 1);
	NEAR(m.jaccard, 2.0 / 3);
	NEAR(m.euclidean, sqrt(5));
	MetricsVectorPair(x, nx, 2, &m);
	NEAR(m.cosine, -1);
	NEAR(m.jaccard, -1.0 / 3);
	NEAR(m.euclidean, 2);
	MetricsVectorPair(z, z, 2, &m);
	NEAR(m.cosine, 1);
	NEAR(m.jaccard, 1);
	MetricsVectorPair(z, x, 2, &m);
	NEAR(m.cosine, 0);
	NEAR(m.jaccard, 0);
	NEAR(m.euclidean, 1);
}

/* mean silhouette of a clustering */
static double
silhouette(const double *pts, size_t n, size_t d, const int *cl, int k,
		   const int64_t *sizes)
{
	double		sums[8],
				total = 0;

	for (size_t i = 0; i < n; i++)
		total += ClusterSilhouettePoint(pts, n, d, cl, k, sizes, i, sums);
	return total / (double) n;
}

static void
test_clustering(void)
{
	double		c[16],
				scatter[8];
	int64_t		sizes[8];

	/* 1-D: {0, 2} and {10, 12} */
	{
		double		pts[] = {0, 2, 10, 12};
		int			cl[] = {0, 0, 1, 1};

		ClusterCentroids(pts, 4, 1, cl, 2, c, sizes);
		NEAR(c[0], 1);
		NEAR(c[1], 11);
		CHECK(sizes[0] == 2 && sizes[1] == 2);
		NEAR(ClusterIntraVariance(pts, 4, 1, cl, c), 1);
		NEAR(ClusterDaviesBouldin(pts, 4, 1, cl, 2, c, sizes, scatter, NULL), 0.2);
		NEAR(silhouette(pts, 4, 1, cl, 2, sizes), (9.0 / 11 + 7.0 / 9) / 2);
	}
	/* 2-D: {(0,0), (0,2)} and {(4,0), (4,2)} */
	{
		double		pts[] = {0, 0, 0, 2, 4, 0, 4, 2};
		int			cl[] = {0, 0, 1, 1};

		ClusterCentroids(pts, 4, 2, cl, 2, c, sizes);
		NEAR(c[1], 1);
		NEAR(c[2], 4);
		NEAR(ClusterIntraVariance(pts, 4, 2, cl, c), 1);
		NEAR(ClusterDaviesBouldin(pts, 4, 2, cl, 2, c, sizes, scatter, NULL), 0.5);
	}
	/* a tie: point 1 is as far from its own cluster as from the other */
	{
		double		pts[] = {0, 1, 2};
		int			cl[] = {0, 0, 1};
		double		sums[2];

		ClusterCentroids(pts, 3, 1, cl, 2, c, sizes);
		NEAR(ClusterSilhouettePoint(pts, 3, 1, cl, 2, sizes, 1, sums), 0);
		NEAR(ClusterSilhouettePoint(pts, 3, 1, cl, 2, sizes, 0, sums), 0.5);
		/* alone in its cluster */
		NEAR(ClusterSilhouettePoint(pts, 3, 1, cl, 2, sizes, 2, sums), 0);
		NEAR(silhouette(pts, 3, 1, cl, 2, sizes), 0.5 / 3);
		/* S = {0.5, 0}, centroids 0.5 and 2 */
		NEAR(ClusterDaviesBouldin(pts, 3, 1, cl, 2, c, sizes, scatter, NULL), 0.5 / 1.5);
	}
	/* all wrong: each cluster holds one point of each pair */
	{
		double		pts[] = {0, 10, 0, 10};
		int			cl[] = {0, 0, 1, 1};

		ClusterCentroids(pts, 4, 1, cl, 2, c, sizes);
		NEAR(ClusterIntraVariance(pts, 4, 1, cl, c), 25);
		/* the centroids coincide: undefined */
		CHECK(isnan(ClusterDaviesBouldin(pts, 4, 1, cl, 2, c, sizes, scatter, NULL)));
		NEAR(silhouette(pts, 4, 1, cl, 2, sizes), (5.0 - 10) / 10);
	}
	/* one cluster */
	{
		double		pts[] = {1, 3};
		int			cl[] = {0, 0};

		ClusterCentroids(pts, 2, 1, cl, 1, c, sizes);
		CHECK(isnan(ClusterDaviesBouldin(pts, 2, 1, cl, 1, c, sizes, scatter, NULL)));
		NEAR(ClusterIntraVariance(pts, 2, 1, cl, c), 1);
	}
}

static int	polls;

static void
count_poll(void)
{
	polls++;
}

/*
 * The Davies-Bouldin index takes k * k steps, k up to the rows: the
 * server's poll (a cancel check) runs once per cluster.
 */
static void
test_davies_bouldin_polls(void)
{
	double		pts[] = {0, 2, 10, 12, 20, 22};
	int			cl[] = {0, 0, 1, 1, 2, 2};
	double		c[3];
	int64_t		sizes[3];
	double		scatter[3];

	ClusterCentroids(pts, 6, 1, cl, 3, c, sizes);
	polls = 0;
	NEAR(ClusterDaviesBouldin(pts, 6, 1, cl, 3, c, sizes, scatter, count_poll), 0.2);
	CHECK(polls == 3);
}

/* the text metrics of two strings */
static TextPairMetrics
text_pair(const char *cand, const char *ref)
{
	uint64_t	ct[64],
				rt[64],
				scratch[256];
	size_t		c = TextTokenize(cand, strlen(cand), ct);
	size_t		r = TextTokenize(ref, strlen(ref), rt);
	TextPairMetrics m;

	MetricsTextPair(ct, c, rt, r, scratch, &m, NULL);
	return m;
}

static void
test_text(void)
{
	TextPairMetrics m;
	uint64_t	t[32],
				u[32];

	/* tokens: words, punctuation alone, case folded, UTF-8 in words */
	CHECK(TextTokenize("Hello, World!", 13, t) == 4);
	CHECK(TextTokenize("  ", 2, t) == 0);
	CHECK(TextTokenize("héllo wörld", strlen("héllo wörld"), t) == 2);
	TextTokenize("HeLLo", 5, t);
	TextTokenize("hello", 5, u);
	CHECK(t[0] == u[0]);
	TextTokenize("hello", 5, t);
	TextTokenize("hellp", 5, u);
	CHECK(t[0] != u[0]);
	CHECK(TextScratchSize(2, 3) >= 2 + 3 + 3 + 1);

	/* perfect */
	m = text_pair("the cat sat on the mat", "the cat sat on the mat");
	NEAR(m.bleu, 1);
	NEAR(m.rouge, 1);
	NEAR(m.similarity, 1);
	m = text_pair("Hello, World!", "hello , world !");
	NEAR(m.bleu, 1);
	/* all wrong */
	m = text_pair("a b c", "x y z");
	NEAR(m.bleu, 0);
	NEAR(m.rouge, 0);
	NEAR(m.similarity, 0);
	/* short candidate: brevity penalty exp(1 - 3/2) */
	m = text_pair("the cat", "the cat sat");
	NEAR(m.bleu, exp(-0.5));
	NEAR(m.rouge, 0.8);
	NEAR(m.similarity, 2 / sqrt(6));
	/* same words, other order: bigram precision (0 + 1) / (1 + 1) */
	m = text_pair("b a", "a b");
	NEAR(m.bleu, pow(0.5, 0.25));
	NEAR(m.rouge, 0.5);
	NEAR(m.similarity, 1);
	/* a longer candidate has no brevity penalty; counts are clipped */
	m = text_pair("the the the", "the");
	/* p1 = 1/3, p2 = (0 + 1) / (2 + 1), p3 = (0 + 1) / (1 + 1), p4 = 1 */
	NEAR(m.bleu, pow(1.0 / 18, 0.25));
	NEAR(m.rouge, 2.0 * 1 / 4);
	NEAR(m.similarity, 3 / sqrt(9));
	/* empty */
	m = text_pair("", "");
	NEAR(m.bleu, 1);
	NEAR(m.rouge, 1);
	m = text_pair("", "something");
	NEAR(m.bleu, 0);
	NEAR(m.similarity, 0);
}

int
main(void)
{
	test_classification();
	test_regression();
	test_vectors();
	test_clustering();
	test_davies_bouldin_polls();
	test_text();
	return unit_report();
}
