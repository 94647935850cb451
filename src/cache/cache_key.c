/*-------------------------------------------------------------------------
 *
 * cache_key.c
 *	  The key of a model call (see cache.h): SHA-256 over the model
 *	  version's identity and the call's converted input values.
 *
 * The identity is the model's schema, name and version, every option of
 * the version (they shape the request: formats, parameters, prompts), and
 * its connection's name and endpoint; secrets are not in it and never
 * need to be, since the key is only compared.  Each input is fed with its
 * length, so that no two different input lists make the same byte string.
 * Values are compared as bytes after conversion to the INPUT column's
 * type: equal values with different representations (numeric 1.0 and
 * 1.00) get different keys, which costs a call and never a wrong answer.
 * A cryptographic hash, because the response cache is shared by every
 * role allowed to call the model: inputs crafted to collide must not be
 * able to plant an answer for someone else's input.
 *
 * IDENTIFICATION
 *	  src/cache/cache_key.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "fmgr.h"
#include "utils/lsyscache.h"

#include "cache/cache.h"

/*
 * append_field
 *		A length-prefixed field.
 */
static void
append_field(StringInfo buf, const char *data, int len)
{
	uint32		n = (uint32) len;

	appendBinaryStringInfo(buf, (const char *) &n, sizeof(n));
	appendBinaryStringInfo(buf, data, len);
}

static void
append_text(StringInfo buf, const char *text)
{
	if (text == NULL)
		append_field(buf, "\377", 1);	/* not a text anyone can write */
	else
		append_field(buf, text, strlen(text));
}

/*
 * MlKeyPrefixInit
 *		See cache.h.
 */
void
MlKeyPrefixInit(MlKeyPrefix *prefix, MlTarget *target)
{
	MlModel    *model = target->model;
	ListCell   *lc;
	int			i = 0;

	initStringInfo(&prefix->identity);
	append_text(&prefix->identity, "mlpredict call key 1");
	append_text(&prefix->identity, model->schema);
	append_text(&prefix->identity, model->name);
	appendBinaryStringInfo(&prefix->identity, (const char *) &model->version,
						   sizeof(model->version));
	foreach(lc, model->options)
	{
		MlOption   *opt = lfirst(lc);

		append_text(&prefix->identity, opt->key);
		append_text(&prefix->identity, opt->value);
	}
	append_text(&prefix->identity, target->connection->name);
	append_text(&prefix->identity, target->connection->endpoint);

	prefix->ninputs = target->ninputs;
	prefix->typlen = palloc(sizeof(int16) * Max(target->ninputs, 1));
	prefix->typbyval = palloc(sizeof(bool) * Max(target->ninputs, 1));
	foreach(lc, model->input)
	{
		MlColumn   *col = lfirst(lc);

		get_typlenbyval(col->typid, &prefix->typlen[i], &prefix->typbyval[i]);
		i++;
	}
}

/*
 * hash_update
 *		Feed bytes to the hash; a failure is an ERROR (out of memory).
 */
static void
hash_update(pg_cryptohash_ctx *ctx, const void *data, size_t len)
{
	if (pg_cryptohash_update(ctx, (const uint8 *) data, len) < 0)
		elog(ERROR, "could not compute a call key: %s", pg_cryptohash_error(ctx));
}

/*
 * hash_value
 *		One input value, length first.
 */
static void
hash_value(pg_cryptohash_ctx *ctx, Datum value, int16 typlen, bool typbyval)
{
	uint32		len;
	const char *data;
	struct varlena *detoasted = NULL;

	if (typbyval)
	{
		len = sizeof(Datum);
		data = (const char *) &value;
	}
	else if (typlen == -1)
	{
		detoasted = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));
		len = VARSIZE_ANY_EXHDR(detoasted);
		data = VARDATA_ANY(detoasted);
	}
	else if (typlen == -2)
	{
		data = DatumGetCString(value);
		len = strlen(data);
	}
	else
	{
		len = typlen;
		data = DatumGetPointer(value);
	}
	hash_update(ctx, &len, sizeof(len));
	hash_update(ctx, data, len);
	if (detoasted != NULL && (Pointer) detoasted != DatumGetPointer(value))
		pfree(detoasted);
}

/*
 * MlCallKey
 *		See cache.h.
 */
void
MlCallKey(MlKeyPrefix *prefix, Datum *values, bool *nulls, MlCacheKey *key)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not compute a call key: %s", pg_cryptohash_error(ctx));
	hash_update(ctx, prefix->identity.data, prefix->identity.len);
	for (int i = 0; i < prefix->ninputs; i++)
	{
		uint8		isnull = nulls[i] ? 1 : 0;

		hash_update(ctx, &isnull, 1);
		if (!nulls[i])
			hash_value(ctx, values[i], prefix->typlen[i], prefix->typbyval[i]);
	}
	if (pg_cryptohash_final(ctx, key->bytes, ML_CACHE_KEY_LEN) < 0)
		elog(ERROR, "could not compute a call key: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
}
