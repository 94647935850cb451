/*-------------------------------------------------------------------------
 *
 * text_metrics.c
 *	  ML_EVALUATE's text_generation metrics for one prediction against its
 *	  label: tokens, BLEU-4 (smoothed), ROUGE-L F1 and the cosine of the
 *	  token-count vectors (see metrics.h for the definitions).
 *
 * Tokens are compared by 64-bit hashes (FNV-1a over the lower-cased
 * bytes); n-grams by a hash of their tokens' hashes.  Clipped n-gram
 * matches are counted by sorting both sides' n-gram hashes and merging,
 * so a pair costs O((c + r) log(c + r)) for BLEU and the token counts and
 * O(c r) time, O(r) space for the longest common subsequence.  Pure C11
 * (no "postgres.h"), unit-tested in test/unit/test_metrics.c.
 *
 * IDENTIFICATION
 *	  src/evaluate/text_metrics.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "metrics.h"

#define FNV_OFFSET	UINT64_C(14695981039346656037)
#define FNV_PRIME	UINT64_C(1099511628211)
#define BLEU_N		4

/* a byte that belongs to a word: ASCII alphanumeric, '_' or non-ASCII */
static bool
word_byte(unsigned char ch)
{
	return ch >= 0x80 || ch == '_' || (ch >= '0' && ch <= '9') ||
		(ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool
space_byte(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
		ch == '\f' || ch == '\v';
}

static uint64_t
hash_byte(uint64_t h, unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		ch = (unsigned char) (ch - 'A' + 'a');
	return (h ^ ch) * FNV_PRIME;
}

/*
 * TextTokenize
 *		The token hashes of text (see metrics.h).
 */
size_t
TextTokenize(const char *text, size_t len, uint64_t *out)
{
	size_t		ntokens = 0;
	size_t		i = 0;

	while (i < len)
	{
		unsigned char ch = (unsigned char) text[i];
		uint64_t	h = FNV_OFFSET;

		if (space_byte(ch))
		{
			i++;
			continue;
		}
		if (!word_byte(ch))
		{
			out[ntokens++] = hash_byte(h, ch);
			i++;
			continue;
		}
		while (i < len && word_byte((unsigned char) text[i]))
			h = hash_byte(h, (unsigned char) text[i++]);
		out[ntokens++] = h;
	}
	return ntokens;
}

/*
 * TextScratchSize
 *		uint64_t of scratch MetricsTextPair needs for c and r tokens.
 */
size_t
TextScratchSize(size_t c, size_t r)
{
	return c + 2 * r + 1;
}

static int
compare_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a;
	uint64_t	y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

/* the hashes of the n-grams of tokens (len - n + 1 of them) into out */
static size_t
ngrams(const uint64_t *tokens, size_t len, int n, uint64_t *out)
{
	size_t		count = len >= (size_t) n ? len - n + 1 : 0;

	for (size_t i = 0; i < count; i++)
	{
		uint64_t	h = FNV_OFFSET;

		for (int k = 0; k < n; k++)
			h = (h ^ tokens[i + k]) * FNV_PRIME + (uint64_t) k;
		out[i] = h;
	}
	qsort(out, count, sizeof(uint64_t), compare_u64);
	return count;
}

/* matches between two sorted multisets, each element counted min times */
static size_t
clipped_matches(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t		i = 0,
				j = 0,
				matches = 0;

	while (i < na && j < nb)
	{
		if (a[i] == b[j])
		{
			matches++;
			i++;
			j++;
		}
		else if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return matches;
}

/* BLEU-4 of cand (c tokens) against ref (r tokens), both non-empty */
static double
bleu(const uint64_t *cand, size_t c, const uint64_t *ref, size_t r,
	 uint64_t *scratch)
{
	double		log_sum = 0;

	for (int n = 1; n <= BLEU_N; n++)
	{
		size_t		nc = ngrams(cand, c, n, scratch);
		size_t		nr = ngrams(ref, r, n, scratch + c);
		double		matches = (double) clipped_matches(scratch, nc, scratch + c, nr);
		double		p;

		if (n == 1)
			p = matches / (double) nc;
		else
			p = (matches + 1) / ((double) nc + 1);
		if (p == 0)
			return 0.0;
		log_sum += log(p) / BLEU_N;
	}
	if (c <= r)
		log_sum += 1.0 - (double) r / (double) c;
	return exp(log_sum);
}

/* ROUGE-L F1: the longest common subsequence, with row of r + 1 */
static double
rouge_l(const uint64_t *cand, size_t c, const uint64_t *ref, size_t r,
		uint64_t *row, void (*poll) (void))
{
	uint64_t	lcs;

	for (size_t j = 0; j <= r; j++)
		row[j] = 0;
	for (size_t i = 0; i < c; i++)
	{
		uint64_t	diag = 0;	/* row[j - 1] of the previous i */

		for (size_t j = 1; j <= r; j++)
		{
			uint64_t	up = row[j];

			if (cand[i] == ref[j - 1])
				row[j] = diag + 1;
			else if (row[j - 1] > row[j])
				row[j] = row[j - 1];
			diag = up;
		}
		if (poll)
			poll();
	}
	lcs = row[r];
	if (lcs == 0)
		return 0.0;
	return 2.0 * (double) lcs / (double) (c + r);
}

/* sum of count^2 over a sorted multiset, and the run-wise dot product */
static double
count_cosine(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	double		dot = 0,
				aa = 0,
				bb = 0;
	size_t		i = 0,
				j = 0;

	while (i < na || j < nb)
	{
		uint64_t	v;
		double		ca = 0,
					cb = 0;

		if (j >= nb || (i < na && a[i] <= b[j]))
			v = a[i];
		else
			v = b[j];
		while (i < na && a[i] == v)
			ca++, i++;
		while (j < nb && b[j] == v)
			cb++, j++;
		dot += ca * cb;
		aa += ca * ca;
		bb += cb * cb;
	}
	return dot / (sqrt(aa) * sqrt(bb));
}

/*
 * MetricsTextPair
 *		BLEU, ROUGE-L and token-count cosine of one prediction and label.
 */
void
MetricsTextPair(const uint64_t *cand, size_t c, const uint64_t *ref, size_t r,
				uint64_t *scratch, TextPairMetrics *out, void (*poll) (void))
{
	size_t		nc,
				nr;

	if (c == 0 || r == 0)
	{
		double		v = (c == 0 && r == 0) ? 1.0 : 0.0;

		out->bleu = out->rouge = out->similarity = v;
		return;
	}
	out->bleu = bleu(cand, c, ref, r, scratch);
	out->rouge = rouge_l(cand, c, ref, r, scratch + c + r, poll);
	nc = ngrams(cand, c, 1, scratch);
	nr = ngrams(ref, r, 1, scratch + c);
	out->similarity = count_cosine(scratch, nc, scratch + c, nr);
}
