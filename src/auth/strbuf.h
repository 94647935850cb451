/*-------------------------------------------------------------------------
 *
 * strbuf.h
 *	  Text helpers shared by the pure-C signers and the secret sealing: a
 *	  growing NUL-terminated string (malloc-based), hex digits and
 *	  printf-style error messages.
 *
 * A failed allocation sets failed; later appends then do nothing and
 * strbuf_finish returns NULL, so callers check once at the end.
 *
 * IDENTIFICATION
 *	  src/auth/strbuf.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_STRBUF_H
#define MLPREDICT_STRBUF_H

#include <stddef.h>

typedef struct StrBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	int			failed;
} StrBuf;

extern void strbuf_append_n(StrBuf *sb, const char *s, size_t n);
extern void strbuf_append(StrBuf *sb, const char *s);
extern void strbuf_putc(StrBuf *sb, char c);
extern char *strbuf_finish(StrBuf *sb);

/* lower-case hex of len bytes into out[2 * len + 1] */
extern void hex_encode_lower(const unsigned char *in, size_t len, char *out);
/* the value of one hex digit (either case), or -1 */
extern int	hex_digit_value(char c);

/* Let the compiler check auth_set_error's format (GCC and clang). */
#if defined(__GNUC__) || defined(__clang__)
#define ATTRIBUTE_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ATTRIBUTE_PRINTF(f, a)
#endif

/* printf-style message into errbuf, if there is one (errbuf may be NULL) */
extern void auth_set_error(char *errbuf, size_t errlen, const char *fmt,...)
			ATTRIBUTE_PRINTF(3, 4);

#endif							/* MLPREDICT_STRBUF_H */
