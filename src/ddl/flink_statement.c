/*-------------------------------------------------------------------------
 *
 * flink_statement.c
 *	  Which statements of execute() are Flink queries, and the entry point
 *	  of their translation: CREATE TABLE (flink_table.c), SELECT
 *	  ML_EVALUATE(...) and every other query (flink_query.c), EXPLAIN of a
 *	  query.
 *
 * IDENTIFICATION
 *	  src/ddl/flink_statement.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "ddl/flink_query.h"
#include "ddl/flink_xlate.h"

/* see flink_query.h */
bool
FlinkIsQuery(const char *script, int start)
{
	DdlLexer	lex;
	DdlToken	tok;
	DdlToken	second;

	DdlLexerInit(&lex, script + start, script, start);
	lex.soft_errors = true;
	DdlLexerNext(&lex, &tok);
	if (DdlTokenIsKeyword(&tok, "EXPLAIN"))
	{
		/* EXPLAIN [...] query; EXPLAIN CONTINUOUS QUERY is parser.c's */
		DdlLexerNext(&lex, &tok);
		if (DdlTokenIsKeyword(&tok, "PLAN") || DdlTokenIsKeyword(&tok, "ESTIMATED_COST") ||
			DdlTokenIsKeyword(&tok, "CHANGELOG_MODE") || DdlTokenIsKeyword(&tok, "PLAN_ADVICE") ||
			DdlTokenIsKeyword(&tok, "JSON_EXECUTION_PLAN"))
			return true;
		if (DdlTokenIsKeyword(&tok, "CREATE"))
			return false;
	}
	if (DdlTokenIsKeyword(&tok, "SELECT") || DdlTokenIsKeyword(&tok, "WITH") ||
		DdlTokenIsKeyword(&tok, "INSERT") || DdlTokenIsKeyword(&tok, "VALUES") ||
		DdlTokenIsPunct(&tok, '('))
		return true;
	if (!DdlTokenIsKeyword(&tok, "CREATE"))
		return false;
	DdlLexerNext(&lex, &second);
	if (DdlTokenIsKeyword(&second, "TEMPORARY") || DdlTokenIsKeyword(&second, "TEMP"))
		DdlLexerNext(&lex, &second);
	return DdlTokenIsKeyword(&second, "TABLE");
}

/* see flink_query.h */
FlinkTranslation *
FlinkTranslate(const char *script, int start)
{
	FlinkXlate	x;
	DdlLexer	lex;
	StringInfoData out;
	FlinkTranslation *t = palloc0(sizeof(FlinkTranslation));

	memset(&x, 0, sizeof(x));
	x.query = script;
	DdlLexerInit(&lex, script + start, script, start);
	lex.join_hyphens = false;
	x.tokens = DdlLexerTokenize(&lex, &x.ntokens);
	x.stop = x.ntokens - 1;
	if (x.stop > 0 && DdlTokenIsPunct(&x.tokens[x.stop - 1], ';'))
		x.stop--;
	initStringInfo(&out);
	x.out = &out;
	x.copied = x.tokens[0].location;

	if (DdlTokenIsKeyword(&x.tokens[0], "EXPLAIN"))
	{
		/*
		 * EXPLAIN [detail, ...] [PLAN FOR] query: PostgreSQL's EXPLAIN of
		 * the translation; like Flink's, without costs unless
		 * ESTIMATED_COST is asked for (the other details are Flink's own)
		 */
		bool		costs = false;

		x.pos = 1;
		while (DdlTokenIsKeyword(FlinkTok(&x, x.pos), "ESTIMATED_COST") ||
			   DdlTokenIsKeyword(FlinkTok(&x, x.pos), "CHANGELOG_MODE") ||
			   DdlTokenIsKeyword(FlinkTok(&x, x.pos), "PLAN_ADVICE") ||
			   DdlTokenIsKeyword(FlinkTok(&x, x.pos), "JSON_EXECUTION_PLAN"))
		{
			costs |= DdlTokenIsKeyword(FlinkTok(&x, x.pos), "ESTIMATED_COST");
			x.pos++;
			if (DdlTokenIsPunct(FlinkTok(&x, x.pos), ','))
				x.pos++;
		}
		if (DdlTokenIsKeyword(FlinkTok(&x, x.pos), "PLAN"))
		{
			if (!DdlTokenIsKeyword(FlinkTok(&x, x.pos + 1), "FOR"))
				FlinkError(&x, FlinkTok(&x, x.pos + 1)->location, ERRCODE_SYNTAX_ERROR,
						   "syntax error: expected EXPLAIN PLAN FOR", NULL);
			x.pos += 2;
		}
		if (x.pos >= x.stop)
			FlinkError(&x, FlinkTok(&x, x.pos)->location, ERRCODE_SYNTAX_ERROR,
					   "syntax error: expected a query after EXPLAIN", NULL);
		x.copied = FlinkTok(&x, x.pos)->location;
		appendStringInfoString(&out, costs ? "EXPLAIN " : "EXPLAIN (COSTS OFF) ");
		FlinkXlateUntil(&x, x.stop);
		t->sql = out.data;
	}
	else if (DdlTokenIsKeyword(&x.tokens[0], "CREATE"))
		t->sql = FlinkTranslateCreateTable(&x, &t->status);
	else if (DdlTokenIsKeyword(&x.tokens[0], "SELECT") && DdlTokenIsKeyword(FlinkTok(&x, 1), "ML_EVALUATE") &&
			 DdlTokenIsPunct(FlinkTok(&x, 2), '('))
		t->sql = FlinkTranslateEvaluate(&x);
	else
	{
		if (DdlTokenIsKeyword(&x.tokens[0], "INSERT") &&
			DdlTokenIsKeyword(FlinkTok(&x, 1), "OVERWRITE"))
			FlinkError(&x, FlinkTok(&x, 1)->location, ERRCODE_FEATURE_NOT_SUPPORTED,
					   "INSERT OVERWRITE is not supported", "Write INSERT INTO.");
		FlinkXlateUntil(&x, x.stop);
		t->sql = out.data;
	}
	return t;
}
