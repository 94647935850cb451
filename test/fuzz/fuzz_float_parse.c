/*-------------------------------------------------------------------------
 *
 * fuzz_float_parse.c
 *	  libFuzzer target for src/types/float_parse.c: the input as number
 *	  text must give what strtod and strtof give, bit for bit, with the
 *	  same end and the same overflow, whenever float_parse.c reads it
 *	  (and it must read every plain decimal number); the JSON readers must
 *	  end where RFC 8259's grammar (with json_text.c's limits) ends the
 *	  number, or refuse it as the grammar does, with the same results.
 *	  The parser is given the input's length, not a NUL, so
 *	  AddressSanitizer also checks that it reads nothing past the end.
 *	  Built with AddressSanitizer and UBSan by "make fuzz".
 *
 * IDENTIFICATION
 *	  test/fuzz/fuzz_float_parse.c
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L	/* strndup */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "types/float_parse.h"
#include "../unit/float_oracle.h"

#define REQUIRE(cond)	do { if (!(cond)) abort(); } while (0)

/* the JSON readers on the input against the grammar and the C library */
static void
check_json(const char *exact, const char *s, size_t len)
{
	const char *want = json_end(s, 400, 1000);
	const char *end;
	char	   *prefix;
	double		d,
				libd;
	float		f,
				libf;
	MlFloatStatus status;

	end = MlParseJsonFloat8(exact, exact + len, 400, 1000, &d, &status);
	REQUIRE((want == NULL) == (end == NULL));
	if (want == NULL)
		return;
	REQUIRE(end - exact == want - s);
	prefix = strndup(s, want - s);
	libd = strtod(prefix, NULL);
	REQUIRE(memcmp(&d, &libd, sizeof(d)) == 0);
	end = MlParseJsonFloat4(exact, exact + len, 400, 1000, &f, &status);
	REQUIRE(end != NULL && end - exact == want - s);
	libf = strtof(prefix, NULL);
	REQUIRE(memcmp(&f, &libf, sizeof(f)) == 0);
	free(prefix);
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

	check_json(exact, s, len);
	free(exact);
	free(s);
	return 0;
}
