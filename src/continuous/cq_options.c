/*-------------------------------------------------------------------------
 *
 * cq_options.c
 *	  The options of a continuous query (WITH (...) at create, SET (...)
 *	  at alter, or jsonb in the function forms) and its canonical CREATE
 *	  CONTINUOUS QUERY text.
 *
 * Options are stored as typed jsonb: {"backfill": true, "delete": true,
 * "batch_size": 500, "max_attempts": 5, "provenance_column": "col",
 * "key": "a,b", "runtime_options": "mlpredict.map(...)"}; the last three
 * only when given (runtime_options comes from the model call, not from
 * WITH).  backfill, key and provenance_column shape the query and are
 * fixed at creation.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_options.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "continuous/cq_internal.h"
#include "syntax/lexer.h"
#include "util.h"

#define OPTIONS_HINT "Continuous query options are backfill, delete, batch_size, max_attempts, provenance_column and key."

/* position of an option in its statement, when it came from one */
static int
option_position(MlOption *opt, const char *statement)
{
	if (opt->location < 0 || statement == NULL)
		return 0;
	internalerrquery(statement);
	return internalerrposition(MlErrorPosition(statement, opt->location));
}

static bool
bool_option(MlOption *opt, const char *statement)
{
	bool		b;

	if (!parse_bool(opt->value, &b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be true or false, not \"%s\"", opt->key, opt->value),
				 option_position(opt, statement)));
	return b;
}

static int
int_option(MlOption *opt, const char *statement, int min, int max)
{
	int64		n;

	if (!MlParseInt(opt->value, &n) || n < min || n > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be an integer from %d to %d, not \"%s\"",
						opt->key, min, max, opt->value),
				 option_position(opt, statement)));
	return (int) n;
}

/*
 * ContinuousOptionsJson
 *		Check options and merge them into the current ones (or the
 *		defaults); the result as jsonb text.
 */
char *
ContinuousOptionsJson(List *options, const char *statement, bool for_alter,
					  const char *current_json)
{
	List	   *current = MlOptionsFromJsonText(current_json, "continuous query");
	const char *v;
	bool		backfill = true,
				delete_rows = true;
	int64		batch_size = CQ_DEFAULT_BATCH_SIZE,
				max_attempts = CQ_DEFAULT_MAX_ATTEMPTS;
	const char *provenance = NULL,
			   *key = NULL,
			   *runtime = NULL;
	ListCell   *lc;
	StringInfoData buf;

	if ((v = MlOptionGet(current, "backfill")))
		backfill = strcmp(v, "true") == 0;
	if ((v = MlOptionGet(current, "delete")))
		delete_rows = strcmp(v, "true") == 0;
	if ((v = MlOptionGet(current, "batch_size")))
		(void) MlParseInt(v, &batch_size);
	if ((v = MlOptionGet(current, "max_attempts")))
		(void) MlParseInt(v, &max_attempts);
	provenance = MlOptionGet(current, "provenance_column");
	key = MlOptionGet(current, "key");
	runtime = MlOptionGet(current, "runtime_options");

	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);
		const char *k = opt->key;
		bool		fixed = false;

		if (opt->value == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" needs a value", k),
					 option_position(opt, statement)));
		if (pg_strcasecmp(k, "backfill") == 0)
			backfill = bool_option(opt, statement), fixed = true;
		else if (pg_strcasecmp(k, "delete") == 0)
			delete_rows = bool_option(opt, statement);
		else if (pg_strcasecmp(k, "batch_size") == 0)
			batch_size = int_option(opt, statement, 1, 10000);
		else if (pg_strcasecmp(k, "max_attempts") == 0)
			max_attempts = int_option(opt, statement, 1, 1000);
		else if (pg_strcasecmp(k, "provenance_column") == 0)
			provenance = opt->value, fixed = true;
		else if (pg_strcasecmp(k, "key") == 0)
			key = opt->value, fixed = true;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown continuous query option \"%s\"", k),
					 errhint(OPTIONS_HINT),
					 option_position(opt, statement)));
		if (fixed && for_alter)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("option \"%s\" of a continuous query is fixed at creation", k),
					 errhint("Drop and create the continuous query again to change it."),
					 option_position(opt, statement)));
	}

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"backfill\": %s, \"delete\": %s, \"batch_size\": %d, \"max_attempts\": %d",
					 backfill ? "true" : "false", delete_rows ? "true" : "false",
					 (int) batch_size, (int) max_attempts);
	if (provenance)
	{
		appendStringInfoString(&buf, ", \"provenance_column\": ");
		escape_json(&buf, provenance);
	}
	if (key)
	{
		appendStringInfoString(&buf, ", \"key\": ");
		escape_json(&buf, key);
	}
	if (runtime)
	{
		appendStringInfoString(&buf, ", \"runtime_options\": ");
		escape_json(&buf, runtime);
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * ContinuousCanonicalStatement
 *		CREATE CONTINUOUS QUERY name WITH ('k' = 'v', ...) AS <query>, the
 *		query as written without surrounding space or a final semicolon.
 */
char *
ContinuousCanonicalStatement(const char *name, const char *options_json, const char *query)
{
	List	   *options = MlOptionsFromJsonText(options_json, "continuous query");
	StringInfoData buf;
	ListCell   *lc;
	int			start = 0,
				end = strlen(query);
	bool		first = true;

	while (start < end && isspace((unsigned char) query[start]))
		start++;
	while (end > start && (isspace((unsigned char) query[end - 1]) || query[end - 1] == ';'))
		end--;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE CONTINUOUS QUERY %s WITH (", quote_identifier(name));
	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);

		if (strcmp(opt->key, "runtime_options") == 0)
			continue;			/* written in the query itself */
		appendStringInfo(&buf, "%s%s = %s", first ? "" : ", ",
						 quote_literal_cstr(opt->key), quote_literal_cstr(opt->value));
		first = false;
	}
	appendStringInfo(&buf, ") AS %.*s", end - start, query + start);
	return buf.data;
}

/*
 * ContinuousQueryText
 *		The INSERT ... SELECT of a canonical statement: what follows the AS
 *		after the WITH list.
 */
char *
ContinuousQueryText(const char *statement)
{
	DdlLexer	lex;
	DdlToken   *tokens;
	int			ntokens;
	int			depth = 0;
	int			i;

	DdlLexerInit(&lex, statement, statement, 0);
	lex.soft_errors = true;
	tokens = DdlLexerTokenize(&lex, &ntokens);
	for (i = 0; i < ntokens; i++)
	{
		if (DdlTokenIsPunct(&tokens[i], '('))
			depth++;
		else if (DdlTokenIsPunct(&tokens[i], ')'))
			depth--;
		else if (depth == 0 && DdlTokenIsKeyword(&tokens[i], "AS"))
			return pstrdup(statement + tokens[i].location + tokens[i].length + 1);
	}
	elog(ERROR, "malformed continuous query statement");
}
