/*-------------------------------------------------------------------------
 *
 * lexer.h
 *	  Tokenizer for Confluent/Flink-style statement text: the DDL accepted
 *	  by mlpredict.execute(), model column lists, and (later) SELECT
 *	  statements that are rewritten around ML_PREDICT.
 *
 * A lexer works on one NUL-terminated text.  That text may be a piece of a
 * larger "query" (for instance the column list between the parentheses of
 * INPUT (...) inside a CREATE MODEL statement): every token location is a
 * byte offset into the query, and error positions point into the query, so
 * users see the error marked in the statement they wrote.
 *
 * Token kinds:
 *	  word			unquoted identifier or keyword: letters, digits, "_", "$"
 *					and non-ASCII bytes; a "-" between two such characters
 *					belongs to the word (bedrock-cli-connection)
 *	  quoted ident	`text` or "text"; a doubled quote character escapes it
 *	  string		'text'; a doubled '' escapes a quote
 *	  number		42, -7, 0.5, 1e-3
 *	  punct			any other single ASCII character: ( ) , = ; . < > [ ] *
 * Whitespace, "-- comments" and C-style comments are skipped.
 *
 * IDENTIFICATION
 *	  src/syntax/lexer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_LEXER_H
#define MLPREDICT_LEXER_H

#include "mlpredict.h"

typedef enum DdlTokenKind
{
	DDL_TOKEN_EOF = 0,			/* end of the text */
	DDL_TOKEN_WORD,				/* unquoted identifier or keyword */
	DDL_TOKEN_QUOTED_IDENT,		/* `ident` or "ident" */
	DDL_TOKEN_STRING,			/* 'literal' */
	DDL_TOKEN_NUMBER,			/* integer or decimal, optional leading - */
	DDL_TOKEN_PUNCT,			/* one ASCII punctuation character */
	DDL_TOKEN_ERROR				/* lexical error, only with soft_errors */
} DdlTokenKind;

typedef struct DdlToken
{
	DdlTokenKind kind;
	int			location;		/* byte offset of the token in the query */
	int			length;			/* bytes of source text, quotes included */

	/*
	 * Word: as written (not case-folded).  Quoted identifier and string:
	 * the unescaped contents.  Number: as written.  Punct: the character.
	 * EOF and error: "".  Always palloc'd and NUL-terminated.
	 */
	char	   *value;
	char		quote;			/* '`', '"' or '\'' for quoted tokens, else 0 */
} DdlToken;

typedef struct DdlLexer
{
	const char *text;			/* text being tokenized */
	int			textlen;
	int			pos;			/* next byte of text to scan */
	const char *query;			/* whole text, for error reports */
	int			base;			/* byte offset of text inside query */
	bool		soft_errors;	/* return DDL_TOKEN_ERROR instead of raising */
	bool		join_hyphens;	/* "a-b" is one word (default true); clear
								 * it to lex SQL expressions such as x-1 */
	bool		have_peek;
	DdlToken	peeked;
} DdlLexer;

/*
 * Set up a lexer for text, which starts at byte offset base of query.  Pass
 * query = NULL (or text) and base = 0 when the text stands alone.  The
 * caller may then change soft_errors and join_hyphens.
 */
extern void DdlLexerInit(DdlLexer *lex, const char *text, const char *query,
						 int base);

/* scan the next token into *tok; raises ERROR on lexical errors */
extern void DdlLexerNext(DdlLexer *lex, DdlToken *tok);

/* the token the next DdlLexerNext call will return */
extern const DdlToken *DdlLexerPeek(DdlLexer *lex);

/*
 * Tokenize the whole text into a palloc'd array; the last element is the
 * EOF (or, with soft_errors, ERROR) token and *ntokens counts it.
 */
extern DdlToken *DdlLexerTokenize(DdlLexer *lex, int *ntokens);

/* source text of a token as written, quotes included (palloc'd) */
extern char *DdlTokenSource(const DdlLexer *lex, const DdlToken *tok);

/* token tests; keywords match unquoted words only, case-insensitively */
extern bool DdlTokenIsKeyword(const DdlToken *tok, const char *keyword);
extern bool DdlTokenIsPunct(const DdlToken *tok, char c);
extern bool DdlTokenIsIdent(const DdlToken *tok);

/*
 * The identifier a word or quoted-identifier token stands for: unquoted
 * words are folded to lower case, quoted ones are kept as written.
 */
extern char *DdlTokenIdentifier(const DdlToken *tok);

/* 1-based character position of byte offset location in query */
extern int	DdlErrorPosition(const char *query, int location);

/*
 * Raise "syntax error at or near ..." (or "at end of input") at tok, with
 * optional detail and hint sentences.
 */
extern _Noreturn void DdlSyntaxError(const DdlLexer *lex, const DdlToken *tok,
									 const char *detail, const char *hint);

#endif							/* MLPREDICT_LEXER_H */
