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
 * Every row of a deduplicating or caching query gets a key, so the hash
 * is OpenSSL's EVP interface used directly: the identity is hashed once
 * per statement, and each key starts from a copy of that state.  Making a
 * new context per key (pg_cryptohash_create, which in OpenSSL 3 looks the
 * algorithm up again each time) was 11% of the backend's CPU per row in
 * bench/instant_bench.sh.  The two contexts are freed with the memory
 * context the prefix was made in (a reset callback), on error too.
 *
 * IDENTIFICATION
 *	  src/cache/cache_key.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/evp.h>

#include "fmgr.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

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
 * The OpenSSL states of a prefix, in the memory context it was made in,
 * whose reset callback frees them.
 */
typedef struct MlKeyHash
{
	EVP_MD_CTX *hashed;			/* fed the identity */
	EVP_MD_CTX *work;			/* one call's key */
	MemoryContextCallback freeing;
} MlKeyHash;

static void free_hash_states(void *arg);
static void hash_update(EVP_MD_CTX *ctx, const void *data, size_t len);

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
	MlKeyHash  *hash;

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

	hash = MemoryContextAllocZero(CurrentMemoryContext, sizeof(MlKeyHash));
	hash->freeing.func = free_hash_states;
	hash->freeing.arg = hash;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &hash->freeing);
	hash->hashed = EVP_MD_CTX_new();
	hash->work = EVP_MD_CTX_new();
	if (hash->hashed == NULL || hash->work == NULL ||
		!EVP_DigestInit_ex(hash->hashed, EVP_sha256(), NULL))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not compute a call key: SHA-256 is not available")));
	hash_update(hash->hashed, prefix->identity.data, prefix->identity.len);
	prefix->hash = hash;
}

/*
 * free_hash_states
 *		The memory context of a prefix goes: free its OpenSSL states.
 */
static void
free_hash_states(void *arg)
{
	MlKeyHash  *hash = (MlKeyHash *) arg;

	EVP_MD_CTX_free(hash->hashed);
	EVP_MD_CTX_free(hash->work);
	hash->hashed = NULL;
	hash->work = NULL;
}

/*
 * hash_update
 *		Feed bytes to the hash; a failure is an ERROR.
 */
static void
hash_update(EVP_MD_CTX *ctx, const void *data, size_t len)
{
	if (!EVP_DigestUpdate(ctx, data, len))
		elog(ERROR, "could not compute a call key");
}

/*
 * hash_value
 *		One input value, length first.
 */
static void
hash_value(EVP_MD_CTX *ctx, Datum value, int16 typlen, bool typbyval)
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
	EVP_MD_CTX *ctx = prefix->hash->work;
	unsigned int len = 0;

	StaticAssertStmt(ML_CACHE_KEY_LEN == 32, "a call key is a SHA-256");
	if (!EVP_MD_CTX_copy_ex(ctx, prefix->hash->hashed))
		elog(ERROR, "could not compute a call key");
	for (int i = 0; i < prefix->ninputs; i++)
	{
		uint8		isnull = nulls[i] ? 1 : 0;

		hash_update(ctx, &isnull, 1);
		if (!nulls[i])
			hash_value(ctx, values[i], prefix->typlen[i], prefix->typbyval[i]);
	}
	if (!EVP_DigestFinal_ex(ctx, key->bytes, &len) || len != ML_CACHE_KEY_LEN)
		elog(ERROR, "could not compute a call key");
}
