/*-------------------------------------------------------------------------
 *
 * base64.c
 *	  bytea <-> base64 text (RFC 4648, no line breaks), on PostgreSQL's
 *	  pg_b64_encode and pg_b64_decode.
 *
 * This file owns the buffer arithmetic around those two calls for every
 * codec that sends or reads bytes as base64: JSON strings, CSV fields and
 * TRITON BYTES tensors.  The errors that name a column stay with the
 * callers, which know the column.
 *
 * IDENTIFICATION
 *	  src/types/base64.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/base64.h"

#include "compat.h"

#include "types/base64.h"

/*
 * MlAppendBase64
 *		Append the base64 of len bytes to buf (no quotes, no line breaks).
 */
void
MlAppendBase64(StringInfo buf, const void *data, int len)
{
	int			enclen = pg_b64_enc_len(len);
	int			n;

	enlargeStringInfo(buf, enclen + 1);
	/* void pointers: the parameter types differ between major versions */
	n = pg_b64_encode((const void *) data, len,
					  (void *) (buf->data + buf->len), enclen);
	if (n < 0)
		elog(ERROR, "could not encode bytes as base64");
	buf->len += n;
	buf->data[buf->len] = '\0';
}

/*
 * MlBase64ToBytea
 *		len bytes of base64 text decoded as a bytea; NULL if not valid
 *		base64 (the caller reports it).
 */
bytea *
MlBase64ToBytea(const char *text, int len)
{
	/* pg_b64_dec_len's len * 3 overflows int for a text over 700 MB */
	int			declen = len / 4 * 3 + 3;
	bytea	   *result = palloc(VARHDRSZ + declen);
	int			n;

	/* void pointers: the parameter types differ between major versions */
	n = pg_b64_decode((const void *) text, len, (void *) VARDATA(result),
					  declen);
	if (n < 0)
	{
		pfree(result);
		return NULL;
	}
	SET_VARSIZE(result, VARHDRSZ + n);
	return result;
}
