/*-------------------------------------------------------------------------
 *
 * float_oracle.h
 *	  What a number must be, written from the rules rather than from
 *	  float_parse.c: which texts it must read itself, and where RFC 8259's
 *	  grammar ends a JSON number.  Shared by the unit test
 *	  (test_float_parse.c) and the fuzz target (fuzz_float_parse.c).
 *
 * IDENTIFICATION
 *	  test/unit/float_oracle.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLOAT_ORACLE_H
#define FLOAT_ORACLE_H

/*
 * plain_decimal
 *		Does s start as a number float_parse.c must read (a sign, then a
 *		digit or a point and a digit, and no "0x")?  Others, such as "inf"
 *		or " 1", it leaves to strtod.
 */
static int
plain_decimal(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return 0;
	return (s[0] >= '0' && s[0] <= '9') ||
		(s[0] == '.' && s[1] >= '0' && s[1] <= '9');
}

/*
 * json_end
 *		The end of the JSON number at s (RFC 8259), written from the
 *		grammar, with json_text.c's limits (at most max_len characters, the
 *		exponent's digits at most max_exp); NULL when there is none.
 */
static const char *
json_end(const char *s, int max_len, int max_exp)
{
	const char *p = s;
	long		x = 0;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.')
	{
		if (!(p[1] >= '0' && p[1] <= '9'))
			return NULL;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		for (; *p >= '0' && *p <= '9'; p++)
			if (x <= max_exp)
				x = x * 10 + (*p - '0');
		if (x > max_exp)
			return NULL;
	}
	return p - s > max_len ? NULL : p;
}

#endif							/* FLOAT_ORACLE_H */
