/*-------------------------------------------------------------------------
 *
 * fuzz_binary_format.c
 *	  libFuzzer target for the BINARY format's answer: the whole body as
 *	  an array of fixed-width elements, its length checked by
 *	  TensorCountBinary (src/format/tensor_shape.c) and then read element
 *	  by element as binary.c's read_array does; and the body as a list of
 *	  BYTES elements (the 4-byte length prefixes binary request bodies and
 *	  Triton's BYTES tensors use), counted and walked.  Built with
 *	  AddressSanitizer and UBSan by "make fuzz".
 *
 * The input: byte 0 selects the element width (1, 2, 4, 8, or 0 for
 * BYTES elements), byte 1 is the element cap; the rest is the body.
 *
 * IDENTIFICATION
 *	  test/fuzz/fuzz_binary_format.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/tensor_shape.h"

#define REQUIRE(cond)	do { if (!(cond)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const int widths[8] = {1, 2, 4, 8, 0, 0, 4, 8};
	int			width;
	int64_t		cap;
	unsigned char *body;
	size_t		bodylen;
	int64_t		n;
	size_t		bad = 0;
	TensorStatus status;
	uint64_t	sum = 0;

	if (len < 2)
		return 0;
	width = widths[data[0] & 7];
	cap = (data[1] & 0x80) ? (int64_t) data[1] << 8 : data[1];
	/* the body, copied so that ASan sees its exact end */
	bodylen = len - 2;
	body = malloc(bodylen ? bodylen : 1);
	REQUIRE(body != NULL);
	memcpy(body, data + 2, bodylen);

	status = TensorCountBinary(body, bodylen, width, cap, &n, &bad);
	if (status == TENSOR_OK)
	{
		size_t		pos = 0;
		const unsigned char *elem;
		size_t		elemlen;

		REQUIRE(n >= 0 && n <= cap);
		for (int64_t i = 0; i < n; i++)
		{
			if (width > 0)
			{
				sum += TensorReadLE(body + (size_t) i * width, width);
				continue;
			}
			REQUIRE(TensorNextBytes(body, bodylen, &pos, &elem, &elemlen));
			if (elemlen > 0)
				sum += elem[0] + elem[elemlen - 1];
		}
		REQUIRE(width > 0 ? (size_t) n * width == bodylen : pos == bodylen);
		REQUIRE(!TensorNextBytes(body, bodylen, &pos, &elem, &elemlen) ||
				width > 0);
	}
	else if (status == TENSOR_NOT_MULTIPLE)
		REQUIRE(width > 0 && bodylen % width != 0);
	else if (status == TENSOR_TRUNCATED)
		REQUIRE(width == 0 && bad < bodylen);
	else
		REQUIRE(status == TENSOR_TOO_LARGE && n == cap + 1);
	(void) sum;
	free(body);
	return 0;
}
