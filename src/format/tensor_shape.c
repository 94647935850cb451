/*-------------------------------------------------------------------------
 *
 * tensor_shape.c
 *	  Checking the shapes, header sizes and binary layouts that tensor
 *	  answers state about themselves (see tensor_shape.h).
 *
 * An answer's sizes are the provider's word only: a shape whose product
 * overflows, a binary_data_size beyond the body or a BYTES length beyond
 * the tensor must be refused here, before a decoder allocates or reads
 * by them.  Products are computed with overflow checks and compared with
 * the element cap as they grow, so no product ever exceeds the cap by
 * more than one multiplication; lengths are compared by subtraction from
 * what is left, never by adding to an offset.
 *
 * Pure C11 (no "postgres.h"): the unit tests and the fuzzers build it
 * into plain programs (test/unit/test_tensor_shape.c, test/fuzz/).
 *
 * IDENTIFICATION
 *	  src/format/tensor_shape.c
 *
 *-------------------------------------------------------------------------
 */
#include "tensor_shape.h"

/*
 * mul_capped
 *		*product times factor (both >= 0), false when the result would be
 *		above cap (which covers any overflow, as cap fits int64).
 */
static bool
mul_capped(int64_t *product, int64_t factor, int64_t cap)
{
	if (factor != 0 && *product > cap / factor)
		return false;
	*product *= factor;
	return *product <= cap;
}

/*
 * TensorCheckShape
 *		See tensor_shape.h.
 */
TensorStatus
TensorCheckShape(const int64_t *dims, int ndims, int64_t count, int64_t cap)
{
	int64_t		nonzero = 1;
	bool		empty = false;

	if (ndims < 1 || ndims > TENSOR_MAX_DIMS)
		return TENSOR_BAD_RANK;
	for (int i = 0; i < ndims; i++)
		if (dims[i] < 0 || dims[i] > TENSOR_MAX_DIM)
			return TENSOR_BAD_DIM;
	if (cap < 0 || count < 0 || count > cap)
		return TENSOR_TOO_LARGE;
	for (int i = 0; i < ndims; i++)
	{
		if (dims[i] == 0)
			empty = true;
		else if (!mul_capped(&nonzero, dims[i], cap))
			return TENSOR_TOO_LARGE;
	}
	if ((empty ? 0 : nonzero) != count)
		return TENSOR_MISMATCH;
	return TENSOR_OK;
}

/*
 * TensorParseHeaderSize
 *		See tensor_shape.h.
 */
bool
TensorParseHeaderSize(const char *text, size_t body_len, size_t *size)
{
	const char *p = text;
	size_t		n = 0;

	if (p == NULL)
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
	{
		size_t		digit = (size_t) (*p - '0');

		/* n * 10 + digit <= body_len, without overflow */
		if (digit > body_len || n > (body_len - digit) / 10)
			return false;
		n = n * 10 + digit;
	}
	if (*p != '\0' && *p != ';' && *p != ' ')
		return false;
	*size = n;
	return true;
}

/*
 * TensorTakeBinary
 *		See tensor_shape.h.
 */
TensorStatus
TensorTakeBinary(int64_t size, size_t total, size_t *used, size_t *offset)
{
	if (size < 0)
		return TENSOR_BAD_DIM;
	if (*used > total || (uint64_t) size > (uint64_t) (total - *used))
		return TENSOR_TRUNCATED;
	*offset = *used;
	*used += (size_t) size;
	return TENSOR_OK;
}

/*
 * TensorReadLE
 *		See tensor_shape.h.
 */
uint64_t
TensorReadLE(const unsigned char *p, int size)
{
	uint64_t	v = 0;

	for (int i = size - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/*
 * TensorNextBytes
 *		See tensor_shape.h.
 */
bool
TensorNextBytes(const unsigned char *data, size_t len, size_t *pos,
				const unsigned char **elem, size_t *elemlen)
{
	size_t		left;
	uint64_t	n;

	if (*pos >= len)
		return false;
	left = len - *pos;
	if (left < TENSOR_BYTES_PREFIX)
		return false;
	n = TensorReadLE(data + *pos, TENSOR_BYTES_PREFIX);
	if (n > (uint64_t) (left - TENSOR_BYTES_PREFIX))
		return false;
	*elem = data + *pos + TENSOR_BYTES_PREFIX;
	*elemlen = (size_t) n;
	*pos += TENSOR_BYTES_PREFIX + (size_t) n;
	return true;
}

/*
 * TensorCountBinary
 *		See tensor_shape.h.
 */
TensorStatus
TensorCountBinary(const unsigned char *data, size_t len, int width,
				  int64_t cap, int64_t *count, size_t *bad_offset)
{
	size_t		pos = 0;
	int64_t		n = 0;

	*count = 0;
	if (width < 0)
		return TENSOR_BAD_DIM;
	if (width > 0)
	{
		if (len % (size_t) width != 0)
			return TENSOR_NOT_MULTIPLE;
		if ((uint64_t) (len / (size_t) width) > (uint64_t) (cap < 0 ? 0 : cap))
		{
			*count = (cap < 0 ? 0 : cap) + 1;
			return TENSOR_TOO_LARGE;
		}
		*count = (int64_t) (len / (size_t) width);
		return TENSOR_OK;
	}
	while (pos < len)
	{
		const unsigned char *elem;
		size_t		elemlen;
		size_t		start = pos;

		if (!TensorNextBytes(data, len, &pos, &elem, &elemlen))
		{
			if (bad_offset)
				*bad_offset = start;
			*count = n;
			return TENSOR_TRUNCATED;
		}
		if (++n > cap)
		{
			*count = n;
			return TENSOR_TOO_LARGE;
		}
	}
	*count = n;
	return TENSOR_OK;
}
