/*-------------------------------------------------------------------------
 *
 * cluster_metrics.c
 *	  ML_EVALUATE's clustering metrics: centroids, the intra-cluster
 *	  variance, the Davies-Bouldin index and the silhouette of one point
 *	  (see metrics.h for the definitions).
 *
 * The points are the model's numeric inputs of each row; the clusters are
 * its predictions (evaluate_collect.c numbers them).  Distances are
 * Euclidean.  Pure C11 (no "postgres.h"), unit-tested in
 * test/unit/test_metrics.c.
 *
 * IDENTIFICATION
 *	  src/evaluate/cluster_metrics.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <string.h>

#include "metrics.h"

/* Euclidean distance of two points of dimension d */
static double
distance(const double *a, const double *b, size_t d)
{
	double		sum = 0;

	for (size_t j = 0; j < d; j++)
		sum += (a[j] - b[j]) * (a[j] - b[j]);
	return sqrt(sum);
}

/*
 * ClusterCentroids
 *		Each cluster's mean point and size.
 */
void
ClusterCentroids(const double *points, size_t n, size_t d, const int *cluster,
				 int k, double *centroids, int64_t *sizes)
{
	memset(centroids, 0, sizeof(double) * (size_t) k * d);
	memset(sizes, 0, sizeof(int64_t) * (size_t) k);
	for (size_t i = 0; i < n; i++)
	{
		double	   *c = centroids + (size_t) cluster[i] * d;

		for (size_t j = 0; j < d; j++)
			c[j] += points[i * d + j];
		sizes[cluster[i]]++;
	}
	for (int c = 0; c < k; c++)
		for (size_t j = 0; j < d && sizes[c] > 0; j++)
			centroids[(size_t) c * d + j] /= (double) sizes[c];
}

/*
 * ClusterIntraVariance
 *		Mean squared distance of the points to their centroids.
 */
double
ClusterIntraVariance(const double *points, size_t n, size_t d,
					 const int *cluster, const double *centroids)
{
	double		sum = 0;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
	{
		double		dist = distance(points + i * d,
									centroids + (size_t) cluster[i] * d, d);

		sum += dist * dist;
	}
	return sum / (double) n;
}

/*
 * ClusterDaviesBouldin
 *		The Davies-Bouldin index of the clustering.
 */
double
ClusterDaviesBouldin(const double *points, size_t n, size_t d,
					 const int *cluster, int k, const double *centroids,
					 const int64_t *sizes, double *scatter, void (*poll) (void))
{
	double		total = 0;

	if (k < 2)
		return NAN;
	memset(scatter, 0, sizeof(double) * (size_t) k);
	for (size_t i = 0; i < n; i++)
		scatter[cluster[i]] += distance(points + i * d,
										centroids + (size_t) cluster[i] * d, d);
	for (int c = 0; c < k; c++)
		scatter[c] = sizes[c] > 0 ? scatter[c] / (double) sizes[c] : 0;
	for (int a = 0; a < k; a++)
	{
		double		worst = 0;

		for (int b = 0; b < k; b++)
		{
			double		sep;

			if (a == b)
				continue;
			sep = distance(centroids + (size_t) a * d, centroids + (size_t) b * d, d);
			if (sep == 0)
				return NAN;
			if ((scatter[a] + scatter[b]) / sep > worst)
				worst = (scatter[a] + scatter[b]) / sep;
		}
		total += worst;
		if (poll)
			poll();
	}
	return total / k;
}

/*
 * ClusterSilhouettePoint
 *		The silhouette of point i.
 */
double
ClusterSilhouettePoint(const double *points, size_t n, size_t d,
					   const int *cluster, int k, const int64_t *sizes,
					   size_t i, double *sums)
{
	int			own = cluster[i];
	double		a,
				b = INFINITY;

	if (sizes[own] <= 1)
		return 0.0;
	memset(sums, 0, sizeof(double) * (size_t) k);
	for (size_t j = 0; j < n; j++)
		if (j != i)
			sums[cluster[j]] += distance(points + i * d, points + j * d, d);
	a = sums[own] / (double) (sizes[own] - 1);
	for (int c = 0; c < k; c++)
		if (c != own && sizes[c] > 0 && sums[c] / (double) sizes[c] < b)
			b = sums[c] / (double) sizes[c];
	if (isinf(b) || (a == 0 && b == 0))
		return 0.0;
	return (b - a) / (a > b ? a : b);
}
