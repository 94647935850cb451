/*-------------------------------------------------------------------------
 *
 * typemap.c
 *	  Model INPUT/OUTPUT column lists: the column-list grammar, the mapping
 *	  from Flink SQL types to PostgreSQL types, and the JSON storage form.
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
 * MAP, MULTISET, TIMESTAMP* and INTERVAL are rejected.  Anything else is a
 * PostgreSQL type name resolved with parseTypeString.  Errors point into
 * the statement the list came from.
 *
 * All memory is palloc'd in CurrentMemoryContext.
 *
 * IDENTIFICATION
 *	  src/types/typemap.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#endif
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "ddl/lexer.h"
#include "types/typemap.h"

/* Flink allows DECIMAL precision up to 38 */
#define FLINK_MAX_DECIMAL_PRECISION 38

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

/* the state of one column-list parse */
typedef struct ColumnParser
{
	DdlLexer	lex;			/* query, base offset, for errors */
	DdlToken   *tokens;
	int			pos;			/* index of the current token */
	int			end;			/* index of the token that ends the list */
	const char *clause;			/* "INPUT" or "OUTPUT" */
	char	   *clause_lower;	/* "input" or "output", for messages */
} ColumnParser;

/* a parsed type */
typedef struct TypeDesc
{
	char	   *decl;
	Oid			typid;
	int32		typmod;
} TypeDesc;

/* where to point errors raised while resolving a PostgreSQL type name */
typedef struct TypeErrorArg
{
	const char *query;
	int			location;
} TypeErrorArg;

static void parse_type(ColumnParser *cp, TypeDesc *t);

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
static _Noreturn void
column_syntax_error(ColumnParser *cp, const char *detail)
{
	DdlSyntaxError(&cp->lex, cur(cp), detail, NULL);
}

/* consume punctuation c if it is the current token */
static bool
accept_punct(ColumnParser *cp, char c)
{
	if (at_end(cp) || !DdlTokenIsPunct(cur(cp), c))
		return false;
	advance(cp);
	return true;
}

/* consume punctuation c or raise a syntax error */
static void
expect_punct(ColumnParser *cp, char c, const char *detail)
{
	if (!accept_punct(cp, c))
		column_syntax_error(cp, detail);
}

/* consume keyword if it is the current token */
static bool
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
static int
errposition_at(ColumnParser *cp, const DdlToken *tok)
{
	internalerrquery(cp->lex.query);
	return internalerrposition(DdlErrorPosition(cp->lex.query, tok->location));
}

/* append name in backquotes, doubling backquotes inside it */
static void
append_backquoted(StringInfo buf, const char *name)
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
 * lookup_type_string
 *		parseTypeString across PostgreSQL versions.  With missing_ok, returns
 *		false instead of raising ERROR when the type does not exist.
 */
static bool
lookup_type_string(const char *str, Oid *typid, int32 *typmod, bool missing_ok)
{
#if PG_VERSION_NUM >= 160000
	ErrorSaveContext escontext = {T_ErrorSaveContext};

	if (!missing_ok)
	{
		parseTypeString(str, typid, typmod, NULL);
		return true;
	}
	if (!parseTypeString(str, typid, typmod, (Node *) &escontext))
		return false;
#else
	parseTypeString(str, typid, typmod, missing_ok);
#endif
	return OidIsValid(*typid);
}

/*
 * resolve_builtin
 *		Look up the PostgreSQL type a Flink type maps to.  The names are our
 *		own and always exist.
 */
static void
resolve_builtin(TypeDesc *t, const char *pgtype)
{
	lookup_type_string(pgtype, &t->typid, &t->typmod, false);
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
	parse_type(cp, t);
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
		parse_type(cp, &field);
		skip_not_null(cp);
		/* Flink allows a description string after a field type */
		if (!at_end(cp) && cur(cp)->kind == DDL_TOKEN_STRING)
			advance(cp);

		if (names != NIL)
			appendStringInfoString(&decl, ", ");
		append_backquoted(&decl, name);
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
 * type_error_callback
 *		Error context callback: position errors at the type name.  A syntax
 *		error inside the name carries a position relative to the name; move
 *		it into the query so that it does not point into the caller's SQL.
 */
static void
type_error_callback(void *arg)
{
	TypeErrorArg *where = (TypeErrorArg *) arg;
	int			start = DdlErrorPosition(where->query, where->location);
	int			inner = geterrposition();

	if (inner > 0)
	{
		errposition(0);
		internalerrposition(start + inner - 1);
	}
	else
		internalerrposition(start);
	internalerrquery(where->query);
}

/*
 * check_usable_type
 *		Model columns need a type with a text representation: no
 *		pseudo-types such as record, anyelement or void.
 */
static void
check_usable_type(ColumnParser *cp, const DdlToken *tok, Oid typid)
{
	HeapTuple	tuple;
	Form_pg_type typ;
	bool		pseudo;
	bool		no_input;

	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for type %u", typid);
	typ = (Form_pg_type) GETSTRUCT(tuple);
	pseudo = typ->typtype == TYPTYPE_PSEUDO;
	no_input = !OidIsValid(typ->typinput);
	ReleaseSysCache(tuple);

	if (pseudo || no_input)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("type %s is not supported for model %s columns",
						format_type_be(typid), cp->clause_lower),
				 pseudo ?
				 errdetail("Pseudo-types cannot be model inputs or outputs.") :
				 errdetail("Types without a text input function cannot be model inputs or outputs."),
				 errposition_at(cp, tok)));
}

/*
 * parse_pg_type
 *		A PostgreSQL type name: every token up to the next top-level comma
 *		(or the end of an enclosing ARRAY<>/ROW<>, or NOT NULL / COMMENT),
 *		resolved with parseTypeString.
 */
static void
parse_pg_type(ColumnParser *cp, TypeDesc *t)
{
	DdlToken   *first = cur(cp);
	DdlToken   *last = first;
	int			depth = 0;
	char	   *str;
	ErrorContextCallback callback;
	TypeErrorArg where;

	while (!at_end(cp))
	{
		DdlToken   *tok = cur(cp);

		if (depth == 0 &&
			(DdlTokenIsPunct(tok, ',') || DdlTokenIsPunct(tok, '>') ||
			 DdlTokenIsPunct(tok, ')') || tok->kind == DDL_TOKEN_STRING ||
			 DdlTokenIsKeyword(tok, "NOT") || DdlTokenIsKeyword(tok, "NULL") ||
			 DdlTokenIsKeyword(tok, "COMMENT")))
			break;
		if (DdlTokenIsPunct(tok, '(') || DdlTokenIsPunct(tok, '['))
			depth++;
		else if (DdlTokenIsPunct(tok, ')') || DdlTokenIsPunct(tok, ']'))
			depth--;
		last = tok;
		advance(cp);
	}
	str = pnstrdup(cp->lex.text + (first->location - cp->lex.base),
				   last->location + last->length - first->location);

	where.query = cp->lex.query;
	where.location = first->location;
	callback.callback = type_error_callback;
	callback.arg = &where;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	lookup_type_string(str, &t->typid, &t->typmod, false);
	error_context_stack = callback.previous;

	check_usable_type(cp, first, t->typid);
	t->decl = format_type_extended(t->typid, t->typmod,
								   FORMAT_TYPE_TYPEMOD_GIVEN);
}

/*
 * parse_type
 *		One type: a Flink type (with optional array suffixes) or a
 *		PostgreSQL type name.
 */
static void
parse_type(ColumnParser *cp, TypeDesc *t)
{
	if (at_end(cp) || !DdlTokenIsIdent(cur(cp)))
		column_syntax_error(cp, "Expected a data type.");
	if (parse_flink_type(cp, t))
		parse_array_suffix(cp, t);
	else
		parse_pg_type(cp, t);
}

/*
 * format_pgtype
 *		The type text stored in MlColumn.pgtype: schema-qualified unless the
 *		type lives in pg_catalog.
 */
static char *
format_pgtype(Oid typid, int32 typmod)
{
	HeapTuple	tuple;
	Oid			namespace;
	bits16		flags = FORMAT_TYPE_TYPEMOD_GIVEN;

	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for type %u", typid);
	namespace = ((Form_pg_type) GETSTRUCT(tuple))->typnamespace;
	ReleaseSysCache(tuple);

	if (namespace != PG_CATALOG_NAMESPACE)
		flags |= FORMAT_TYPE_FORCE_QUALIFY;
	return format_type_extended(typid, typmod, flags);
}

/*
 * parse_column
 *		"name type [NOT NULL] [COMMENT 'c']"; columns holds the columns
 *		parsed so far, for the duplicate check.
 */
static MlColumn *
parse_column(ColumnParser *cp, List *columns)
{
	DdlToken   *tok = cur(cp);
	MlColumn   *col = palloc0(sizeof(MlColumn));
	TypeDesc	t;
	ListCell   *lc;

	if (at_end(cp) || !DdlTokenIsIdent(tok))
		column_syntax_error(cp, "Expected a column name.");
	col->name = DdlTokenIdentifier(tok);
	foreach(lc, columns)
	{
		if (strcmp(((MlColumn *) lfirst(lc))->name, col->name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_COLUMN),
					 errmsg("column \"%s\" specified more than once", col->name),
					 errposition_at(cp, tok)));
	}
	advance(cp);
	parse_type(cp, &t);

	for (;;)
	{
		if (accept_keyword(cp, "NOT"))
		{
			if (!accept_keyword(cp, "NULL"))
				column_syntax_error(cp, "Expected NOT NULL.");
		}
		else if (accept_keyword(cp, "COMMENT"))
		{
			if (at_end(cp) || cur(cp)->kind != DDL_TOKEN_STRING)
				column_syntax_error(cp, "Expected a string literal after COMMENT.");
			advance(cp);
		}
		else
			break;
	}

	col->decl = t.decl;
	col->typid = t.typid;
	col->typmod = t.typmod;
	col->pgtype = format_pgtype(t.typid, t.typmod);
	return col;
}

/*
 * init_column_parser
 *		Tokenize the list.  When the whole list is wrapped in one pair of
 *		parentheses, parse only what is inside them.
 */
static void
init_column_parser(ColumnParser *cp, const char *text, const char *clause,
				   const char *statement, int offset)
{
	int			ntokens;
	int			depth = 0;

	DdlLexerInit(&cp->lex, text, statement, offset);
	cp->tokens = DdlLexerTokenize(&cp->lex, &ntokens);
	cp->pos = 0;
	cp->end = ntokens - 1;
	cp->clause = clause;
	cp->clause_lower = pstrdup(clause);
	for (char *c = cp->clause_lower; *c != '\0'; c++)
		*c = pg_ascii_tolower((unsigned char) *c);

	if (ntokens < 3 || !DdlTokenIsPunct(&cp->tokens[0], '('))
		return;
	for (int i = 0; i < ntokens - 1; i++)
	{
		if (DdlTokenIsPunct(&cp->tokens[i], '('))
			depth++;
		else if (DdlTokenIsPunct(&cp->tokens[i], ')') && --depth == 0)
		{
			if (i == ntokens - 2)
			{
				cp->pos = 1;
				cp->end = i;
			}
			return;
		}
	}
}

/*
 * MlParseColumns
 *		Parse a column list into a List of MlColumn.  See typemap.h for the
 *		meaning of statement and offset.
 */
List *
MlParseColumns(const char *text, const char *clause, const char *statement,
			   int offset)
{
	ColumnParser cp;
	List	   *columns = NIL;

	init_column_parser(&cp, text, clause ? clause : "INPUT", statement, offset);
	if (at_end(&cp))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("%s clause must declare at least one column", cp.clause),
				 statement ? errposition_at(&cp, cur(&cp)) : 0));
	do
	{
		columns = lappend(columns, parse_column(&cp, columns));
	} while (accept_punct(&cp, ','));
	if (!at_end(&cp))
		column_syntax_error(&cp, "Expected \",\" or the end of the column list.");
	return columns;
}

/*
 * MlResolveColumn
 *		Look col->pgtype up again (after loading a model from the catalog);
 *		raises ERROR if the type has been dropped.
 */
void
MlResolveColumn(MlColumn *col)
{
	Oid			typid;
	int32		typmod;

	if (!lookup_type_string(col->pgtype, &typid, &typmod, true))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("type \"%s\" does not exist", col->pgtype),
				 errhint("Recreate the type, or drop and recreate the model whose column \"%s\" uses it.",
						 col->name)));
	col->typid = typid;
	col->typmod = typmod;
}

/*
 * MlColumnsToFlink
 *		The column list as DESCRIBE shows it: "`name` DECL, ...".
 */
char *
MlColumnsToFlink(List *columns)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, columns)
	{
		MlColumn   *col = lfirst(lc);

		if (lc != list_head(columns))
			appendStringInfoString(&buf, ", ");
		append_backquoted(&buf, col->name);
		appendStringInfo(&buf, " %s", col->decl);
	}
	return buf.data;
}

/*
 * MlColumnsToJson
 *		The storage form: a JSON array of {"name", "type", "pgtype"}.
 */
char *
MlColumnsToJson(List *columns)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	foreach(lc, columns)
	{
		MlColumn   *col = lfirst(lc);

		if (lc != list_head(columns))
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, "{\"name\": ");
		escape_json(&buf, col->name);
		appendStringInfoString(&buf, ", \"type\": ");
		escape_json(&buf, col->decl);
		appendStringInfoString(&buf, ", \"pgtype\": ");
		escape_json(&buf, col->pgtype);
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* raise the error for a stored column list that cannot be read */
static _Noreturn void
bad_column_json(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid stored model column list"),
			 errdetail("Expected a JSON array of objects with string members \"name\", \"type\" and \"pgtype\".")));
}

/* a string member of a JSON object */
static char *
json_string_member(JsonbContainer *object, const char *key)
{
	JsonbValue	value;

	if (getKeyJsonValueFromContainer(object, key, strlen(key), &value) == NULL ||
		value.type != jbvString)
		bad_column_json();
	return pnstrdup(value.val.string.val, value.val.string.len);
}

/*
 * MlColumnsFromJson
 *		Read the storage form back, resolving every type.
 */
List *
MlColumnsFromJson(const char *json)
{
	Jsonb	   *jb;
	List	   *columns = NIL;
	uint32		count;

	if (json == NULL)
		return NIL;
	jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
	if (!JB_ROOT_IS_ARRAY(jb) || JB_ROOT_IS_SCALAR(jb))
		bad_column_json();
	count = JB_ROOT_COUNT(jb);
	for (uint32 i = 0; i < count; i++)
	{
		JsonbValue *elem = getIthJsonbValueFromContainer(&jb->root, i);
		MlColumn   *col = palloc0(sizeof(MlColumn));

		if (elem == NULL || elem->type != jbvBinary ||
			!JsonContainerIsObject(elem->val.binary.data))
			bad_column_json();
		col->name = json_string_member(elem->val.binary.data, "name");
		col->decl = json_string_member(elem->val.binary.data, "type");
		col->pgtype = json_string_member(elem->val.binary.data, "pgtype");
		MlResolveColumn(col);
		columns = lappend(columns, col);
	}
	return columns;
}

/*
 * MlColumnsEqual
 *		True when both lists declare the same columns in the same order.
 */
bool
MlColumnsEqual(List *a, List *b)
{
	ListCell   *la;
	ListCell   *lb;

	if (list_length(a) != list_length(b))
		return false;
	forboth(la, a, lb, b)
	{
		MlColumn   *ca = lfirst(la);
		MlColumn   *cb = lfirst(lb);

		if (strcmp(ca->name, cb->name) != 0 ||
			strcmp(ca->decl, cb->decl) != 0 ||
			strcmp(ca->pgtype, cb->pgtype) != 0)
			return false;
	}
	return true;
}
