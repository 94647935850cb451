/*-------------------------------------------------------------------------
 *
 * metrics.c
 *	  ML_EVALUATE's classification, regression and embedding metrics (see
 *	  metrics.h for the definitions).
 *
 * Pure C11 (no "postgres.h"): the unit tests build it into a plain
 * program (test/unit/test_metrics.c).  Sums are plain doubles: inputs
 * are at most a query's rows, and the errors that matter here are those
 * of the definitions, not of the last bits.
 *
 * IDENTIFICATION
 *	  src/evaluate/metrics.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>

#include "metrics.h"

/* num / den, or 0 when den is 0 */
static double
ratio_or_zero(double num, double den)
{
	return den > 0 ? num / den : 0.0;
}

/*
 * MetricsClassification
 *		Accuracy and the macro averages of precision, recall and F1 from
 *		per-class counts.
 */
void
MetricsClassification(const int64_t *tp, const int64_t *fp, const int64_t *fn,
					  int nclasses, int64_t n, ClassMetrics *out)
{
	double		correct = 0,
				precision = 0,
				recall = 0,
				f1 = 0;

	if (n <= 0 || nclasses <= 0)
	{
		out->accuracy = out->precision = out->recall = out->f1 = NAN;
		return;
	}
	for (int c = 0; c < nclasses; c++)
	{
		correct += (double) tp[c];
		precision += ratio_or_zero((double) tp[c], (double) (tp[c] + fp[c]));
		recall += ratio_or_zero((double) tp[c], (double) (tp[c] + fn[c]));
		f1 += ratio_or_zero(2.0 * (double) tp[c],
							(double) (2 * tp[c] + fp[c] + fn[c]));
	}
	out->accuracy = correct / (double) n;
	out->precision = precision / nclasses;
	out->recall = recall / nclasses;
	out->f1 = f1 / nclasses;
}

/*
 * MetricsRegression
 *		MAE, MSE, RMSE, MAPE and R2 of predictions p for labels y.
 */
void
MetricsRegression(const double *y, const double *p, size_t n,
				  RegressionMetrics *out)
{
	double		abs_sum = 0,
				sq_sum = 0,
				ape_sum = 0,
				mean = 0,
				ss_tot = 0;
	size_t		ape_n = 0;

	if (n == 0)
	{
		out->mae = out->mse = out->rmse = out->mape = out->r2 = NAN;
		return;
	}
	for (size_t i = 0; i < n; i++)
	{
		double		e = y[i] - p[i];

		abs_sum += fabs(e);
		sq_sum += e * e;
		if (y[i] != 0)
		{
			ape_sum += fabs(e / y[i]);
			ape_n++;
		}
		mean += y[i];
	}
	mean /= (double) n;
	for (size_t i = 0; i < n; i++)
		ss_tot += (y[i] - mean) * (y[i] - mean);
	out->mae = abs_sum / (double) n;
	out->mse = sq_sum / (double) n;
	out->rmse = sqrt(out->mse);
	out->mape = ape_n > 0 ? ape_sum / (double) ape_n : NAN;
	if (ss_tot > 0)
		out->r2 = 1.0 - sq_sum / ss_tot;
	else
		out->r2 = sq_sum == 0 ? 1.0 : 0.0;
}

/*
 * MetricsVectorPair
 *		Cosine, Tanimoto (extended Jaccard) and Euclidean distance of two
 *		vectors of dimension d.
 */
void
MetricsVectorPair(const double *a, const double *b, size_t d,
				  VectorPairMetrics *out)
{
	double		dot = 0,
				aa = 0,
				bb = 0,
				diff = 0;

	for (size_t i = 0; i < d; i++)
	{
		dot += a[i] * b[i];
		aa += a[i] * a[i];
		bb += b[i] * b[i];
		diff += (a[i] - b[i]) * (a[i] - b[i]);
	}
	out->euclidean = sqrt(diff);
	if (aa == 0 && bb == 0)
	{
		out->cosine = out->jaccard = 1.0;
		return;
	}
	if (aa == 0 || bb == 0)
	{
		out->cosine = out->jaccard = 0.0;
		return;
	}
	out->cosine = dot / (sqrt(aa) * sqrt(bb));
	out->jaccard = dot / (aa + bb - dot);
}
