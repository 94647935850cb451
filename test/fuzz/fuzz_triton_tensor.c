/*-------------------------------------------------------------------------
 *
 * fuzz_triton_tensor.c
 *	  libFuzzer target for the sizes a TRITON (KServe v2) answer states:
 *	  the JSON header size, a tensor's binary_data_size, its BYTES element
 *	  lengths or fixed-width elements, and its shape, checked by
 *	  src/format/tensor_shape.c and then used the way triton.c uses them
 *	  (elements read, flat values nested by the shape).  Built with
 *	  AddressSanitizer and UBSan by "make fuzz"; any read past the input,
 *	  overflow or failed assertion is a finding.
 *
 * The input is a small description followed by the body:
 *	byte 0:		 bits 0-2 the number of dimensions (0-7), bit 3 "data" values
 *				 instead of binary ones, bits 4-6 the datatype (BYTES, 1, 2, 4
 *				 or 8 bytes wide)
 *	byte 1:		 the element cap, 0-255 (mlpredict.max_output_elements)
 *	8 bytes per dimension, little-endian int64 (as many as byte 0 says)
 *	8 bytes:	 binary_data_size, little-endian int64 (or, for "data", the
 *				 number of values, modulo 4096)
 *	the JSON header size text up to a '\n' (at most 32 bytes)
 *	the rest:	 the body: that many bytes of "JSON", then binary data
 *
 * IDENTIFICATION
 *	  test/fuzz/fuzz_triton_tensor.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/tensor_shape.h"

#define REQUIRE(cond)	do { if (!(cond)) abort(); } while (0)

/* The reading position in the fuzzer's input. */
typedef struct Input
{
	const uint8_t *p;
	size_t		left;
} Input;

static bool
take(Input *in, size_t n, const uint8_t **out)
{
	if (in->left < n)
		return false;
	*out = in->p;
	in->p += n;
	in->left -= n;
	return true;
}

static bool
take_int64(Input *in, int64_t *v)
{
	const uint8_t *p;

	if (!take(in, 8, &p))
		return false;
	*v = (int64_t) TensorReadLE(p, 8);
	return true;
}

/*
 * Nest count flat values by dims as triton.c's nest() does, every array
 * allocated at its exact size, so that ASan sees a read past the values.
 */
static void
nest(const int64_t *flat, int64_t count, const int64_t *dims, int ndims,
	 int level, int64_t *pos, uint64_t *sum)
{
	int64_t    *elems = malloc(sizeof(int64_t) * (size_t) (dims[level] > 0 ? dims[level] : 1));

	REQUIRE(elems != NULL);
	for (int64_t i = 0; i < dims[level]; i++)
	{
		if (level + 1 < ndims)
		{
			nest(flat, count, dims, ndims, level + 1, pos, sum);
			elems[i] = 0;
			continue;
		}
		REQUIRE(*pos < count);
		elems[i] = flat[(*pos)++];
		*sum += (uint64_t) elems[i];
	}
	free(elems);
}

/* Read the n elements of binary data as triton.c's binary_values does. */
static int64_t *
read_elements(const uint8_t *bin, size_t size, int width, int64_t n)
{
	int64_t    *flat = malloc(sizeof(int64_t) * (size_t) (n > 0 ? n : 1));
	size_t		pos = 0;

	REQUIRE(flat != NULL);
	for (int64_t i = 0; i < n; i++)
	{
		const unsigned char *elem;
		size_t		elemlen;

		if (width > 0)
		{
			flat[i] = (int64_t) TensorReadLE(bin + (size_t) i * width, width);
			continue;
		}
		REQUIRE(TensorNextBytes(bin, size, &pos, &elem, &elemlen));
		flat[i] = elemlen ? elem[0] + elem[elemlen - 1] : 0;
	}
	REQUIRE(width > 0 || pos == size);
	return flat;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const int widths[8] = {0, 1, 2, 4, 8, 0, 4, 8};
	Input		in = {data, len};
	const uint8_t *head;
	int			ndims;
	bool		json_data;
	int			width;
	int64_t		cap;
	int64_t		dims[8];
	int64_t		size;
	char		text[33];
	size_t		textlen = 0;
	size_t		header;
	const uint8_t *body;
	size_t		bodylen;
	size_t		used = 0;
	size_t		offset = 0;
	int64_t		n = 0;
	int64_t    *flat = NULL;
	TensorStatus status;

	if (!take(&in, 2, &head))
		return 0;
	ndims = head[0] & 7;
	json_data = (head[0] & 8) != 0;
	width = widths[(head[0] >> 4) & 7];
	cap = head[1];
	for (int i = 0; i < ndims; i++)
		if (!take_int64(&in, &dims[i]))
			return 0;
	if (!take_int64(&in, &size))
		return 0;
	while (textlen < 32 && in.left > 0 && *in.p != '\n')
	{
		text[textlen++] = (char) *in.p++;
		in.left--;
	}
	text[textlen] = '\0';
	if (in.left > 0)
	{
		in.p++;
		in.left--;
	}
	/* the body, copied so that ASan sees its exact end */
	bodylen = in.left;
	body = malloc(bodylen ? bodylen : 1);
	REQUIRE(body != NULL);
	memcpy((void *) body, in.p, bodylen);

	if (json_data)
	{
		/* values from "data": only the shape is the answer's word */
		n = (int64_t) ((uint64_t) size % 4096);
		if (n > cap)
			goto done;
		flat = calloc((size_t) (n ? n : 1), sizeof(int64_t));
		REQUIRE(flat != NULL);
	}
	else
	{
		if (!TensorParseHeaderSize(text, bodylen, &header))
			goto done;
		REQUIRE(header <= bodylen);
		status = TensorTakeBinary(size, bodylen - header, &used, &offset);
		if (status != TENSOR_OK)
			goto done;
		REQUIRE(size >= 0 && offset == 0 && used == (size_t) size);
		REQUIRE(used <= bodylen - header);
		status = TensorCountBinary(body + header, (size_t) size, width, cap,
								   &n, NULL);
		if (status != TENSOR_OK)
			goto done;
		REQUIRE(n >= 0 && n <= cap);
		REQUIRE(width == 0 || (size_t) n * width == (size_t) size);
		flat = read_elements(body + header, (size_t) size, width, n);
	}

	if (ndims == 0)
		dims[ndims++] = n;		/* no shape: one dimension of the values */
	else if (TensorCheckShape(dims, ndims, n, cap) != TENSOR_OK)
		goto done;
	{
		int64_t		pos = 0;
		uint64_t	sum = 0;
		int			first = 0;

		/* leading dimensions of 1 dropped, as for a one-dimensional column */
		while (ndims - first > 1 && dims[first] == 1)
			first++;
		nest(flat, n, dims + first, ndims - first, 0, &pos, &sum);
		REQUIRE(pos == n);
	}

done:
	free(flat);
	free((void *) body);
	return 0;
}
