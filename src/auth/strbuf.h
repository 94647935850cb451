/*-------------------------------------------------------------------------
 *
 * strbuf.h
 *	  A growing NUL-terminated string (malloc-based) for the signers.
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

#endif							/* MLPREDICT_STRBUF_H */
