/*-------------------------------------------------------------------------
 *
 * flink_table.c
 *	  Translating Flink's CREATE TABLE into PostgreSQL's.
 *
 *	  CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name
 *		  [( column type [NOT NULL] [PRIMARY KEY NOT ENFORCED] [COMMENT 'c'],
 *			 ...
 *			 [, [CONSTRAINT c] PRIMARY KEY (cols) NOT ENFORCED]
 *			 [, WATERMARK FOR col AS expr] )]
 *		  [COMMENT 'c'] [PARTITIONED BY (...)]
 *		  [DISTRIBUTED BY [HASH] (...) [INTO n BUCKETS] | DISTRIBUTED INTO n BUCKETS]
 *		  [WITH ('key' = 'value', ...)] [AS query]
 *
 * Column types are Flink's (STRING, VARCHAR(2147483647), BIGINT, INT,
 * DOUBLE, ARRAY<FLOAT>, MAP<...>, ROW<...>, TIMESTAMP(3), ...) or
 * PostgreSQL's, mapped by types/ (as in CREATE MODEL).  The table is a
 * plain PostgreSQL table: PRIMARY KEY ... NOT ENFORCED becomes an enforced
 * primary key; the watermark, comments, partitioning, distribution and the
 * connector options of WITH (...) have no meaning here and are dropped.
 * A three-part name means its last part.  Computed and METADATA columns
 * and CREATE TABLE ... LIKE are refused with 0A000.
 *
 * IDENTIFICATION
 *	  src/ddl/flink_table.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "ddl/flink_xlate.h"
#include "types/typemap.h"

/* words that end a column's type */
static const char *const type_end[] = {
	"NOT", "NULL", "PRIMARY", "COMMENT", "METADATA", "CONSTRAINT", "VIRTUAL", NULL
};

/* raise a syntax error at token i */
static _Noreturn void
syntax_error_at(FlinkXlate *x, int i, const char *msg)
{
	FlinkError(x, FlinkTok(x, i)->location, ERRCODE_SYNTAX_ERROR, msg, NULL);
}

/* consume keyword at *i when present */
static bool
accept(FlinkXlate *x, int *i, const char *keyword)
{
	if (!DdlTokenIsKeyword(FlinkTok(x, *i), keyword))
		return false;
	(*i)++;
	return true;
}

/* the index after the bracket opened at i ("(" or "[") */
static int
skip_brackets(FlinkXlate *x, int i)
{
	int			close;

	if (!DdlTokenIsPunct(FlinkTok(x, i), '('))
		syntax_error_at(x, i, "syntax error: expected \"(\"");
	close = FlinkMatching(x, i);
	if (close < 0)
		syntax_error_at(x, i, "syntax error: unterminated parentheses");
	return close + 1;
}

/* the index of the next "," or ")" at depth 0 from i, before end */
static int
element_end(FlinkXlate *x, int i, int end)
{
	int			depth = 0;

	for (; i < end; i++)
	{
		DdlToken   *tok = FlinkTok(x, i);

		if (DdlTokenIsPunct(tok, '(') || DdlTokenIsPunct(tok, '[') || DdlTokenIsPunct(tok, '<'))
			depth++;
		else if (DdlTokenIsPunct(tok, ')') || DdlTokenIsPunct(tok, ']') || DdlTokenIsPunct(tok, '>'))
			depth--;
		else if (depth == 0 && DdlTokenIsPunct(tok, ','))
			return i;
	}
	return end;
}

/* "(a, b)" at i as PostgreSQL text; *next after it */
static char *
column_list(FlinkXlate *x, int i, int *next)
{
	*next = skip_brackets(x, i);
	return psprintf("(%s)", FlinkXlateRange(x, i + 1, *next - 1));
}

/* PRIMARY KEY (cols) [NOT ENFORCED] at i, before end */
static char *
primary_key(FlinkXlate *x, int i, int end)
{
	char	   *cols;

	i += 2;
	cols = column_list(x, i, &i);
	if (accept(x, &i, "NOT") && !accept(x, &i, "ENFORCED"))
		syntax_error_at(x, i, "syntax error: expected NOT ENFORCED");
	if (i != end)
		syntax_error_at(x, i, "syntax error at the end of the primary key");
	return psprintf("PRIMARY KEY %s", cols);
}

/*
 * table_only_type
 *		The PostgreSQL type of the Flink types that tables may have but
 *		models may not (so types/ refuses them): TIMESTAMP[(p)] [WITH[OUT]
 *		[LOCAL] TIME ZONE], TIMESTAMP_LTZ[(p)], MAP<...> and MULTISET<...>
 *		(as jsonb), INTERVAL ...; the type is tokens [i, end).  NULL for
 *		any other type.
 */
static char *
table_only_type(FlinkXlate *x, int i, int end)
{
	DdlToken   *tok = FlinkTok(x, i);
	bool		ltz = DdlTokenIsKeyword(tok, "TIMESTAMP_LTZ");
	int			precision = 6;

	if ((DdlTokenIsKeyword(tok, "MAP") || DdlTokenIsKeyword(tok, "MULTISET")) &&
		DdlTokenIsPunct(FlinkTok(x, i + 1), '<') && DdlTokenIsPunct(FlinkTok(x, end - 1), '>'))
		return "jsonb";
	if (DdlTokenIsKeyword(tok, "INTERVAL"))
		return "interval";
	if (!ltz && !DdlTokenIsKeyword(tok, "TIMESTAMP"))
		return NULL;
	i++;
	if (DdlTokenIsPunct(FlinkTok(x, i), '('))
	{
		if (FlinkTok(x, i + 1)->kind != DDL_TOKEN_NUMBER || !DdlTokenIsPunct(FlinkTok(x, i + 2), ')'))
			syntax_error_at(x, i + 1, "syntax error: expected the precision of TIMESTAMP");
		precision = Min(atoi(FlinkTok(x, i + 1)->value), 6);
		i += 3;
	}
	if (!ltz && accept(x, &i, "WITH"))
	{
		(void) accept(x, &i, "LOCAL");
		if (!accept(x, &i, "TIME") || !accept(x, &i, "ZONE"))
			syntax_error_at(x, i, "syntax error: expected WITH [LOCAL] TIME ZONE");
		ltz = true;
	}
	else if (!ltz && accept(x, &i, "WITHOUT"))
	{
		if (!accept(x, &i, "TIME") || !accept(x, &i, "ZONE"))
			syntax_error_at(x, i, "syntax error: expected WITHOUT TIME ZONE");
	}
	if (i != end)
		syntax_error_at(x, i, "syntax error at the end of the TIMESTAMP type");
	return psprintf("%s(%d)", ltz ? "timestamptz" : "timestamp", precision);
}

/* one column definition [i, end) */
static char *
column_def(FlinkXlate *x, int i, int end)
{
	int			t = i + 1;
	int			depth = 0;
	List	   *cols;
	MlColumn   *col;
	char	   *pgtype;
	StringInfoData buf;

	if (DdlTokenIsKeyword(FlinkTok(x, t), "AS"))
		FlinkError(x, FlinkTok(x, i)->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   "computed columns are not supported",
				   "Compute the value in the query that reads the table.");
	for (; t < end; t++)
	{
		DdlToken   *tok = FlinkTok(x, t);

		if (DdlTokenIsPunct(tok, '(') || DdlTokenIsPunct(tok, '<'))
			depth++;
		else if (DdlTokenIsPunct(tok, ')') || DdlTokenIsPunct(tok, '>'))
			depth--;
		else if (depth == 0 && FlinkKeywordIn(tok, type_end))
			break;
	}
	if (t == i + 1)
		syntax_error_at(x, t, "syntax error: expected a column type");
	initStringInfo(&buf);
	if ((pgtype = table_only_type(x, i + 1, t)) != NULL)
		appendStringInfo(&buf, "%s %s", FlinkTokenText(x, FlinkTok(x, i)), pgtype);
	else
	{
	cols = MlParseColumns(pnstrdup(x->query + FlinkTok(x, i)->location,
								   FlinkTok(x, t - 1)->location + FlinkTok(x, t - 1)->length -
								   FlinkTok(x, i)->location),
						  "CREATE TABLE", x->query, FlinkTok(x, i)->location);
	col = linitial(cols);
	appendStringInfo(&buf, "%s %s", quote_identifier(col->name), col->pgtype);
	}
	while (t < end)
	{
		if (DdlTokenIsKeyword(FlinkTok(x, t), "METADATA") ||
			DdlTokenIsKeyword(FlinkTok(x, t), "VIRTUAL"))
			FlinkError(x, FlinkTok(x, t)->location, ERRCODE_FEATURE_NOT_SUPPORTED,
					   "METADATA columns are not supported", NULL);
		if (accept(x, &t, "NOT"))
		{
			if (!accept(x, &t, "NULL"))
				syntax_error_at(x, t, "syntax error: expected NOT NULL");
			appendStringInfoString(&buf, " NOT NULL");
		}
		else if (accept(x, &t, "NULL"))
			appendStringInfoString(&buf, " NULL");
		else if (accept(x, &t, "PRIMARY"))
		{
			if (!accept(x, &t, "KEY"))
				syntax_error_at(x, t, "syntax error: expected PRIMARY KEY");
			if (accept(x, &t, "NOT") && !accept(x, &t, "ENFORCED"))
				syntax_error_at(x, t, "syntax error: expected NOT ENFORCED");
			appendStringInfoString(&buf, " PRIMARY KEY");
		}
		else if (accept(x, &t, "COMMENT") && FlinkTok(x, t)->kind == DDL_TOKEN_STRING)
			t++;
		else
			syntax_error_at(x, t, "syntax error in the column definition");
	}
	return buf.data;
}

/* the element list between the parentheses open and close */
static char *
elements(FlinkXlate *x, int open, int close)
{
	StringInfoData buf;
	int			i = open + 1;

	initStringInfo(&buf);
	while (i < close)
	{
		int			end = element_end(x, i, close);
		DdlToken   *tok = FlinkTok(x, i);
		char	   *def = NULL;

		if (end == i)
			syntax_error_at(x, i, "syntax error: expected a column definition");
		if (DdlTokenIsKeyword(tok, "WATERMARK"))
			def = NULL;			/* no event time here: dropped */
		else if (DdlTokenIsKeyword(tok, "PRIMARY") &&
				 DdlTokenIsKeyword(FlinkTok(x, i + 1), "KEY"))
			def = primary_key(x, i, end);
		else if (DdlTokenIsKeyword(tok, "CONSTRAINT") &&
				 DdlTokenIsKeyword(FlinkTok(x, i + 2), "PRIMARY"))
			def = psprintf("CONSTRAINT %s %s", FlinkTokenText(x, FlinkTok(x, i + 1)),
						   primary_key(x, i + 2, end));
		else if (DdlTokenIsKeyword(tok, "LIKE"))
			FlinkError(x, tok->location, ERRCODE_FEATURE_NOT_SUPPORTED,
					   "CREATE TABLE ... LIKE is not supported", NULL);
		else if (DdlTokenIsIdent(tok))
			def = column_def(x, i, end);
		else
			syntax_error_at(x, i, "syntax error: expected a column definition");
		if (def)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", def);
		i = end + 1;
	}
	if (buf.len == 0)
		syntax_error_at(x, close, "syntax error: a table needs at least one column");
	return buf.data;
}

/* skip the clauses after the element list that have no meaning here */
static int
skip_table_options(FlinkXlate *x, int i)
{
	for (;;)
	{
		if (accept(x, &i, "COMMENT"))
		{
			if (FlinkTok(x, i)->kind != DDL_TOKEN_STRING)
				syntax_error_at(x, i, "syntax error: expected a string after COMMENT");
			i++;
		}
		else if (accept(x, &i, "PARTITIONED"))
		{
			if (!accept(x, &i, "BY"))
				syntax_error_at(x, i, "syntax error: expected PARTITIONED BY");
			i = skip_brackets(x, i);
		}
		else if (accept(x, &i, "DISTRIBUTED"))
		{
			if (accept(x, &i, "BY"))
			{
				(void) accept(x, &i, "HASH");
				i = skip_brackets(x, i);
			}
			if (accept(x, &i, "INTO"))
			{
				if (FlinkTok(x, i)->kind != DDL_TOKEN_NUMBER || !DdlTokenIsKeyword(FlinkTok(x, i + 1), "BUCKETS"))
					syntax_error_at(x, i, "syntax error: expected INTO n BUCKETS");
				i += 2;
			}
		}
		else if (accept(x, &i, "WITH"))
			i = skip_brackets(x, i);
		else
			return i;
	}
}

char *
FlinkTranslateCreateTable(FlinkXlate *x, char **status)
{
	int			i = 1;
	bool		temporary = false;
	bool		if_not_exists = false;
	char	   *name;
	List	   *parts;
	char	   *cols = NULL;
	StringInfoData buf;

	if (accept(x, &i, "TEMPORARY") || accept(x, &i, "TEMP"))
		temporary = true;
	(void) accept(x, &i, "TABLE");
	if (DdlTokenIsKeyword(FlinkTok(x, i), "IF"))
	{
		i++;
		if (!accept(x, &i, "NOT") || !accept(x, &i, "EXISTS"))
			syntax_error_at(x, i, "syntax error: expected IF NOT EXISTS");
		if_not_exists = true;
	}
	name = FlinkObjectName(x, i, &i, &parts);
	if (DdlTokenIsKeyword(FlinkTok(x, i), "LIKE"))
		FlinkError(x, FlinkTok(x, i)->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   "CREATE TABLE ... LIKE is not supported", NULL);
	if (DdlTokenIsPunct(FlinkTok(x, i), '('))
	{
		int			close = FlinkMatching(x, i);

		if (close < 0)
			syntax_error_at(x, i, "syntax error: unterminated column list");
		cols = elements(x, i, close);
		i = close + 1;
	}
	i = skip_table_options(x, i);

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE %sTABLE %s%s", temporary ? "TEMPORARY " : "",
					 if_not_exists ? "IF NOT EXISTS " : "", name);
	if (cols)
		appendStringInfo(&buf, " (%s)", cols);
	if (accept(x, &i, "AS"))
	{
		if (i >= x->stop)
			syntax_error_at(x, i, "syntax error: expected a query after AS");
		appendStringInfo(&buf, " AS %s", FlinkXlateRange(x, i, x->stop));
		i = x->stop;
	}
	else if (!cols)
		syntax_error_at(x, i, "syntax error: expected a column list or AS query");
	if (i != x->stop)
		syntax_error_at(x, i, "syntax error at the end of CREATE TABLE");
	*status = psprintf("Table %s created.", name);
	return buf.data;
}
