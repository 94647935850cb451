/*-------------------------------------------------------------------------
 *
 * pg_types.c
 *	  PostgreSQL type names in model column lists: looking them up with
 *	  parseTypeString, with or without a pinned search_path, and checking
 *	  that a model column can use the type.
 *
 * The bottom of the column-list parser: flink_types.c maps Flink types
 * onto pg_catalog types through TypemapLookupSystemType and hands any
 * other type name to TypemapParsePgType; typemap.c resolves stored column
 * types again with TypemapLookupSystemType.
 *
 * All memory is palloc'd in CurrentMemoryContext.
 *
 * IDENTIFICATION
 *	  src/types/pg_types.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/syscache.h"

#include "compat.h"
#include "syntax/lexer.h"
#include "types/typemap_internal.h"
#include "util.h"

/* where to point errors raised while resolving a PostgreSQL type name */
typedef struct TypeErrorArg
{
	const char *query;
	int			location;
} TypeErrorArg;

/*
 * TypemapLookupTypeString
 *		parseTypeString across PostgreSQL versions (MlParseTypeString in
 *		compat.h).  With missing_ok, returns false instead of raising ERROR
 *		when the type does not exist.
 */
bool
TypemapLookupTypeString(const char *str, Oid *typid, int32 *typmod,
						bool missing_ok)
{
	return MlParseTypeString(str, typid, typmod, missing_ok);
}

/*
 * TypemapLookupSystemType
 *		TypemapLookupTypeString with search_path pinned to pg_catalog,
 *		pg_temp, for names that must not depend on the caller's path: the
 *		stored (qualified) column types, older unqualified ones, and the
 *		pg_catalog types the Flink types map to.  An ERROR restores the
 *		path with the (sub)transaction.
 */
bool
TypemapLookupSystemType(const char *str, Oid *typid, int32 *typmod,
						bool missing_ok)
{
	int			nestlevel = MlPinSearchPath();
	bool		found;

	found = MlParseTypeString(str, typid, typmod, missing_ok);
	AtEOXact_GUC(true, nestlevel);
	return found;
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
 * TypemapParsePgType
 *		A PostgreSQL type name: every token up to the next top-level comma
 *		(or the end of an enclosing ARRAY<>/ROW<>, or NOT NULL / COMMENT),
 *		resolved with parseTypeString.
 */
void
TypemapParsePgType(ColumnParser *cp, TypeDesc *t)
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
	TypemapLookupTypeString(str, &t->typid, &t->typmod, false);
	error_context_stack = callback.previous;

	check_usable_type(cp, first, t->typid);
	t->decl = format_type_extended(t->typid, t->typmod,
								   FORMAT_TYPE_TYPEMOD_GIVEN);
}
