/*-------------------------------------------------------------------------
 *
 * tensor_shape.h
 *	  Checking the sizes an answer states about its own tensors before any
 *	  of them is believed: a tensor's shape against its values and the
 *	  element cap, the JSON header size of a body with binary tensors, a
 *	  tensor's share of the binary data, and the elements of binary data
 *	  (fixed-width, or BYTES elements with 4-byte length prefixes).
 *
 * Pure C11 with libc only, deliberately without "postgres.h": the module
 * build compiles this file with the server's flags, the unit tests (make
 * unit) and the fuzzers (make fuzz) link it into plain programs.  Nothing
 * here allocates, raises errors or keeps state; every size is checked
 * with overflow-checked arithmetic, and data is only read within the
 * lengths given.  The decoders (triton.c, binary.c) turn a status into a
 * PostgreSQL error and build Datums only from what passed.
 *
 * IDENTIFICATION
 *	  src/format/tensor_shape.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_TENSOR_SHAPE_H
#define MLPREDICT_TENSOR_SHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* most dimensions a shape may have (PostgreSQL's MAXDIM) */
#define TENSOR_MAX_DIMS		6
/* largest dimension: it becomes a PostgreSQL array dimension (int) */
#define TENSOR_MAX_DIM		INT32_MAX
/* bytes of the length before each BYTES element */
#define TENSOR_BYTES_PREFIX 4

/* What is wrong with a size an answer states, if anything. */
typedef enum TensorStatus
{
	TENSOR_OK = 0,
	TENSOR_BAD_RANK,			/* more than TENSOR_MAX_DIMS dimensions */
	TENSOR_BAD_DIM,				/* a dimension below 0 or above TENSOR_MAX_DIM */
	TENSOR_TOO_LARGE,			/* more elements than the cap allows */
	TENSOR_MISMATCH,			/* the shape does not hold the values given */
	TENSOR_NOT_MULTIPLE,		/* bytes not a multiple of the element width */
	TENSOR_TRUNCATED			/* a size or element runs past the data */
} TensorStatus;

/*
 * Check the shape dims[0..ndims-1] (ndims >= 1) of a tensor that has
 * count values, with at most cap elements allowed (cap >= 0):
 *	- TENSOR_BAD_RANK: ndims is not 1..TENSOR_MAX_DIMS;
 *	- TENSOR_BAD_DIM: a dimension is negative or above TENSOR_MAX_DIM;
 *	- TENSOR_TOO_LARGE: the product of the non-zero dimensions, or count,
 *	  is above cap (a product that overflows is above any cap).  The
 *	  non-zero ones count because building an empty tensor of shape
 *	  [n, 0] still makes n empty arrays;
 *	- TENSOR_MISMATCH: the product of all dimensions is not count.
 * When this returns TENSOR_OK, walking the shape row-major visits exactly
 * count leaves, and every prefix of it fewer than cap + 1 arrays.
 */
extern TensorStatus TensorCheckShape(const int64_t *dims, int ndims,
									 int64_t count, int64_t cap);

/*
 * The JSON header size text (the Inference-Header-Content-Length header,
 * or SageMaker's json-header-size Content-Type parameter): optional
 * blanks, then decimal digits, ended by the end of text, ';' or a blank.
 * True, with *size, when it is such a number and at most body_len.
 */
extern bool TensorParseHeaderSize(const char *text, size_t body_len,
								  size_t *size);

/*
 * Take a tensor's binary_data_size bytes from the binary data of total
 * bytes of which *used are taken already: TENSOR_BAD_DIM for a negative
 * size, TENSOR_TRUNCATED when fewer bytes are left; else *offset is where
 * the tensor's bytes start and *used moves past them.
 */
extern TensorStatus TensorTakeBinary(int64_t size, size_t total,
									 size_t *used, size_t *offset);

/*
 * How many elements len bytes of binary tensor data hold: of width bytes
 * each (width >= 1), or for width 0 BYTES elements, each a 4-byte
 * little-endian length and that many bytes.  TENSOR_NOT_MULTIPLE when len
 * is not a multiple of width, TENSOR_TRUNCATED when a BYTES element runs
 * past len (*bad_offset: where it starts), TENSOR_TOO_LARGE when there
 * are more than cap (*count is then cap + 1: counting stops there).
 * bad_offset may be NULL.
 */
extern TensorStatus TensorCountBinary(const unsigned char *data, size_t len,
									  int width, int64_t cap, int64_t *count,
									  size_t *bad_offset);

/*
 * The BYTES element at *pos of len bytes of data: its bytes (*elem) and
 * length (*elemlen); *pos moves past it.  False at the end of the data or
 * when the element runs past it (nothing is read beyond len).
 */
extern bool TensorNextBytes(const unsigned char *data, size_t len,
							size_t *pos, const unsigned char **elem,
							size_t *elemlen);

/* The little-endian unsigned integer of size (1..8) bytes at p. */
extern uint64_t TensorReadLE(const unsigned char *p, int size);

#endif							/* MLPREDICT_TENSOR_SHAPE_H */
