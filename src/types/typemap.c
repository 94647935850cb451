/*-------------------------------------------------------------------------
 *
 * typemap.c
 *	  Model INPUT/OUTPUT column lists: the column-list grammar and the
 *	  PostgreSQL type names in it.
 *
 * This file owns parsing "name type [NOT NULL] [COMMENT 'c'] [, ...]" into
 * a List of MlColumn (MlParseColumns) and resolving a stored column's type
 * again (MlResolveColumn).  A column's stored type (pgtype) is always
 * schema-qualified, pg_catalog types included, and stored types and the
 * Flink types' own names are resolved with search_path pinned to
 * pg_catalog, pg_temp (pg_types.c): the search_path of whoever calls a
 * model can never change which type a stored column means (a domain
 * public.text must not stand in for pg_catalog.text).  Each column's type
 * is parsed by flink_types.c (TypemapParseType), which leaves PostgreSQL
 * type names to pg_types.c; the stored form of a column list is in
 * column_store.c.  Errors point into the statement the list came from.
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
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

#include "syntax/lexer.h"
#include "types/typemap.h"
#include "types/typemap_internal.h"

/*
 * format_pgtype
 *		The type text stored in MlColumn.pgtype: always schema-qualified
 *		("pg_catalog.text", "public.vector(3)"; SQL-standard names such as
 *		"integer" and "character varying(10)" are grammar keywords that
 *		always mean pg_catalog's type).  A name, not an OID, so that dumps
 *		restore it.
 */
static char *
format_pgtype(Oid typid, int32 typmod)
{
	return format_type_extended(typid, typmod,
								FORMAT_TYPE_TYPEMOD_GIVEN | FORMAT_TYPE_FORCE_QUALIFY);
}

/*
 * MlColumnTypeName
 *		A column's type for messages: schema-qualified unless it lives in
 *		pg_catalog ("text", "public.vector(3)").
 */
char *
MlColumnTypeName(const MlColumn *col)
{
	HeapTuple	tuple;
	Oid			namespace;
	bits16		flags = FORMAT_TYPE_TYPEMOD_GIVEN;

	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(col->typid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for type %u", col->typid);
	namespace = ((Form_pg_type) GETSTRUCT(tuple))->typnamespace;
	ReleaseSysCache(tuple);

	if (namespace != PG_CATALOG_NAMESPACE)
		flags |= FORMAT_TYPE_FORCE_QUALIFY;
	return format_type_extended(col->typid, col->typmod, flags);
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
	TypemapParseType(cp, &t);

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
	cp->depth = 0;
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
		CHECK_FOR_INTERRUPTS();
		if (list_length(columns) >= TYPEMAP_MAX_COLUMNS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s declares more than %d columns", cp.clause, TYPEMAP_MAX_COLUMNS),
					 errposition_at(&cp, cur(&cp))));
		columns = lappend(columns, parse_column(&cp, columns));
	} while (accept_punct(&cp, ','));
	if (!at_end(&cp))
		column_syntax_error(&cp, "Expected \",\" or the end of the column list.");
	return columns;
}

/*
 * MlResolveColumn
 *		Look col->pgtype up again (after loading a model from the catalog)
 *		with the pinned search_path, and store it in its qualified form
 *		(rows written by older versions hold "text" for pg_catalog types);
 *		raises ERROR if the type has been dropped.
 */
void
MlResolveColumn(MlColumn *col)
{
	Oid			typid;
	int32		typmod;

	if (!TypemapLookupSystemType(col->pgtype, &typid, &typmod, true))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("type \"%s\" does not exist", col->pgtype),
				 errhint("Recreate the type, or drop and recreate the model whose column \"%s\" uses it.",
						 col->name)));
	col->typid = typid;
	col->typmod = typmod;
	col->pgtype = format_pgtype(typid, typmod);
}

