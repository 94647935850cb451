/*-------------------------------------------------------------------------
 *
 * typemap_internal.h
 *	  The column-list parser state and the helpers shared by typemap.c,
 *	  flink_types.c and column_store.c; not for use outside src/types.
 *
 * The token cursor helpers are small static inline functions, so that
 * each parser file reads the token stream the same way.
 *
 * IDENTIFICATION
 *	  src/types/typemap_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_TYPEMAP_INTERNAL_H
#define MLPREDICT_TYPEMAP_INTERNAL_H

#include "lib/stringinfo.h"

#include "syntax/lexer.h"

/* the state of one column-list parse */
typedef struct ColumnParser
{
	DdlLexer	lex;			/* query, base offset, for errors */
	DdlToken   *tokens;
	int			pos;			/* index of the current token */
	int			end;			/* index of the token that ends the list */
	const char *clause;			/* "INPUT" or "OUTPUT" */
	char	   *clause_lower;	/* "input" or "output", for messages */
	int			depth;			/* ARRAY and ROW levels around the type
								 * being parsed (flink_types.c) */
} ColumnParser;

/*
 * Columns of a list, fields of a ROW<...>: far more than anything takes (a
 * call carries 98 INPUT and 1600 OUTPUT columns, a table 1600), and few
 * enough that the duplicate-name checks, which compare each name with
 * those before it, stay quick (a list of 80000 columns took 50 s of
 * uncancellable comparisons before this limit).
 */
#define TYPEMAP_MAX_COLUMNS 10000

/* a parsed type */
typedef struct TypeDesc
{
	char	   *decl;
	Oid			typid;
	int32		typmod;
} TypeDesc;

/* the current token (the end token once the list is exhausted) */
static inline DdlToken *
cur(ColumnParser *cp)
{
	return &cp->tokens[Min(cp->pos, cp->end)];
}

/* the token n places ahead, never past the end token */
static inline DdlToken *
peek(ColumnParser *cp, int n)
{
	return &cp->tokens[Min(cp->pos + n, cp->end)];
}

/* has the whole list been consumed? */
static inline bool
at_end(ColumnParser *cp)
{
	return cp->pos >= cp->end;
}

/* move to the next token, stopping at the end token */
static inline void
advance(ColumnParser *cp)
{
	if (cp->pos < cp->end)
		cp->pos++;
}

/* raise a syntax error at the current token */
static inline _Noreturn void
column_syntax_error(ColumnParser *cp, const char *detail)
{
	DdlSyntaxError(&cp->lex, cur(cp), detail, NULL);
}

/* consume punctuation c if it is the current token */
static inline bool
accept_punct(ColumnParser *cp, char c)
{
	if (at_end(cp) || !DdlTokenIsPunct(cur(cp), c))
		return false;
	advance(cp);
	return true;
}

/* consume punctuation c or raise a syntax error */
static inline void
expect_punct(ColumnParser *cp, char c, const char *detail)
{
	if (!accept_punct(cp, c))
		column_syntax_error(cp, detail);
}

/* consume keyword if it is the current token */
static inline bool
accept_keyword(ColumnParser *cp, const char *keyword)
{
	if (at_end(cp) || !DdlTokenIsKeyword(cur(cp), keyword))
		return false;
	advance(cp);
	return true;
}

/*
 * errposition_at
 *		ereport auxiliary: place the error at tok inside the query.
 */
static inline int
errposition_at(ColumnParser *cp, const DdlToken *tok)
{
	internalerrquery(cp->lex.query);
	return internalerrposition(DdlErrorPosition(cp->lex.query, tok->location));
}

/* in pg_types.c */
extern bool TypemapLookupTypeString(const char *str, Oid *typid,
									int32 *typmod, bool missing_ok);
extern bool TypemapLookupSystemType(const char *str, Oid *typid,
									int32 *typmod, bool missing_ok);
extern void TypemapParsePgType(ColumnParser *cp, TypeDesc *t);

/* in flink_types.c: one type, Flink or PostgreSQL */
extern void TypemapParseType(ColumnParser *cp, TypeDesc *t);
extern void TypemapAppendBackquoted(StringInfo buf, const char *name);

#endif							/* MLPREDICT_TYPEMAP_INTERNAL_H */
