/*-------------------------------------------------------------------------
 *
 * flink_types.c
 *	  The Flink SQL types a model column may be declared with, and the
 *	  PostgreSQL types they map to.
 *
 * A column list is "name type [NOT NULL] [COMMENT 'c'] [, ...]".  A type is
 * a Flink type whenever its first word is a Flink type keyword (matched
 * case-insensitively, so "float" is Flink's 4-byte FLOAT):
 *
 *	  STRING					text
 *	  VARCHAR(n), CHAR VARYING	character varying(n); text when n exceeds
 *								PostgreSQL's limit or is omitted
 *	  CHAR(n), CHARACTER(n)		character(n); character(1) without n
 *	  BOOLEAN, BOOL				boolean
 *	  TINYINT, SMALLINT			smallint
 *	  INT, INTEGER				integer
 *	  BIGINT					bigint
 *	  FLOAT						real
 *	  DOUBLE [PRECISION]		double precision
 *	  DECIMAL(p, s)				numeric(p,s); Flink's default is (10, 0)
 *	  BYTES, BINARY, VARBINARY	bytea
 *	  DATE						date
 *	  ARRAY<T>, T ARRAY, T[]	T's array type (nested arrays collapse, as
 *								PostgreSQL arrays are multi-dimensional)
 *	  ROW<name T, ...>			jsonb
 *
 * MAP, MULTISET, TIMESTAMP* and INTERVAL are rejected.  Anything else is
 * a PostgreSQL type name, left to pg_types.c.  TypemapParseType, which
 * parses one type of either kind, lives here because ARRAY<T> and ROW<...>
 * parse their element types with it.
 *
 * All memory is palloc'd in CurrentMemoryContext.
 *
 * IDENTIFICATION
 *	  src/types/flink_types.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "syntax/lexer.h"
#include "types/typemap_internal.h"

/* Flink allows DECIMAL precision up to 38 */
#define FLINK_MAX_DECIMAL_PRECISION 38

/*
 * ARRAY and ROW levels a column type may nest.  The parser recurses once
 * per level and each level's declaration repeats its element's, so
 * without a limit a long enough ARRAY<ARRAY<...>> overflowed the stack
 * (SIGSEGV, the whole cluster restarted) and ROW<x ROW<x ...>> or
 * INT ARRAY ARRAY ... took memory quadratic in its length (the kernel's
 * OOM killer, the same restart), before any privilege was checked.
 * Structured outputs already stop at 16 levels, PostgreSQL arrays at 6
 * dimensions.
 */
#define FLINK_MAX_TYPE_DEPTH 32

/* how a Flink type keyword is parsed */
typedef enum FlinkTypeKind
{
	FLINK_SIMPLE,				/* no parameters */
	FLINK_DOUBLE,				/* DOUBLE [PRECISION] */
	FLINK_VARCHAR,				/* VARCHAR[(n)] */
	FLINK_CHAR,					/* CHAR[(n)], CHAR VARYING[(n)] */
	FLINK_BINARY,				/* BINARY[(n)], VARBINARY[(n)] */
	FLINK_DECIMAL,				/* DECIMAL[(p[, s])] */
	FLINK_ARRAY,				/* ARRAY<T> */
	FLINK_ROW,					/* ROW<name T, ...> */
	FLINK_UNSUPPORTED			/* MAP, MULTISET, TIMESTAMP, INTERVAL */
} FlinkTypeKind;

typedef struct FlinkType
{
	const char *keyword;
	FlinkTypeKind kind;
	const char *decl;			/* normalized Flink name */
	const char *pgtype;			/* PostgreSQL type for FLINK_SIMPLE/DOUBLE */
} FlinkType;

static const FlinkType flink_types[] = {
	{"STRING", FLINK_SIMPLE, "STRING", "text"},
	{"BOOLEAN", FLINK_SIMPLE, "BOOLEAN", "boolean"},
	{"BOOL", FLINK_SIMPLE, "BOOLEAN", "boolean"},
	{"TINYINT", FLINK_SIMPLE, "TINYINT", "smallint"},
	{"SMALLINT", FLINK_SIMPLE, "SMALLINT", "smallint"},
	{"INT", FLINK_SIMPLE, "INT", "integer"},
	{"INTEGER", FLINK_SIMPLE, "INT", "integer"},
	{"BIGINT", FLINK_SIMPLE, "BIGINT", "bigint"},
	{"FLOAT", FLINK_SIMPLE, "FLOAT", "real"},
	{"DATE", FLINK_SIMPLE, "DATE", "date"},
	{"BYTES", FLINK_SIMPLE, "BYTES", "bytea"},
	{"DOUBLE", FLINK_DOUBLE, "DOUBLE", "double precision"},
	{"VARCHAR", FLINK_VARCHAR, "VARCHAR", NULL},
	{"CHAR", FLINK_CHAR, "CHAR", NULL},
	{"CHARACTER", FLINK_CHAR, "CHAR", NULL},
	{"BINARY", FLINK_BINARY, "BINARY", NULL},
	{"VARBINARY", FLINK_BINARY, "VARBINARY", NULL},
	{"DECIMAL", FLINK_DECIMAL, "DECIMAL", NULL},
	{"DEC", FLINK_DECIMAL, "DECIMAL", NULL},
	{"NUMERIC", FLINK_DECIMAL, "DECIMAL", NULL},
	{"ARRAY", FLINK_ARRAY, "ARRAY", NULL},
	{"ROW", FLINK_ROW, "ROW", NULL},
	{"MAP", FLINK_UNSUPPORTED, NULL, NULL},
	{"MULTISET", FLINK_UNSUPPORTED, NULL, NULL},
	{"INTERVAL", FLINK_UNSUPPORTED, NULL, NULL},
};

static const FlinkType flink_timestamp = {"TIMESTAMP", FLINK_UNSUPPORTED, NULL, NULL};

/*
 * TypemapAppendBackquoted
 *		Append name in backquotes, doubling backquotes inside it, as Flink
 *		quotes identifiers.
 */
void
TypemapAppendBackquoted(StringInfo buf, const char *name)
{
	const char *c;

	appendStringInfoChar(buf, '`');
	for (c = name; *c != '\0'; c++)
	{
		if (*c == '`')
			appendStringInfoChar(buf, '`');
		appendStringInfoChar(buf, *c);
	}
	appendStringInfoChar(buf, '`');
}

/*
 * resolve_builtin
 *		Look up the PostgreSQL type a Flink type maps to.  The names are our
 *		own and always exist, in pg_catalog whatever the caller's
 *		search_path.
 */
static void
resolve_builtin(TypeDesc *t, const char *pgtype)
{
	TypemapLookupSystemType(pgtype, &t->typid, &t->typmod, false);
}

/* refuse a type nested deeper than FLINK_MAX_TYPE_DEPTH */
static void
check_type_depth(ColumnParser *cp, int depth, const DdlToken *tok)
{
	if (depth > FLINK_MAX_TYPE_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a type in %s nests more than %d ARRAY and ROW levels",
						cp->clause, FLINK_MAX_TYPE_DEPTH),
				 errposition_at(cp, tok)));
}

/*
 * make_array
 *		Turn t into an array of t.  An array stays the same PostgreSQL type
 *		(arrays are multi-dimensional) but the declaration records the
 *		extra level.
 */
static void
make_array(ColumnParser *cp, TypeDesc *t, const DdlToken *tok)
{
	Oid			array_type;

	t->decl = psprintf("ARRAY<%s>", t->decl);
	if (type_is_array(t->typid))
		return;
	array_type = get_array_type(t->typid);
	if (!OidIsValid(array_type))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("could not find array type for data type %s",
						format_type_be(t->typid)),
				 errposition_at(cp, tok)));
	t->typid = array_type;
}

/* NOT NULL after a type is accepted and ignored */
static void
skip_not_null(ColumnParser *cp)
{
	if (!at_end(cp) && DdlTokenIsKeyword(cur(cp), "NOT") &&
		DdlTokenIsKeyword(peek(cp, 1), "NULL"))
	{
		advance(cp);
		advance(cp);
	}
}

/*
 * parse_int_param
 *		An unsigned integer type parameter.  Values too large for int32 come
 *		back as PG_INT64_MAX so that range checks reject them.
 */
static int64
parse_int_param(ColumnParser *cp)
{
	DdlToken   *tok = cur(cp);
	const char *c;
	int64		n = 0;

	if (at_end(cp) || tok->kind != DDL_TOKEN_NUMBER)
		column_syntax_error(cp, "Expected an integer.");
	for (c = tok->value; *c != '\0'; c++)
	{
		if (*c < '0' || *c > '9')
			column_syntax_error(cp, "Expected an integer.");
		if (n <= PG_INT32_MAX)
			n = n * 10 + (*c - '0');
	}
	advance(cp);
	return n > PG_INT32_MAX ? PG_INT64_MAX : n;
}

/* "(n)" after a character or binary type: 1 .. PG_INT32_MAX */
static int
parse_length(ColumnParser *cp, const char *flink)
{
	DdlToken   *tok = cur(cp);
	int64		n = parse_int_param(cp);

	if (n < 1 || n > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("length for type %s must be between 1 and %d",
						flink, PG_INT32_MAX),
				 errposition_at(cp, tok)));
	expect_punct(cp, ')', "Expected \")\".");
	return (int) n;
}

/*
 * parse_char_type
 *		VARCHAR or CHAR with an optional length.  Lengths above what
 *		PostgreSQL allows (VARCHAR(2147483647) is Flink's STRING) map to
 *		text; without a length, bare_pgtype is used.
 */
static void
parse_char_type(ColumnParser *cp, TypeDesc *t, const char *flink,
				const char *pgname, const char *bare_pgtype)
{
	int			n;

	if (!accept_punct(cp, '('))
	{
		t->decl = pstrdup(flink);
		resolve_builtin(t, bare_pgtype);
		return;
	}
	n = parse_length(cp, flink);
	t->decl = psprintf("%s(%d)", flink, n);
	if (n > MaxAttrSize)
		resolve_builtin(t, "text");
	else
		resolve_builtin(t, psprintf("%s(%d)", pgname, n));
}

/* BINARY or VARBINARY with an optional length; always bytea */
static void
parse_binary_type(ColumnParser *cp, TypeDesc *t, const char *flink)
{
	if (accept_punct(cp, '('))
		t->decl = psprintf("%s(%d)", flink, parse_length(cp, flink));
	else
		t->decl = pstrdup(flink);
	resolve_builtin(t, "bytea");
}

/* DECIMAL[(p[, s])], defaulting to Flink's DECIMAL(10, 0) */
static void
parse_decimal_type(ColumnParser *cp, TypeDesc *t)
{
	int64		precision = 10;
	int64		scale = 0;

	if (accept_punct(cp, '('))
	{
		DdlToken   *tok = cur(cp);

		precision = parse_int_param(cp);
		if (precision < 1 || precision > FLINK_MAX_DECIMAL_PRECISION)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("precision for type DECIMAL must be between 1 and %d",
							FLINK_MAX_DECIMAL_PRECISION),
					 errposition_at(cp, tok)));
		if (accept_punct(cp, ','))
		{
			tok = cur(cp);
			scale = parse_int_param(cp);
			if (scale > precision)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("scale for type DECIMAL must be between 0 and %d",
								(int) precision),
						 errposition_at(cp, tok)));
		}
		expect_punct(cp, ')', "Expected \")\".");
	}
	t->decl = psprintf("DECIMAL(%d, %d)", (int) precision, (int) scale);
	resolve_builtin(t, psprintf("numeric(%d,%d)", (int) precision, (int) scale));
}

/* ARRAY<T>, with the ARRAY keyword current */
static void
parse_array_type(ColumnParser *cp, TypeDesc *t)
{
	DdlToken   *tok = cur(cp);

	advance(cp);
	expect_punct(cp, '<', "Expected ARRAY<element type>.");
	TypemapParseType(cp, t);
	skip_not_null(cp);
	expect_punct(cp, '>', "Expected \">\" to close ARRAY<...>.");
	make_array(cp, t, tok);
}

/*
 * parse_row_type
 *		ROW<name T, ...> or ROW(name T, ...), with ROW current.  The fields
 *		are validated and recorded in the declaration; the value is jsonb.
 */
static void
parse_row_type(ColumnParser *cp, TypeDesc *t)
{
	StringInfoData decl;
	List	   *names = NIL;
	char		close;

	advance(cp);
	if (accept_punct(cp, '<'))
		close = '>';
	else if (accept_punct(cp, '('))
		close = ')';
	else
		column_syntax_error(cp, "Expected ROW<name type, ...>.");

	initStringInfo(&decl);
	appendStringInfoString(&decl, "ROW<");
	do
	{
		DdlToken   *tok = cur(cp);
		TypeDesc	field;
		char	   *name;
		ListCell   *lc;

		CHECK_FOR_INTERRUPTS();
		if (list_length(names) >= TYPEMAP_MAX_COLUMNS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("a ROW type in %s declares more than %d fields",
							cp->clause, TYPEMAP_MAX_COLUMNS),
					 errposition_at(cp, tok)));
		if (at_end(cp) || !DdlTokenIsIdent(tok))
			column_syntax_error(cp, "Expected a field name.");
		name = DdlTokenIdentifier(tok);
		foreach(lc, names)
		{
			if (strcmp(lfirst(lc), name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("field \"%s\" specified more than once in ROW type",
								name),
						 errposition_at(cp, tok)));
		}
		advance(cp);
		TypemapParseType(cp, &field);
		skip_not_null(cp);
		/* Flink allows a description string after a field type */
		if (!at_end(cp) && cur(cp)->kind == DDL_TOKEN_STRING)
			advance(cp);

		if (names != NIL)
			appendStringInfoString(&decl, ", ");
		TypemapAppendBackquoted(&decl, name);
		appendStringInfo(&decl, " %s", field.decl);
		names = lappend(names, name);
	} while (accept_punct(cp, ','));
	expect_punct(cp, close, close == '>' ? "Expected \",\" or \">\"." :
				 "Expected \",\" or \")\".");
	appendStringInfoChar(&decl, '>');

	t->decl = decl.data;
	t->typid = JSONBOID;
	t->typmod = -1;
}

/* T ARRAY and T[] suffixes after a Flink type */
static void
parse_array_suffix(ColumnParser *cp, TypeDesc *t)
{
	int			levels = 0;

	for (;;)
	{
		DdlToken   *tok = cur(cp);

		if (at_end(cp))
			return;
		if (DdlTokenIsKeyword(tok, "ARRAY") && !DdlTokenIsPunct(peek(cp, 1), '<'))
			advance(cp);
		else if (DdlTokenIsPunct(tok, '['))
		{
			advance(cp);
			if (!at_end(cp) && cur(cp)->kind == DDL_TOKEN_NUMBER)
				advance(cp);
			expect_punct(cp, ']', "Expected \"]\".");
		}
		else
			return;
		check_type_depth(cp, cp->depth + ++levels, tok);
		make_array(cp, t, tok);
	}
}

/* the Flink type a word names, or NULL */
static const FlinkType *
lookup_flink_type(const char *word)
{
	for (int i = 0; i < lengthof(flink_types); i++)
	{
		if (pg_strcasecmp(word, flink_types[i].keyword) == 0)
			return &flink_types[i];
	}
	if (pg_strncasecmp(word, "TIMESTAMP", strlen("TIMESTAMP")) == 0)
		return &flink_timestamp;
	return NULL;
}

/* reject MAP, MULTISET, TIMESTAMP* and INTERVAL */
static _Noreturn void
unsupported_type_error(ColumnParser *cp, const DdlToken *tok)
{
	char	   *name = pstrdup(tok->value);

	for (char *c = name; *c != '\0'; c++)
		*c = pg_ascii_toupper((unsigned char) *c);
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("type %s is not supported for model %s columns",
					name, cp->clause_lower),
			 errdetail("MAP, MULTISET, TIMESTAMP and INTERVAL cannot be model inputs or outputs."),
			 errposition_at(cp, tok)));
}

/*
 * parse_flink_type
 *		Parse a Flink type if the current word is a Flink type keyword (and
 *		not the schema of a qualified PostgreSQL type name).  Returns false,
 *		consuming nothing, otherwise.
 */
static bool
parse_flink_type(ColumnParser *cp, TypeDesc *t)
{
	DdlToken   *tok = cur(cp);
	const FlinkType *ft;

	if (tok->kind != DDL_TOKEN_WORD || DdlTokenIsPunct(peek(cp, 1), '.'))
		return false;
	ft = lookup_flink_type(tok->value);
	if (ft == NULL)
		return false;

	switch (ft->kind)
	{
		case FLINK_UNSUPPORTED:
			unsupported_type_error(cp, tok);
		case FLINK_SIMPLE:
		case FLINK_DOUBLE:
			advance(cp);
			if (ft->kind == FLINK_DOUBLE)
				accept_keyword(cp, "PRECISION");
			t->decl = pstrdup(ft->decl);
			resolve_builtin(t, ft->pgtype);
			break;
		case FLINK_VARCHAR:
			advance(cp);
			parse_char_type(cp, t, "VARCHAR", "character varying", "text");
			break;
		case FLINK_CHAR:
			advance(cp);
			if (accept_keyword(cp, "VARYING"))
				parse_char_type(cp, t, "VARCHAR", "character varying", "text");
			else
				parse_char_type(cp, t, "CHAR", "character", "character(1)");
			break;
		case FLINK_BINARY:
			advance(cp);
			parse_binary_type(cp, t, ft->decl);
			break;
		case FLINK_DECIMAL:
			advance(cp);
			parse_decimal_type(cp, t);
			break;
		case FLINK_ARRAY:
			parse_array_type(cp, t);
			break;
		case FLINK_ROW:
			parse_row_type(cp, t);
			break;
	}
	return true;
}

/*
 * TypemapParseType
 *		One type: a Flink type (with optional array suffixes) or a
 *		PostgreSQL type name.
 */
void
TypemapParseType(ColumnParser *cp, TypeDesc *t)
{
	bool		flink;

	check_stack_depth();
	if (at_end(cp) || !DdlTokenIsIdent(cur(cp)))
		column_syntax_error(cp, "Expected a data type.");
	/* ARRAY<T> and ROW<name T, ...> parse T one level deeper */
	check_type_depth(cp, cp->depth, cur(cp));
	cp->depth++;
	flink = parse_flink_type(cp, t);
	cp->depth--;
	if (flink)
		parse_array_suffix(cp, t);
	else
		TypemapParsePgType(cp, t);
}
