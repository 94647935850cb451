/*-------------------------------------------------------------------------
 *
 * flink_xlate.h
 *	  The token-level rewriter shared by flink_query.c (queries) and
 *	  flink_table.c (CREATE TABLE).
 *
 * The rewriter walks the statement's tokens and builds the PostgreSQL
 * text: the text between tokens (whitespace, comments) is copied as
 * written, ordinary tokens too (`backquoted` identifiers become "double
 * quoted"), and the Flink constructs are replaced.  copied is how far the
 * statement has been copied or replaced, as a byte offset.
 *
 * IDENTIFICATION
 *	  src/ddl/flink_xlate.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_FLINK_XLATE_H
#define MLPREDICT_FLINK_XLATE_H

#include "lib/stringinfo.h"

#include "syntax/lexer.h"

#define FLINK_MAX_DEPTH 64

typedef struct FlinkXlate
{
	const char *query;			/* the script, ending with this statement */
	DdlToken   *tokens;			/* the statement's tokens, then EOF */
	int			ntokens;
	int			stop;			/* index of the EOF or trailing ";" */
	int			pos;			/* the current token */
	StringInfo	out;			/* the PostgreSQL text being built */
	int			copied;			/* bytes of query consumed so far */
	int			depth;			/* parenthesis depth */
	bool		in_from[FLINK_MAX_DEPTH];	/* in a FROM clause, per depth */
	bool		table_pos;		/* the next name is a table name */
} FlinkXlate;

/* the token at index i (the EOF past the end) */
extern DdlToken *FlinkTok(FlinkXlate *x, int i);

/* raise an error with code at byte offset location of the statement */
extern _Noreturn void FlinkError(FlinkXlate *x, int location, int sqlstate,
								 const char *msg, const char *hint);

/* is tok one of the keywords of the NULL-terminated list words? */
extern bool FlinkKeywordIn(const DdlToken *tok, const char *const *words);

/* index of the token closing the bracket opened at index open, or -1 */
extern int	FlinkMatching(FlinkXlate *x, int open);

/* copy the text up to byte offset location, then append s */
extern void FlinkEmitAt(FlinkXlate *x, int location, const char *s);

/* a token as PostgreSQL text (backquotes become double quotes) */
extern char *FlinkTokenText(FlinkXlate *x, const DdlToken *tok);

/*
 * Translate the tokens [x->pos, end) onto x->out; on return x->pos == end
 * and everything up to the end of token end - 1 is copied.
 */
extern void FlinkXlateUntil(FlinkXlate *x, int end);

/* the translation of the tokens [first, end) alone, as a new string */
extern char *FlinkXlateRange(FlinkXlate *x, int first, int end);

/*
 * The name starting at token index i (1 to 3 dotted identifiers; a
 * three-part `env`.`cluster`.`name` means name): its PostgreSQL text and
 * its parts' count; *next receives the index after it.  More than three
 * parts raise 0A000.
 */
extern char *FlinkObjectName(FlinkXlate *x, int i, int *next, List **parts);

/* flink_query.c: SELECT ML_EVALUATE(...) FROM ..., x->pos at SELECT */
extern char *FlinkTranslateEvaluate(FlinkXlate *x);

/* flink_table.c: CREATE [TEMPORARY] TABLE, x->pos at CREATE */
extern char *FlinkTranslateCreateTable(FlinkXlate *x, char **status);

#endif							/* MLPREDICT_FLINK_XLATE_H */
