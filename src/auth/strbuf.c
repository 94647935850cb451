/*-------------------------------------------------------------------------
 *
 * strbuf.c
 *	  Text helpers for the pure-C signers (malloc-based, no PostgreSQL
 *	  dependency), shared by sigv4.c and jwt.c: a growing NUL-terminated
 *	  string and printf-style error messages.
 *
 * IDENTIFICATION
 *	  src/auth/strbuf.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/*
 * strbuf_append_n
 *		Append n bytes of s, growing the buffer by doubling.
 */
void
strbuf_append_n(StrBuf *sb, const char *s, size_t n)
{
	if (sb->failed)
		return;
	if (n > SIZE_MAX / 4 - sb->len)
	{
		sb->failed = 1;
		return;
	}
	if (sb->len + n + 1 > sb->cap)
	{
		size_t		cap = sb->cap ? sb->cap : 256;
		char	   *p;

		while (cap < sb->len + n + 1)
			cap *= 2;
		p = realloc(sb->data, cap);
		if (p == NULL)
		{
			sb->failed = 1;
			return;
		}
		sb->data = p;
		sb->cap = cap;
	}
	if (n > 0)
		memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

/* Append a NUL-terminated string. */
void
strbuf_append(StrBuf *sb, const char *s)
{
	strbuf_append_n(sb, s, strlen(s));
}

/* Append one character. */
void
strbuf_putc(StrBuf *sb, char c)
{
	strbuf_append_n(sb, &c, 1);
}

/*
 * strbuf_finish
 *		The text built (caller frees; "" if nothing was appended), or NULL
 *		with the buffer released if an allocation failed.
 */
char *
strbuf_finish(StrBuf *sb)
{
	if (sb->data == NULL)
		strbuf_append_n(sb, "", 0);
	if (sb->failed)
	{
		free(sb->data);
		sb->data = NULL;
		return NULL;
	}
	return sb->data;
}

/*
 * auth_set_error
 *		printf-style message into errbuf, if there is one.
 */
void
auth_set_error(char *errbuf, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (errbuf == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

void
hex_encode_lower(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t		i;

	for (i = 0; i < len; i++)
	{
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

int
hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
