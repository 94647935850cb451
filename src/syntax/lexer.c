/*-------------------------------------------------------------------------
 *
 * lexer.c
 *	  Tokenizer for Confluent/Flink-style statement text.
 *
 * This file owns the lexical rules shared by the DDL parser (parser.c),
 * the model column-list parser (types/typemap.c) and anything else that
 * needs to walk statement text token by token: what a word, a quoted
 * identifier, a string literal and a number are, how comments are
 * skipped, how identifiers are case-folded, and how a syntax error is
 * reported with its position.  See lexer.h for the token kinds.
 *
 * All memory is palloc'd in CurrentMemoryContext.
 *
 * IDENTIFICATION
 *	  src/syntax/lexer.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "parser/scansup.h"

#include "syntax/lexer.h"

/* the lexical errors a lexer can meet */
typedef enum DdlLexError
{
	LEX_UNTERMINATED_STRING,
	LEX_UNTERMINATED_IDENT,
	LEX_UNTERMINATED_COMMENT,
	LEX_EMPTY_IDENT
} DdlLexError;

static void scan_token(DdlLexer *lex, DdlToken *tok);
static bool skip_blanks(DdlLexer *lex);
static void scan_quoted(DdlLexer *lex, DdlToken *tok);
static void scan_number(DdlLexer *lex, DdlToken *tok);
static void scan_word(DdlLexer *lex, DdlToken *tok);
static void lexical_error(DdlLexer *lex, DdlToken *tok, int start,
						  DdlLexError error);

/*
 * is_word_char
 *		Characters an unquoted word is made of.  Bytes of multibyte
 *		characters count as letters, as in PostgreSQL's own scanner.
 */
static inline bool
is_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

/* ASCII decimal digit test that is safe for signed chars */
static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* whitespace as the SQL scanner sees it */
static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

/*
 * DdlLexerInit
 *		Prepare lex to tokenize text, which lives at byte offset base of
 *		query.  Errors are raised unless the caller sets lex->soft_errors.
 */
void
DdlLexerInit(DdlLexer *lex, const char *text, const char *query, int base)
{
	memset(lex, 0, sizeof(DdlLexer));
	lex->text = text;
	lex->textlen = strlen(text);
	lex->pos = 0;
	lex->query = query ? query : text;
	lex->base = query ? base : 0;
	lex->soft_errors = false;
	lex->join_hyphens = true;
	lex->have_peek = false;
}

/*
 * DdlLexerNext
 *		Return the next token in *tok.  After the end of the text, every
 *		call returns an EOF token.
 */
void
DdlLexerNext(DdlLexer *lex, DdlToken *tok)
{
	if (lex->have_peek)
	{
		*tok = lex->peeked;
		lex->have_peek = false;
		return;
	}
	scan_token(lex, tok);
}

/*
 * DdlLexerPeek
 *		Look at the next token without consuming it.  The result stays
 *		valid until the next DdlLexerNext call.
 */
const DdlToken *
DdlLexerPeek(DdlLexer *lex)
{
	if (!lex->have_peek)
	{
		scan_token(lex, &lex->peeked);
		lex->have_peek = true;
	}
	return &lex->peeked;
}

/*
 * DdlLexerTokenize
 *		Scan all remaining tokens into an array that ends with the EOF (or
 *		soft ERROR) token.
 */
DdlToken *
DdlLexerTokenize(DdlLexer *lex, int *ntokens)
{
	int			n = 0;
	int			size = 16;
	DdlToken   *tokens = palloc(size * sizeof(DdlToken));

	for (;;)
	{
		if (n >= size)
		{
			size *= 2;
			tokens = repalloc(tokens, size * sizeof(DdlToken));
		}
		DdlLexerNext(lex, &tokens[n]);
		n++;
		if (tokens[n - 1].kind == DDL_TOKEN_EOF ||
			tokens[n - 1].kind == DDL_TOKEN_ERROR)
			break;
	}
	*ntokens = n;
	return tokens;
}

/*
 * scan_token
 *		The scanner proper: skip blanks and comments, then dispatch on the
 *		first character of the token.
 */
static void
scan_token(DdlLexer *lex, DdlToken *tok)
{
	const char *s = lex->text;
	int			start;
	char		c;

	tok->quote = 0;
	if (!skip_blanks(lex))
	{
		lexical_error(lex, tok, lex->pos, LEX_UNTERMINATED_COMMENT);
		return;
	}
	start = lex->pos;
	tok->location = lex->base + start;
	if (start >= lex->textlen)
	{
		tok->kind = DDL_TOKEN_EOF;
		tok->length = 0;
		tok->value = pstrdup("");
		return;
	}

	c = s[start];
	if (c == '\'' || c == '"' || c == '`')
		scan_quoted(lex, tok);
	else if (is_digit(c) ||
			 (c == '-' && start + 1 < lex->textlen && is_digit(s[start + 1])))
		scan_number(lex, tok);
	else if (is_word_char((unsigned char) c))
		scan_word(lex, tok);
	else
	{
		tok->kind = DDL_TOKEN_PUNCT;
		tok->length = 1;
		tok->value = pnstrdup(s + start, 1);
		lex->pos = start + 1;
	}
}

/*
 * skip_blanks
 *		Advance past whitespace and comments.  Returns false, with lex->pos
 *		at the comment start, for an unterminated C-style comment.
 */
static bool
skip_blanks(DdlLexer *lex)
{
	const char *s = lex->text;
	int			len = lex->textlen;

	for (;;)
	{
		int			p = lex->pos;

		if (p < len && is_space(s[p]))
			lex->pos++;
		else if (p + 1 < len && s[p] == '-' && s[p + 1] == '-')
		{
			while (lex->pos < len && s[lex->pos] != '\n')
				lex->pos++;
		}
		else if (p + 1 < len && s[p] == '/' && s[p + 1] == '*')
		{
			const char *end = strstr(s + p + 2, "*/");

			if (end == NULL)
				return false;
			lex->pos = (end - s) + 2;
		}
		else
			return true;
	}
}

/*
 * scan_quoted
 *		A string literal or a quoted identifier; the quote character is
 *		escaped by doubling it.
 */
static void
scan_quoted(DdlLexer *lex, DdlToken *tok)
{
	const char *s = lex->text;
	int			start = lex->pos;
	char		quote = s[start];
	int			p = start + 1;
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		if (p >= lex->textlen)
		{
			lexical_error(lex, tok, start, quote == '\'' ?
						  LEX_UNTERMINATED_STRING : LEX_UNTERMINATED_IDENT);
			return;
		}
		if (s[p] == quote)
		{
			if (p + 1 < lex->textlen && s[p + 1] == quote)
			{
				appendStringInfoChar(&buf, quote);
				p += 2;
				continue;
			}
			p++;
			break;
		}
		appendStringInfoChar(&buf, s[p]);
		p++;
	}

	lex->pos = p;
	tok->kind = quote == '\'' ? DDL_TOKEN_STRING : DDL_TOKEN_QUOTED_IDENT;
	tok->quote = quote;
	tok->length = p - start;
	tok->value = buf.data;
	if (tok->kind == DDL_TOKEN_QUOTED_IDENT && buf.len == 0)
		lexical_error(lex, tok, start, LEX_EMPTY_IDENT);
}

/*
 * scan_number
 *		An integer or decimal number with an optional sign and exponent.  An
 *		unsigned integer that runs straight into letters (2fa-connection) is
 *		a word instead.
 */
static void
scan_number(DdlLexer *lex, DdlToken *tok)
{
	const char *s = lex->text;
	int			len = lex->textlen;
	int			start = lex->pos;
	int			p = start;
	bool		plain = true;

	if (s[p] == '-')
	{
		p++;
		plain = false;
	}
	while (p < len && is_digit(s[p]))
		p++;
	if (p + 1 < len && s[p] == '.' && is_digit(s[p + 1]))
	{
		plain = false;
		p++;
		while (p < len && is_digit(s[p]))
			p++;
	}
	if (p < len && (s[p] == 'e' || s[p] == 'E'))
	{
		int			q = p + 1;

		if (q < len && (s[q] == '+' || s[q] == '-'))
			q++;
		if (q < len && is_digit(s[q]))
		{
			plain = false;
			p = q;
			while (p < len && is_digit(s[p]))
				p++;
		}
	}

	if (plain && p < len &&
		(is_word_char((unsigned char) s[p]) ||
		 (lex->join_hyphens && s[p] == '-' && p + 1 < len &&
		  is_word_char((unsigned char) s[p + 1]))))
	{
		scan_word(lex, tok);
		return;
	}

	tok->kind = DDL_TOKEN_NUMBER;
	tok->length = p - start;
	tok->value = pnstrdup(s + start, p - start);
	lex->pos = p;
}

/*
 * scan_word
 *		An unquoted word.  A "-" continues the word only when a word
 *		character follows it, so "a-b" is one word but "a -b" and "a--b"
 *		are not (and with join_hyphens off, no "-" does).
 */
static void
scan_word(DdlLexer *lex, DdlToken *tok)
{
	const char *s = lex->text;
	int			len = lex->textlen;
	int			start = lex->pos;
	int			p = start;

	while (p < len)
	{
		if (is_word_char((unsigned char) s[p]))
			p++;
		else if (lex->join_hyphens && s[p] == '-' && p + 1 < len &&
				 is_word_char((unsigned char) s[p + 1]))
			p += 2;
		else
			break;
	}

	tok->kind = DDL_TOKEN_WORD;
	tok->length = p - start;
	tok->value = pnstrdup(s + start, p - start);
	lex->pos = p;
}

/*
 * lexical_error
 *		Report a lexical error that starts at byte start of the text.  With
 *		soft_errors the token becomes an ERROR token and scanning stops.
 */
static void
lexical_error(DdlLexer *lex, DdlToken *tok, int start, DdlLexError error)
{
	int			cursor = DdlErrorPosition(lex->query, lex->base + start);

	if (lex->soft_errors)
	{
		tok->kind = DDL_TOKEN_ERROR;
		tok->location = lex->base + start;
		tok->length = 0;
		tok->value = pstrdup("");
		tok->quote = 0;
		lex->pos = lex->textlen;
		return;
	}

	switch (error)
	{
		case LEX_UNTERMINATED_STRING:
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("unterminated quoted string"),
					 internalerrposition(cursor),
					 internalerrquery(lex->query)));
			break;
		case LEX_UNTERMINATED_IDENT:
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("unterminated quoted identifier"),
					 internalerrposition(cursor),
					 internalerrquery(lex->query)));
			break;
		case LEX_UNTERMINATED_COMMENT:
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("unterminated /* comment"),
					 internalerrposition(cursor),
					 internalerrquery(lex->query)));
			break;
		case LEX_EMPTY_IDENT:
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("zero-length quoted identifier"),
					 internalerrposition(cursor),
					 internalerrquery(lex->query)));
			break;
	}
}

/*
 * DdlTokenSource
 *		The token's text exactly as written.
 */
char *
DdlTokenSource(const DdlLexer *lex, const DdlToken *tok)
{
	int			offset = tok->location - lex->base;

	if (offset < 0 || offset + tok->length > lex->textlen)
		return pstrdup("");
	return pnstrdup(lex->text + offset, tok->length);
}

/* Is tok the unquoted keyword keyword (case-insensitive)? */
bool
DdlTokenIsKeyword(const DdlToken *tok, const char *keyword)
{
	return tok->kind == DDL_TOKEN_WORD && pg_strcasecmp(tok->value, keyword) == 0;
}

/* Is tok the punctuation character c? */
bool
DdlTokenIsPunct(const DdlToken *tok, char c)
{
	return tok->kind == DDL_TOKEN_PUNCT && tok->value[0] == c;
}

/* Can tok be an identifier (a word or a quoted identifier)? */
bool
DdlTokenIsIdent(const DdlToken *tok)
{
	return tok->kind == DDL_TOKEN_WORD || tok->kind == DDL_TOKEN_QUOTED_IDENT;
}

/*
 * DdlTokenIdentifier
 *		The identifier named by a word (folded to lower case, not
 *		truncated) or a quoted identifier (as written).
 */
char *
DdlTokenIdentifier(const DdlToken *tok)
{
	Assert(DdlTokenIsIdent(tok));
	if (tok->kind == DDL_TOKEN_WORD)
		return downcase_identifier(tok->value, strlen(tok->value), false, false);
	return pstrdup(tok->value);
}

/*
 * DdlErrorPosition
 *		Convert a byte offset in query into the 1-based character position
 *		that internalerrposition() expects.
 */
int
DdlErrorPosition(const char *query, int location)
{
	int			len = strlen(query);

	if (location < 0)
		location = 0;
	if (location > len)
		location = len;
	return pg_mbstrlen_with_len(query, location) + 1;
}

/*
 * DdlSyntaxError
 *		Raise a syntax error at tok.  An EOF token at the true end of the
 *		query reads "at end of input"; the end of a piece of a larger query
 *		(a column list) names the query character that follows the piece.
 */
void
DdlSyntaxError(const DdlLexer *lex, const DdlToken *tok, const char *detail,
			   const char *hint)
{
	int			cursor = DdlErrorPosition(lex->query, tok->location);
	char	   *near = NULL;

	if (tok->kind != DDL_TOKEN_EOF && tok->kind != DDL_TOKEN_ERROR)
		near = DdlTokenSource(lex, tok);
	else if (tok->location < (int) strlen(lex->query))
	{
		const char *at = lex->query + tok->location;

		near = pnstrdup(at, pg_mblen(at));
	}

	if (near == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("syntax error at end of input"),
				 detail ? errdetail("%s", detail) : 0,
				 hint ? errhint("%s", hint) : 0,
				 internalerrposition(cursor),
				 internalerrquery(lex->query)));
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("syntax error at or near \"%s\"", near),
			 detail ? errdetail("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0,
			 internalerrposition(cursor),
			 internalerrquery(lex->query)));
}
