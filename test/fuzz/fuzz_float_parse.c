/*-------------------------------------------------------------------------
 *
 * fuzz_float_parse.c
 *	  libFuzzer target for src/types/float_parse.c: the input as number
 *	  text must give what strtod and strtof give, bit for bit, with the
 *	  same end and the same overflow, whenever float_parse.c reads it
 *	  (and it must read every plain decimal number).  The parser is given
 *	  the input's length, not a NUL, so AddressSanitizer also checks that
 *	  it reads nothing past the end.  Built with AddressSanitizer and UBSan
 *	  by "make fuzz".
 *
 * IDENTIFICATION
 *	  test/fuzz/fuzz_float_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "types/float_parse.h"

#define REQUIRE(cond)	do { if (!(cond)) abort(); } while (0)

/* a sign, then a digit or a point and a digit, and no "0x" */
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char	   *exact = malloc(len);	/* the input, unterminated */
	char	   *s = malloc(len + 1);	/* the same, for strtod */
	char	   *libend;
	const char *end;
	double		libd,
				d;
	float		libf,
				f;
	int			liberr;
	MlFloatStatus status;

	memcpy(exact, data, len);
	memcpy(s, data, len);
	s[len] = '\0';
	/* an embedded NUL ends the C string: compare that prefix only */
	len = strlen(s);

	errno = 0;
	libd = strtod(s, &libend);
	liberr = errno;
	end = MlParseFloat8(exact, exact + len, &d, &status);
	if (end != NULL)
	{
		REQUIRE(end - exact == libend - s);
		REQUIRE(memcmp(&d, &libd, sizeof(d)) == 0);
		REQUIRE((liberr == ERANGE && isinf(libd)) == (status == ML_FLOAT_OVERFLOW));
	}
	else
		REQUIRE(libend == s || !plain_decimal(s));

	errno = 0;
	libf = strtof(s, &libend);
	liberr = errno;
	end = MlParseFloat4(exact, exact + len, &f, &status);
	if (end != NULL)
	{
		REQUIRE(end - exact == libend - s);
		REQUIRE(memcmp(&f, &libf, sizeof(f)) == 0);
		REQUIRE((liberr == ERANGE && isinf(libf)) == (status == ML_FLOAT_OVERFLOW));
	}
	else
		REQUIRE(libend == s || !plain_decimal(s));

	free(exact);
	free(s);
	return 0;
}
