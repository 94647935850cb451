/*-------------------------------------------------------------------------
 *
 * text.c
 *	  The TEXT format (alias TXT): plain text each way.
 *
 * Request: the INPUT columns, which must all be strings (STRING, VARCHAR,
 * CHAR), joined with "\n"; Content-Type text/plain.  Parameters are not
 * sent.
 *
 * Answer: the whole body, unchanged (a trailing line break included), is
 * the value of the single STRING OUTPUT column.
 *
 * IDENTIFICATION
 *	  src/format/text.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "utils/lsyscache.h"

#include "format/format.h"
#include "types/typemap.h"
#include "wire/target.h"

/*
 * is_string
 *		text, varchar or char (and domains over them).
 */
static bool
is_string(const MlColumn *col)
{
	Oid			base = getBaseType(col->typid);

	return base == TEXTOID || base == VARCHAROID || base == BPCHAROID;
}

/*
 * text_check_schema
 *		String inputs; one string output.
 */
static void
text_check_schema(List *input, List *output, const char *which)
{
	ListCell   *lc;

	if (strcmp(which, "output") == 0)
	{
		MlCheckSingleTextOutput(output, "TEXT");
		return;
	}
	foreach(lc, input)
	{
		MlColumn   *col = lfirst(lc);

		if (!is_string(col))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("format TEXT requires STRING INPUT columns, but \"%s\" is %s",
							col->name, col->decl),
					 errhint("Declare the column as STRING and convert the value in SQL, or use format CSV or JSON.")));
	}
}

/*
 * text_encode
 *		The input strings joined with line breaks.
 */
static void
text_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *body)
{
	ListCell   *lc;

	foreach(lc, target->model->input)
	{
		MlColumn   *col = lfirst(lc);
		int			i = foreach_current_index(lc);
		Oid			outfunc;
		bool		isvarlena;

		if (i > 0)
			appendStringInfoChar(&body->data, '\n');
		if (nulls[i])
			continue;
		getTypeOutputInfo(col->typid, &outfunc, &isvarlena);
		appendStringInfoString(&body->data,
							   OidOutputFunctionCall(outfunc, values[i]));
	}
}

/*
 * text_decode
 *		The whole body as the output string.
 */
static void
text_decode(MlTarget *target, MlResponseBody *response, Datum *values,
			bool *nulls)
{
	MlColumn   *col = linitial(target->model->output);
	char	   *text = pg_any_to_server(response->data, response->len, PG_UTF8);
	Oid			infunc;
	Oid			ioparam;

	getTypeInputInfo(col->typid, &infunc, &ioparam);
	values[0] = OidInputFunctionCall(infunc, text, ioparam, col->typmod);
	nulls[0] = false;
}

static const char *const text_aliases[] = {"TXT", NULL};

const MlFormat MlFormatText = {
	"TEXT", text_aliases, ML_FORMAT_PREDICTIVE, "text/plain", NULL,
	text_check_schema, text_encode, text_decode
};
