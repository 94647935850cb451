/*-------------------------------------------------------------------------
 *
 * script.c
 *	  Splitting a script of several statements (the seed's "CREATE TABLE
 *	  ...; INSERT INTO ...") into its statements, for mlpredict.execute().
 *
 * The split is lexical: a ";" token outside parentheses and brackets ends
 * a statement, and the lexer already skips quoted text and comments.
 * Pieces keep their byte offsets in the script, so each statement is then
 * parsed in place and its errors point into the text the user wrote.
 * Flink's EXECUTE STATEMENT SET BEGIN ...; ...; END wrapper is dropped:
 * the statements inside are pieces like any others.
 *
 * IDENTIFICATION
 *	  src/syntax/script.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#include "syntax/lexer.h"
#include "syntax/script.h"

/* append the piece [start, end) */
static List *
add_piece(List *pieces, int start, int end)
{
	DdlScriptPiece *piece = palloc(sizeof(DdlScriptPiece));

	piece->start = start;
	piece->end = end;
	return lappend(pieces, piece);
}

/*
 * statement_set_begin
 *		If tokens[i] starts Flink's EXECUTE STATEMENT SET BEGIN, the index
 *		of the token after BEGIN; else i.
 */
static int
statement_set_begin(DdlToken *tokens, int ntokens, int i)
{
	if (i + 4 < ntokens && DdlTokenIsKeyword(&tokens[i], "EXECUTE") &&
		DdlTokenIsKeyword(&tokens[i + 1], "STATEMENT") &&
		DdlTokenIsKeyword(&tokens[i + 2], "SET") &&
		DdlTokenIsKeyword(&tokens[i + 3], "BEGIN"))
		return i + 4;
	return i;
}

/*
 * DdlSplitScript
 *		The statements of script (see script.h).
 */
List *
DdlSplitScript(const char *script)
{
	DdlLexer	lex;
	DdlToken   *tokens;
	int			ntokens;
	List	   *pieces = NIL;
	int			depth = 0;
	int			start = -1;		/* first token of the current piece */
	int			last_end = 0;	/* end of its last token */
	bool		in_set = false; /* inside EXECUTE STATEMENT SET BEGIN */

	DdlLexerInit(&lex, script, script, 0);
	lex.soft_errors = true;
	lex.join_hyphens = false;
	tokens = DdlLexerTokenize(&lex, &ntokens);
	for (int i = 0; i < ntokens; i++)
	{
		DdlToken   *tok;

		/*
		 * EXECUTE STATEMENT SET BEGIN stmt; ... END: the statements inside
		 * run like any others (a script is one transaction anyway)
		 */
		if (start < 0 && depth == 0)
		{
			int			body = statement_set_begin(tokens, ntokens, i);

			in_set |= body != i;
			i = body;
			if (in_set && DdlTokenIsKeyword(&tokens[i], "END") &&
				(tokens[i + 1].kind == DDL_TOKEN_EOF || DdlTokenIsPunct(&tokens[i + 1], ';')))
			{
				in_set = false;
				continue;
			}
		}
		tok = &tokens[i];

		if (tok->kind == DDL_TOKEN_ERROR)
		{
			/* the rest is one piece; its parser raises the error */
			pieces = add_piece(pieces, start >= 0 ? start : tok->location,
							   strlen(script));
			return pieces;
		}
		if (tok->kind == DDL_TOKEN_EOF)
			break;
		if (DdlTokenIsPunct(tok, ';') && depth == 0)
		{
			if (start >= 0)
				pieces = add_piece(pieces, start, tok->location + 1);
			start = -1;
			continue;
		}
		if (start < 0)
			start = tok->location;
		if (DdlTokenIsPunct(tok, '(') || DdlTokenIsPunct(tok, '['))
			depth++;
		else if ((DdlTokenIsPunct(tok, ')') || DdlTokenIsPunct(tok, ']')) && depth > 0)
			depth--;
		last_end = tok->location + tok->length;
	}
	if (start >= 0)
		pieces = add_piece(pieces, start, last_end);
	return pieces;
}

/*
 * DdlScriptForEach
 *		See script.h.
 */
void
DdlScriptForEach(char *script, List *pieces, DdlScriptPieceFn fn, void *arg)
{
	MemoryContext statement_cxt = AllocSetContextCreate(CurrentMemoryContext,
														"mlpredict script statement",
														ALLOCSET_DEFAULT_SIZES);
	MemoryContext outer = MemoryContextSwitchTo(statement_cxt);
	ListCell   *lc;

	foreach(lc, pieces)
	{
		DdlScriptPiece *piece = lfirst(lc);
		char		saved = script[piece->end];

		script[piece->end] = '\0';
		fn(script, piece, arg);
		script[piece->end] = saved;
		MemoryContextReset(statement_cxt);
		CHECK_FOR_INTERRUPTS();
	}
	MemoryContextSwitchTo(outer);
	MemoryContextDelete(statement_cxt);
}
