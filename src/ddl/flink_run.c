/*-------------------------------------------------------------------------
 *
 * flink_run.c
 *	  Running a translated Flink statement for mlpredict.execute(), and
 *	  mlpredict.translate(), which shows the translation.
 *
 * The translated text runs through SPI as the calling user (execute() is
 * SECURITY INVOKER), read-write, in the caller's transaction.  Result rows
 * come back as json objects keyed by column name (row_to_json); a
 * statement without rows gives one {"status": ...} row with its row
 * count.  An error raised while the translation runs carries an
 * errcontext line that says so and shows the translated text.
 *
 * IDENTIFICATION
 *	  src/ddl/flink_run.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "ddl/ddl.h"
#include "ddl/flink_query.h"
#include "syntax/script.h"

PG_FUNCTION_INFO_V1(mlpredict_translate);

/* append one json value to the result */
static void
emit_json(ReturnSetInfo *rsinfo, const char *json)
{
	Datum		value = DirectFunctionCall1(json_in, CStringGetDatum(json));
	bool		isnull = false;

	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
}

/* errcontext: the translated text */
static void
translation_context(void *arg)
{
	errcontext("PostgreSQL translation of the statement: %s", (const char *) arg);
}

/* the status line of a statement without rows */
static char *
status_text(FlinkTranslation *t, int ret, uint64 n)
{
	const char *verb;

	switch (ret)
	{
		case SPI_OK_INSERT:
			verb = "inserted";
			break;
		case SPI_OK_UPDATE:
			verb = "updated";
			break;
		case SPI_OK_DELETE:
			verb = "deleted";
			break;
		case SPI_OK_SELINTO:
			verb = "selected";
			break;
		case SPI_OK_SELECT:
			verb = "returned";
			break;
		default:
			if (t->status)
				return t->status;
			verb = "processed";
			break;
	}
	return psprintf(UINT64_FORMAT " row%s %s.", n, n == 1 ? "" : "s", verb);
}

void
FlinkRun(ReturnSetInfo *rsinfo, FlinkTranslation *t)
{
	ErrorContextCallback callback;
	int			ret;
	StringInfoData buf;

	SPI_connect();
	callback.callback = translation_context;
	callback.arg = t->sql;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	ret = SPI_execute(t->sql, false, 0);
	error_context_stack = callback.previous;
	if (ret < 0)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));

	if (SPI_tuptable != NULL)	/* a query, RETURNING or EXPLAIN */
	{
		TupleDesc	desc = BlessTupleDesc(SPI_tuptable->tupdesc);

		for (uint64 i = 0; i < SPI_processed; i++)
		{
			Datum		row = heap_copy_tuple_as_datum(SPI_tuptable->vals[i], desc);
			Datum		json = DirectFunctionCall1(row_to_json, row);

			emit_json(rsinfo, text_to_cstring(DatumGetTextPP(json)));
		}
	}
	else
	{
		initStringInfo(&buf);
		appendStringInfoString(&buf, "{\"status\": ");
		escape_json(&buf, status_text(t, ret, SPI_processed));
		appendStringInfoChar(&buf, '}');
		emit_json(rsinfo, buf.data);
	}
	SPI_finish();
}

/*
 * translate_piece
 *		Append one statement's PostgreSQL text to the StringInfo arg
 *		(DdlScriptForEach's callback).
 */
static void
translate_piece(char *script, DdlScriptPiece *piece, void *arg)
{
	StringInfo	buf = (StringInfo) arg;

	if (buf->len > 0)
		appendStringInfoString(buf, ";\n");
	if (FlinkIsQuery(script, piece->start))
		appendStringInfoString(buf, FlinkTranslate(script, piece->start)->sql);
	else
	{
		(void) DdlParseAt(script, piece->start);
		appendStringInfo(buf, "SELECT * FROM mlpredict.execute(%s)",
						 quote_literal_cstr(script + piece->start));
	}
}

/*
 * mlpredict_translate
 *		The PostgreSQL text of each statement of a script, separated by
 *		";\n": a Flink query's translation, or for a Confluent statement
 *		(CREATE MODEL, ...) the call of mlpredict.execute() that runs it.
 */
Datum
mlpredict_translate(PG_FUNCTION_ARGS)
{
	char	   *script = text_to_cstring(PG_GETARG_TEXT_PP(0));
	List	   *pieces = DdlSplitScript(script);
	StringInfoData buf;

	if (pieces == NIL)
		(void) DdlParse(script);	/* raises "empty statement" */
	initStringInfo(&buf);		/* here, outside the per-statement context */
	DdlScriptForEach(script, pieces, translate_piece, &buf);
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}
