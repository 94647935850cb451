/*-------------------------------------------------------------------------
 *
 * float_parse.h
 *	  Decimal text -> float8 and float4, correctly rounded, fast
 *	  (float_parse.c).  Pure C: no PostgreSQL headers, so that the unit
 *	  tests link it alone.
 *
 * The results are bit for bit those of strtod and strtof (which
 * PostgreSQL's float8in and float4in use, and which mlpredict used for
 * every number of an answer before): round half to even, -0 for a
 * negative zero, zero for a value below half the least subnormal, an
 * infinity for a value that rounds beyond the largest finite number
 * (reported as ML_FLOAT_OVERFLOW, where strtod sets ERANGE).
 *
 * Only plain decimal numbers are read: an optional sign, digits with an
 * optional decimal point (at least one digit on either side), and an
 * optional exponent ("e" or "E", optional sign, digits; an "e" not
 * followed by digits ends the number before it, as strtod does).  That is
 * a superset of JSON's number syntax.  Leading white space, "inf", "nan"
 * and hexadecimal floats are not read: the functions return NULL, and a
 * caller that accepts them calls strtod itself.
 *
 * The text is [p, end); it need not be NUL-terminated, and nothing at or
 * beyond end is read.  Neither function allocates memory except, for a
 * number longer than 1 kB that needs the slow path, a malloc'd copy; when
 * that malloc fails they return NULL.  errno is left unspecified.
 *
 * IDENTIFICATION
 *	  src/types/float_parse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_FLOAT_PARSE_H
#define MLPREDICT_FLOAT_PARSE_H

/* What the number read was. */
typedef enum MlFloatStatus
{
	ML_FLOAT_OK,				/* a nonzero number (its result may be 0 or
								 * subnormal when it underflows) */
	ML_FLOAT_ZERO,				/* every digit was 0: the result is +0 or -0 */
	ML_FLOAT_OVERFLOW			/* beyond the type's range: +-infinity */
} MlFloatStatus;

/*
 * The number at p as a double in *result, with its status; returns the
 * end of the number (as strtod's endptr would be), or NULL when there is
 * no plain decimal number at p.
 */
extern const char *MlParseFloat8(const char *p, const char *end,
								 double *result, MlFloatStatus *status);

/* The same for a float, rounded once from the decimal value, as strtof. */
extern const char *MlParseFloat4(const char *p, const char *end,
								 float *result, MlFloatStatus *status);

/*
 * The same results, for JSON's number syntax only (RFC 8259: no '+', no
 * leading zeros, digits on both sides of a point, digits in an exponent),
 * in one pass that also checks it: NULL when there is no JSON number at p,
 * or it is longer than max_len characters, or its exponent's digits make a
 * number above max_exp.  (A JSON number followed by more digits, "01",
 * ends after its "0", as the grammar says; the caller checks what
 * follows.)
 */
extern const char *MlParseJsonFloat8(const char *p, const char *end,
									 int max_len, int max_exp,
									 double *result, MlFloatStatus *status);
extern const char *MlParseJsonFloat4(const char *p, const char *end,
									 int max_len, int max_exp,
									 float *result, MlFloatStatus *status);

#endif							/* MLPREDICT_FLOAT_PARSE_H */
