/*-------------------------------------------------------------------------
 *
 * target.c
 *	  What format and provider hooks read from their MlTarget: the model's
 *	  "<provider>.<suffix>" options, the connection's secrets, and secrets
 *	  masked out of text that came back from the provider.
 *
 * IDENTIFICATION
 *	  src/wire/target.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "http/endpoint_mask.h"
#include "util.h"
#include "wire/target.h"

/*
 * MlTargetOption
 *		The model option "<provider>.<suffix>" of the target's version.
 */
const char *
MlTargetOption(MlTarget *target, const char *suffix)
{
	char	   *key = psprintf("%s.%s", target->provider->name, suffix);

	return MlOptionGet(target->model->options, key);
}

/*
 * MlConnectionSecret
 *		A secret of the target's connection; an error when it has none.
 */
const char *
MlConnectionSecret(MlTarget *target, const char *key)
{
	const char *value = MlOptionGet(target->connection->secrets, key);

	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("connection \"%s\" has no %s", target->connection->name, key),
				 errhint("Set one with ALTER CONNECTION %s SET ('%s' = '...').",
						 target->connection->name, key)));
	return value;
}

/*
 * mask_value
 *		text with every occurrence of secret[0..len) replaced by *****.
 *		Values shorter than 4 bytes are left: they would mask ordinary words.
 */
static char *
mask_value(char *text, const char *secret, size_t len)
{
	StringInfoData buf;
	const char *from = text;
	const char *hit;

	if (len < 4 || memmem(text, strlen(text), secret, len) == NULL)
		return text;
	initStringInfo(&buf);
	while ((hit = memmem(from, strlen(from), secret, len)) != NULL)
	{
		appendBinaryStringInfo(&buf, from, hit - from);
		appendStringInfoString(&buf, "*****");
		from = hit + len;
	}
	appendStringInfoString(&buf, from);
	return buf.data;
}

/*
 * MlMaskSecrets
 *		Copy of text with every secret of the target's connection, and
 *		every credential its endpoint carries in its query string (?code=,
 *		?key=: endpoint_mask.h), replaced by *****.
 */
char *
MlMaskSecrets(MlTarget *target, const char *text)
{
	char	   *result = pstrdup(text ? text : "");
	const char *endpoint = target->connection->endpoint;
	const char *cursor = NULL;
	const char *value;
	size_t		len;
	ListCell   *lc;

	foreach(lc, target->connection->secrets)
	{
		const char *secret = ((MlOption *) lfirst(lc))->value;

		result = mask_value(result, secret, strlen(secret));
	}
	while (endpoint && EndpointNextCredential(endpoint, &cursor, &value, &len))
		result = mask_value(result, value, len);
	return result;
}
