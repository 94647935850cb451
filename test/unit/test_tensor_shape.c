/*-------------------------------------------------------------------------
 *
 * test_tensor_shape.c
 *	  Unit tests of src/format/tensor_shape.c: the checks of the shapes,
 *	  JSON header sizes, binary_data_size shares and BYTES lengths that
 *	  tensor answers (TRITON, BINARY) state.  A plain C11 program, no
 *	  server and no framework; built and run by "make unit".
 *
 * Every hostile size here is one an answer can send; the cases marked
 * "fuzz:" came from make fuzz.  Prints one line per failed check and
 * ends with "N passed, M failed"; exits non-zero when a check failed.
 *
 * IDENTIFICATION
 *	  test/unit/test_tensor_shape.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "format/tensor_shape.h"

#include "unit_check.h"

#define CHECK(cond)		check((cond) != 0, __LINE__, #cond)

#define CAP		100000

/* TensorCheckShape of a literal shape */
#define SHAPE(count, ...) \
	TensorCheckShape((const int64_t[]) {__VA_ARGS__}, \
					 (int) (sizeof((const int64_t[]) {__VA_ARGS__}) / sizeof(int64_t)), \
					 (count), CAP)

static void
test_shapes(void)
{
	int64_t		seven[7] = {1, 1, 1, 1, 1, 1, 1};

	/* valid shapes */
	CHECK(SHAPE(1, 1) == TENSOR_OK);
	CHECK(SHAPE(6, 2, 3) == TENSOR_OK);
	CHECK(SHAPE(6, 1, 2, 1, 3, 1, 1) == TENSOR_OK);
	CHECK(SHAPE(0, 0) == TENSOR_OK);
	CHECK(SHAPE(0, 1, 0) == TENSOR_OK);
	CHECK(SHAPE(0, 0, 5) == TENSOR_OK);
	CHECK(SHAPE(CAP, CAP) == TENSOR_OK);
	CHECK(SHAPE(CAP, 1, CAP) == TENSOR_OK);
	/* values that do not fill the shape */
	CHECK(SHAPE(3, 2, 2) == TENSOR_MISMATCH);
	CHECK(SHAPE(5, 2, 2) == TENSOR_MISMATCH);
	CHECK(SHAPE(1, 0) == TENSOR_MISMATCH);
	CHECK(SHAPE(0, 1) == TENSOR_MISMATCH);
	/* the audit's shape: 2^24 * 2^24 * 2^16 = 2^64 wraps to 0 */
	CHECK(SHAPE(0, 16777216, 16777216, 65536) == TENSOR_TOO_LARGE);
	/* 2^16 four times wraps to 0 as well; 2^32 * 2^32 too */
	CHECK(SHAPE(0, 65536, 65536, 65536, 65536) == TENSOR_TOO_LARGE);
	CHECK(SHAPE(0, 2147483647, 2147483647, 2147483647) == TENSOR_TOO_LARGE);
	/* an empty tensor still builds its outer arrays: [n, 0] makes n */
	CHECK(SHAPE(0, 2147483647, 2147483647, 0) == TENSOR_TOO_LARGE);
	CHECK(SHAPE(0, 33554431, 0) == TENSOR_TOO_LARGE);
	/* fuzz: the old check ran out of memory on these (make fuzz) */
	CHECK(SHAPE(0, 67108964, 0) == TENSOR_TOO_LARGE);
	CHECK(SHAPE(0, 33554532, 0) == TENSOR_TOO_LARGE);
	CHECK(SHAPE(0, CAP, 0) == TENSOR_OK);
	CHECK(SHAPE(0, CAP + 1, 0) == TENSOR_TOO_LARGE);
	/* over the cap without overflow */
	CHECK(SHAPE(CAP + 1, CAP + 1) == TENSOR_TOO_LARGE);
	CHECK(SHAPE(2, CAP, 2) == TENSOR_TOO_LARGE);
	/* bad dimensions and ranks */
	CHECK(SHAPE(1, -1) == TENSOR_BAD_DIM);
	CHECK(SHAPE(1, -1, -1) == TENSOR_BAD_DIM);
	CHECK(SHAPE(0, INT64_MIN) == TENSOR_BAD_DIM);
	CHECK(SHAPE(1, (int64_t) INT32_MAX + 1) == TENSOR_BAD_DIM);
	CHECK(SHAPE(1, INT64_MAX) == TENSOR_BAD_DIM);
	CHECK(TensorCheckShape(seven, 7, 1, CAP) == TENSOR_BAD_RANK);
	CHECK(TensorCheckShape(seven, 6, 1, CAP) == TENSOR_OK);
	CHECK(TensorCheckShape(seven, 0, 1, CAP) == TENSOR_BAD_RANK);
	CHECK(TensorCheckShape(seven, -1, 1, CAP) == TENSOR_BAD_RANK);
	/* a count beyond the cap, or a nonsense cap */
	CHECK(SHAPE(CAP + 1, CAP + 1) == TENSOR_TOO_LARGE);
	CHECK(TensorCheckShape(seven, 1, 1, 0) == TENSOR_TOO_LARGE);
	CHECK(TensorCheckShape(seven, 1, -1, CAP) == TENSOR_TOO_LARGE);
	CHECK(TensorCheckShape(seven, 1, 1, -5) == TENSOR_TOO_LARGE);
	/* the largest cap */
	CHECK(TensorCheckShape((const int64_t[]) {INT32_MAX, INT32_MAX}, 2,
						   INT64_MAX, INT64_MAX) == TENSOR_MISMATCH);
	CHECK(TensorCheckShape((const int64_t[]) {INT32_MAX, INT32_MAX, INT32_MAX}, 3,
						   1, INT64_MAX) == TENSOR_TOO_LARGE);
}

static void
test_header_size(void)
{
	size_t		n = 12345;

	CHECK(TensorParseHeaderSize("10", 100, &n) && n == 10);
	CHECK(TensorParseHeaderSize("0", 100, &n) && n == 0);
	CHECK(TensorParseHeaderSize("100", 100, &n) && n == 100);
	CHECK(TensorParseHeaderSize(" 7", 100, &n) && n == 7);
	CHECK(TensorParseHeaderSize("42;charset=x", 100, &n) && n == 42);
	CHECK(TensorParseHeaderSize("42 ", 100, &n) && n == 42);
	CHECK(TensorParseHeaderSize("007", 100, &n) && n == 7);
	n = 12345;
	CHECK(!TensorParseHeaderSize("101", 100, &n) && n == 12345);
	CHECK(!TensorParseHeaderSize("", 100, &n));
	CHECK(!TensorParseHeaderSize(" ", 100, &n));
	CHECK(!TensorParseHeaderSize("-1", 100, &n));
	CHECK(!TensorParseHeaderSize("+1", 100, &n));
	CHECK(!TensorParseHeaderSize("1x", 100, &n));
	CHECK(!TensorParseHeaderSize("0x10", 100, &n));
	CHECK(!TensorParseHeaderSize(NULL, 100, &n));
	CHECK(!TensorParseHeaderSize("1", 0, &n));
	CHECK(TensorParseHeaderSize("0", 0, &n) && n == 0);
	/* numbers that overflow size_t and long */
	CHECK(!TensorParseHeaderSize("18446744073709551616", SIZE_MAX, &n));
	CHECK(!TensorParseHeaderSize("99999999999999999999999999", SIZE_MAX, &n));
	CHECK(!TensorParseHeaderSize("9223372036854775808", 1000, &n));
	CHECK(TensorParseHeaderSize("18446744073709551615", SIZE_MAX, &n) &&
		  n == SIZE_MAX);
}

static void
test_take_binary(void)
{
	size_t		used = 0;
	size_t		offset = 99;

	CHECK(TensorTakeBinary(4, 10, &used, &offset) == TENSOR_OK &&
		  offset == 0 && used == 4);
	CHECK(TensorTakeBinary(6, 10, &used, &offset) == TENSOR_OK &&
		  offset == 4 && used == 10);
	CHECK(TensorTakeBinary(0, 10, &used, &offset) == TENSOR_OK &&
		  offset == 10 && used == 10);
	CHECK(TensorTakeBinary(1, 10, &used, &offset) == TENSOR_TRUNCATED &&
		  used == 10);
	used = 2;
	CHECK(TensorTakeBinary(-1, 10, &used, &offset) == TENSOR_BAD_DIM);
	CHECK(TensorTakeBinary(INT64_MAX, 10, &used, &offset) == TENSOR_TRUNCATED);
	CHECK(TensorTakeBinary(INT64_MIN, 10, &used, &offset) == TENSOR_BAD_DIM);
	used = 11;
	CHECK(TensorTakeBinary(0, 10, &used, &offset) == TENSOR_TRUNCATED);
	used = 1;
	CHECK(TensorTakeBinary((int64_t) (SIZE_MAX / 2), SIZE_MAX / 2, &used,
						   &offset) == TENSOR_TRUNCATED);
}

static void
test_count_binary(void)
{
	static const unsigned char bytes[] = {
		3, 0, 0, 0, 'a', 'b', 'c',
		0, 0, 0, 0,
		1, 0, 0, 0, 'z'
	};
	static const unsigned char huge_len[] = {0xff, 0xff, 0xff, 0xff, 'x'};
	static const unsigned char short_prefix[] = {1, 0, 0, 0, 'a', 2, 0};
	static const unsigned char empties[16] = {0};
	int64_t		n = -1;
	size_t		bad = 99;
	size_t		pos = 0;
	const unsigned char *elem = NULL;
	size_t		elemlen = 0;

	/* fixed width */
	CHECK(TensorCountBinary(bytes, 16, 4, CAP, &n, NULL) == TENSOR_OK && n == 4);
	CHECK(TensorCountBinary(bytes, 16, 8, CAP, &n, NULL) == TENSOR_OK && n == 2);
	CHECK(TensorCountBinary(bytes, 0, 8, CAP, &n, NULL) == TENSOR_OK && n == 0);
	CHECK(TensorCountBinary(bytes, 15, 4, CAP, &n, NULL) == TENSOR_NOT_MULTIPLE);
	CHECK(TensorCountBinary(bytes, 16, 1, 15, &n, NULL) == TENSOR_TOO_LARGE &&
		  n == 16);
	CHECK(TensorCountBinary(bytes, 16, 1, 16, &n, NULL) == TENSOR_OK && n == 16);
	CHECK(TensorCountBinary(bytes, 16, -4, CAP, &n, NULL) == TENSOR_BAD_DIM);
	/* BYTES */
	CHECK(TensorCountBinary(bytes, sizeof(bytes), 0, CAP, &n, &bad) == TENSOR_OK &&
		  n == 3);
	CHECK(TensorCountBinary(bytes, 0, 0, CAP, &n, &bad) == TENSOR_OK && n == 0);
	CHECK(TensorCountBinary(bytes, sizeof(bytes), 0, 2, &n, &bad) == TENSOR_TOO_LARGE &&
		  n == 3);
	CHECK(TensorCountBinary(bytes, sizeof(bytes) - 1, 0, CAP, &n, &bad) == TENSOR_TRUNCATED &&
		  bad == 11 && n == 2);
	CHECK(TensorCountBinary(bytes, 6, 0, CAP, &n, &bad) == TENSOR_TRUNCATED &&
		  bad == 0);
	CHECK(TensorCountBinary(huge_len, sizeof(huge_len), 0, CAP, &n, &bad) == TENSOR_TRUNCATED &&
		  bad == 0);
	CHECK(TensorCountBinary(short_prefix, sizeof(short_prefix), 0, CAP, &n, &bad) == TENSOR_TRUNCATED &&
		  bad == 5);
	/* sixteen zero bytes: four empty BYTES elements */
	CHECK(TensorCountBinary(empties, 16, 0, CAP, &n, &bad) == TENSOR_OK && n == 4);
	CHECK(TensorCountBinary(empties, 16, 0, 3, &n, &bad) == TENSOR_TOO_LARGE);
	/* walking the elements */
	CHECK(TensorNextBytes(bytes, sizeof(bytes), &pos, &elem, &elemlen) &&
		  elemlen == 3 && memcmp(elem, "abc", 3) == 0 && pos == 7);
	CHECK(TensorNextBytes(bytes, sizeof(bytes), &pos, &elem, &elemlen) &&
		  elemlen == 0 && pos == 11);
	CHECK(TensorNextBytes(bytes, sizeof(bytes), &pos, &elem, &elemlen) &&
		  elemlen == 1 && *elem == 'z' && pos == sizeof(bytes));
	CHECK(!TensorNextBytes(bytes, sizeof(bytes), &pos, &elem, &elemlen));
	pos = 0;
	CHECK(!TensorNextBytes(huge_len, sizeof(huge_len), &pos, &elem, &elemlen) &&
		  pos == 0);
	pos = 100;
	CHECK(!TensorNextBytes(bytes, sizeof(bytes), &pos, &elem, &elemlen));
	CHECK(TensorReadLE(huge_len, 4) == 0xffffffffu);
	CHECK(TensorReadLE(bytes, 1) == 3);
}

int
main(void)
{
	test_shapes();
	test_header_size();
	test_take_binary();
	test_count_binary();
	return unit_report();
}
