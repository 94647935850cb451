/*-------------------------------------------------------------------------
 *
 * flink_query.c
 *	  Translating a Flink query (SELECT, INSERT INTO ... SELECT | VALUES)
 *	  pasted into mlpredict.execute() into PostgreSQL text.
 *
 * A lexer-level rewriter (see flink_xlate.h): the text is copied token by
 * token, and these constructs are replaced:
 *
 *	  `ident`						"ident" (case kept)
 *	  MAP['k', v, ...]				mlpredict.map('k', v, ...)
 *	  CAST(x AS <Flink type>)		CAST(x AS <PostgreSQL type>)
 *	  env.cluster.table				table (in FROM, JOIN, INTO: the
 *									three-part rule of syntax/names.c)
 *	  LATERAL TABLE(ML_PREDICT('m', a, b [, MAP[...]])) [AS p[(c, ...)]]
 *		  LATERAL mlpredict.ml_predict('m', a, b [, mlpredict.map(...)])
 *			  AS p(c type, ...)		(OUTPUT columns from the catalog)
 *	  LATERAL TABLE(AI_COMPLETE('m', x [, MAP[...]])) [AS r[(c)]]
 *		  LATERAL mlpredict.ai_complete('m', x [, ...]) AS r(c)
 *		  (AI_EMBEDDING the same, with mlpredict.ai_embedding)
 *	  AI_COMPLETE(...), AI_EMBEDDING(...) elsewhere
 *		  mlpredict.ai_complete(...), mlpredict.ai_embedding(...)
 *	  ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(a, b) [, [CONFIG =>] MAP[...]])
 *		  (SELECT mlpredict_in.*, mlpredict_out.o [AS o0], ... FROM t AS
 *		   mlpredict_in, LATERAL mlpredict.ml_predict('m', mlpredict_in.a,
 *		   mlpredict_in.b) AS mlpredict_out(o type, ...)) AS ml_predict
 *		  (open-source Flink 2.x: the input columns, then the OUTPUT
 *		  columns, a name that clashes getting the suffix 0, 1, ...; the
 *		  arguments may be named INPUT =>, MODEL =>, ARGS =>, CONFIG =>)
 *	  SELECT ML_EVALUATE(m, label, in...) FROM ... (the whole statement)
 *		  SELECT * FROM mlpredict.ml_evaluate('m',
 *			  'SELECT label, in... FROM ...')
 *
 * Unquoted identifiers are left unquoted, so PostgreSQL folds them to
 * lower case (as the statement parser folds model names); backquoted ones
 * keep their case.  Flink constructs with no PostgreSQL counterpart
 * (window TVFs, MATCH_RECOGNIZE, temporal joins, the other AI functions)
 * are refused with 0A000 at their position; anything else is left for
 * PostgreSQL to accept or reject when the translation runs.
 *
 * IDENTIFICATION
 *	  src/ddl/flink_query.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "access/tupdesc.h"
#include "catalog/namespace.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/rel.h"

#include "catalog/ml_catalog.h"
#include "ddl/flink_xlate.h"
#include "syntax/names.h"
#include "types/typemap.h"

/* Flink functions and clauses with no translation */
static const char *const unsupported_calls[] = {
	"TUMBLE", "HOP", "CUMULATE", "SESSION", "TUMBLE_START", "TUMBLE_END",
	"TUMBLE_ROWTIME", "TUMBLE_PROCTIME", "HOP_START", "HOP_END",
	"SESSION_START", "SESSION_END", "PROCTIME", "CURRENT_WATERMARK",
	"VECTOR_SEARCH", "VECTOR_SEARCH_AGG", "AI_TOOL_INVOKE", "AI_RUN_AGENT",
	"AI_DETECT_PII", "AI_DETECT_ANOMALIES", "AI_FORECAST", "AI_SENTIMENT",
	"ML_FORECAST", "ML_DETECT_ANOMALIES", "ML_DETECT_ANOMALIES_ROBUST",
	NULL
};

/* words that end a FROM item, so they are never taken for its alias */
static const char *const not_alias[] = {
	"FROM", "WHERE", "ON", "USING", "JOIN", "CROSS", "LEFT", "RIGHT", "INNER", "FULL",
	"NATURAL", "GROUP", "ORDER", "LIMIT", "OFFSET", "FETCH", "UNION",
	"EXCEPT", "INTERSECT", "HAVING", "WINDOW", "RETURNING", NULL
};

/* clause keywords: FROM and JOIN start a FROM clause, the others end it */
static const char *const other_clauses[] = {
	"SELECT", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "ON", "USING",
	"VALUES", "SET", "WINDOW", "UNION", "EXCEPT", "INTERSECT", "RETURNING",
	NULL
};

/* an argument of a function call: tokens [first, end) */
typedef struct FlinkArg
{
	int			first;
	int			end;
} FlinkArg;

bool
FlinkKeywordIn(const DdlToken *tok, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (DdlTokenIsKeyword(tok, words[i]))
			return true;
	return false;
}

DdlToken *
FlinkTok(FlinkXlate *x, int i)
{
	return &x->tokens[Min(i, x->ntokens - 1)];
}

static inline int
tok_end(const DdlToken *tok)
{
	return tok->location + tok->length;
}

void
FlinkError(FlinkXlate *x, int location, int sqlstate, const char *msg,
		   const char *hint)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg_internal("%s", msg),
			 hint ? errhint("%s", hint) : 0,
			 internalerrposition(DdlErrorPosition(x->query, location)),
			 internalerrquery(x->query)));
	pg_unreachable();
}

int
FlinkMatching(FlinkXlate *x, int open)
{
	int			depth = 0;

	for (int i = open; i < x->stop; i++)
	{
		DdlToken   *tok = &x->tokens[i];

		if (DdlTokenIsPunct(tok, '(') || DdlTokenIsPunct(tok, '['))
			depth++;
		else if ((DdlTokenIsPunct(tok, ')') || DdlTokenIsPunct(tok, ']')) &&
				 --depth == 0)
			return i;
	}
	return -1;
}

/*
 * unclosed_bracket
 *		The innermost bracket from open on that is not closed (by the
 *		statement's end, or by a closing bracket of the other kind).
 */
static int
unclosed_bracket(FlinkXlate *x, int open)
{
	int			stack[FLINK_MAX_DEPTH];
	int			n = 0;

	for (int i = open; i < x->stop; i++)
	{
		DdlToken   *tok = &x->tokens[i];

		if (DdlTokenIsPunct(tok, '(') || DdlTokenIsPunct(tok, '['))
		{
			if (n == FLINK_MAX_DEPTH)
				return stack[n - 1];
			stack[n++] = i;
		}
		else if (DdlTokenIsPunct(tok, ')') || DdlTokenIsPunct(tok, ']'))
		{
			if (n == 0)
				return open;
			if (DdlTokenIsPunct(&x->tokens[stack[n - 1]], '(') != DdlTokenIsPunct(tok, ')'))
				return stack[n - 1];
			if (--n == 0)
				return open;
		}
	}
	return n > 0 ? stack[n - 1] : open;
}

/* FlinkMatching, raising an error for an unterminated bracket */
static int
matching_or_error(FlinkXlate *x, int open, const char *what)
{
	int			close = FlinkMatching(x, open);

	if (close < 0)
	{
		int			bad = unclosed_bracket(x, open);

		if (bad != open && DdlTokenIsPunct(FlinkTok(x, bad), '[') && bad > 0 &&
			DdlTokenIsKeyword(FlinkTok(x, bad - 1), "MAP"))
			what = "MAP[...]";
		else if (bad != open)
			what = DdlTokenIsPunct(FlinkTok(x, bad), '[') ? "\"[\"" : "\"(\"";
		FlinkError(x, FlinkTok(x, bad)->location, ERRCODE_SYNTAX_ERROR,
				   psprintf("unterminated %s", what),
				   "Close every bracket that the statement opens.");
	}
	return close;
}

void
FlinkEmitAt(FlinkXlate *x, int location, const char *s)
{
	if (location > x->copied)
		appendBinaryStringInfo(x->out, x->query + x->copied, location - x->copied);
	if (location > x->copied)
		x->copied = location;
	appendStringInfoString(x->out, s);
}

char *
FlinkTokenText(FlinkXlate *x, const DdlToken *tok)
{
	if (tok->quote == '`')
		return pstrdup(quote_identifier(tok->value));
	return pnstrdup(x->query + tok->location, tok->length);
}

/* emit token i as PostgreSQL text and move past it */
static void
emit_token(FlinkXlate *x, int i)
{
	DdlToken   *tok = FlinkTok(x, i);

	FlinkEmitAt(x, tok->location, FlinkTokenText(x, tok));
	x->copied = tok_end(tok);
}

/* the words at i and i + 1: word "(" */
static bool
is_call(FlinkXlate *x, int i, const char *name)
{
	return DdlTokenIsKeyword(FlinkTok(x, i), name) &&
		DdlTokenIsPunct(FlinkTok(x, i + 1), '(');
}

/*
 * split_args
 *		The arguments between the parentheses at open and close.
 */
static List *
split_args(FlinkXlate *x, int open, int close)
{
	List	   *args = NIL;
	int			first = open + 1;
	int			depth = 0;

	if (close == open + 1)
		return NIL;
	for (int i = open + 1; i <= close; i++)
	{
		DdlToken   *tok = &x->tokens[i];

		if (i < close && (DdlTokenIsPunct(tok, '(') || DdlTokenIsPunct(tok, '[')))
			depth++;
		else if (i < close && (DdlTokenIsPunct(tok, ']') || DdlTokenIsPunct(tok, ')')))
			depth--;
		else if (i == close || (depth == 0 && DdlTokenIsPunct(tok, ',')))
		{
			FlinkArg   *arg = palloc(sizeof(FlinkArg));

			if (i == first)
				FlinkError(x, tok->location, ERRCODE_SYNTAX_ERROR,
						   "syntax error: missing function argument", NULL);
			arg->first = first;
			arg->end = i;
			args = lappend(args, arg);
			first = i + 1;
		}
	}
	return args;
}

/* is the argument MAP[...] and nothing else? */
static bool
is_map_arg(FlinkXlate *x, FlinkArg *arg)
{
	return DdlTokenIsKeyword(FlinkTok(x, arg->first), "MAP") &&
		DdlTokenIsPunct(FlinkTok(x, arg->first + 1), '[') &&
		FlinkMatching(x, arg->first + 1) == arg->end - 1;
}

char *
FlinkXlateRange(FlinkXlate *x, int first, int end)
{
	FlinkXlate	save = *x;
	StringInfoData buf;
	char	   *result;

	initStringInfo(&buf);
	x->out = &buf;
	x->pos = first;
	x->copied = FlinkTok(x, first)->location;
	x->table_pos = false;
	FlinkXlateUntil(x, end);
	result = buf.data;
	*x = save;
	return result;
}

char *
FlinkObjectName(FlinkXlate *x, int i, int *next, List **parts)
{
	int			n = 0;
	int			first = i;
	StringInfoData buf;

	*parts = NIL;
	for (;;)
	{
		if (!DdlTokenIsIdent(FlinkTok(x, i)))
			FlinkError(x, FlinkTok(x, i)->location, ERRCODE_SYNTAX_ERROR,
					   "syntax error: expected a name", NULL);
		*parts = lappend(*parts, FlinkTok(x, i));
		n++;
		i++;
		if (!DdlTokenIsPunct(FlinkTok(x, i), '.') || !DdlTokenIsIdent(FlinkTok(x, i + 1)))
			break;
		i++;
	}
	*next = i;
	if (n > 3)
		FlinkError(x, FlinkTok(x, first)->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   "improper qualified name (too many dotted names)",
				   "Write a table or model name as [schema.]name or `environment`.`cluster`.`name`.");
	if (n == 3)
	{
		/* `env`.`cluster`.`name` means name */
		*parts = list_make1(llast(*parts));
	}
	initStringInfo(&buf);
	for (int k = 0; k < list_length(*parts); k++)
		appendStringInfo(&buf, "%s%s", k ? "." : "",
						 FlinkTokenText(x, list_nth(*parts, k)));
	return buf.data;
}

/*
 * model_ref_at
 *		The model named by argument arg: a string ('m$2', 'env.cluster.m')
 *		or a name (m, `m$all`, `env`.`cluster`.`m`).  *literal receives it
 *		as a PostgreSQL string literal for the mlpredict functions.
 */
static MlModelRef *
model_ref_at(FlinkXlate *x, FlinkArg *arg, char **literal)
{
	DdlToken   *tok = FlinkTok(x, arg->first);
	List	   *parts;
	int			next;
	char	   *names[3];
	int			n = 0;
	ListCell   *lc;
	StringInfoData buf;
	MlModelRef *ref;

	if (tok->kind == DDL_TOKEN_STRING && arg->end == arg->first + 1)
	{
		*literal = FlinkTokenText(x, tok);
		return MlParseModelRefAt(tok->value, x->query, tok->location);
	}
	if (!DdlTokenIsIdent(tok))
		FlinkError(x, tok->location, ERRCODE_SYNTAX_ERROR,
				   "syntax error: expected a model name", "Write the model name as a string, such as 'my_model$2'.");
	(void) FlinkObjectName(x, arg->first, &next, &parts);
	if (next != arg->end)
		FlinkError(x, FlinkTok(x, next)->location, ERRCODE_SYNTAX_ERROR,
				   "syntax error: expected a model name", NULL);
	initStringInfo(&buf);
	foreach(lc, parts)
	{
		DdlToken   *part = lfirst(lc);
		char	   *name = DdlTokenIdentifier(part);
		/* an unquoted word stays as written, so that the string is folded,
		 * and its other spelling kept, as the name was here */
		const char *spelled = part->kind == DDL_TOKEN_WORD ? part->value : name;
		bool		bare = isalpha((unsigned char) spelled[0]) || spelled[0] == '_';

		for (const char *c = spelled; *c; c++)
			bare &= isalnum((unsigned char) *c) || *c == '_' || *c == '$';
		if (part->kind != DDL_TOKEN_WORD)
			bare &= strcmp(spelled, asc_tolower(spelled, strlen(spelled))) == 0;
		names[n++] = name;
		appendStringInfo(&buf, "%s%s", n > 1 ? "." : "",
						 bare ? spelled : quote_identifier(name));
	}
	*literal = quote_literal_cstr(buf.data);
	ref = MlMakeModelRef(names, n, pstrdup(buf.data), x->query, tok->location);
	MlModelRefSetAltName(ref, llast(parts));
	return ref;
}

/* the model a reference names, or 42704 at location */
static MlModel *
lookup_model(FlinkXlate *x, MlModelRef *ref, int location)
{
	MlModelRef	plain = *ref;
	MlModel    *model;

	if (plain.version_kind == ML_VERSION_ALL)
		plain.version_kind = ML_VERSION_DEFAULT;
	model = CatalogGetModel(&plain, true);
	if (model == NULL && plain.version_kind == ML_VERSION_NUMBER)
	{
		MlModelRef	any = plain;

		any.version_kind = ML_VERSION_DEFAULT;
		if (CatalogGetModel(&any, true) != NULL)
			FlinkError(x, location, ERRCODE_UNDEFINED_OBJECT,
					   psprintf("model \"%s\" has no version %d", plain.name, plain.version),
					   "DESCRIBE MODEL shows its versions.");
	}
	if (model == NULL)
		FlinkError(x, location, ERRCODE_UNDEFINED_OBJECT,
				   psprintf("model \"%s\" does not exist",
							plain.schema ? psprintf("%s.%s", plain.schema, plain.name) : plain.name),
				   plain.version_kind == ML_VERSION_NUMBER ?
				   "Check the model name and its version with SHOW MODELS." :
				   "Create it with CREATE MODEL, or check the name with SHOW MODELS.");
	return model;
}

/* 42883 unless the model takes ninputs inputs */
static void
check_arity(FlinkXlate *x, MlModel *model, int ninputs, int location)
{
	int			want = list_length(model->input);

	if (ninputs != want)
		FlinkError(x, location, ERRCODE_UNDEFINED_FUNCTION,
				   psprintf("model \"%s\" takes %d input%s but %d %s given",
							model->name, want, want == 1 ? "" : "s",
							ninputs, ninputs == 1 ? "was" : "were"),
				   psprintf("The model's INPUT is (%s).", MlColumnsToFlink(model->input)));
}

/*
 * call_args
 *		", a, b[, opts]": the translated arguments from index 1 of args.
 */
static char *
call_args(FlinkXlate *x, List *args, int from)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = from; i < list_length(args); i++)
	{
		FlinkArg   *arg = list_nth(args, i);

		appendStringInfo(&buf, ", %s", FlinkXlateRange(x, arg->first, arg->end));
	}
	return buf.data;
}

/*
 * parse_alias
 *		An alias after a FROM item ending before index i: [AS] name
 *		[(col, ...)].  Returns the index after it; *alias and *cols (token
 *		pointers) stay NULL/NIL when absent.
 */
static int
parse_alias(FlinkXlate *x, int i, DdlToken **alias, List **cols)
{
	bool		as = DdlTokenIsKeyword(FlinkTok(x, i), "AS");

	*alias = NULL;
	*cols = NIL;
	if (as)
		i++;
	if (i >= x->stop || !DdlTokenIsIdent(FlinkTok(x, i)) ||
		(!as && FlinkKeywordIn(FlinkTok(x, i), not_alias)))
	{
		if (as)
			FlinkError(x, FlinkTok(x, i)->location, ERRCODE_SYNTAX_ERROR,
					   "syntax error: expected an alias after AS", NULL);
		return i;
	}
	*alias = FlinkTok(x, i++);
	if (!DdlTokenIsPunct(FlinkTok(x, i), '('))
		return i;
	for (i++;; i++)
	{
		if (!DdlTokenIsIdent(FlinkTok(x, i)))
			FlinkError(x, FlinkTok(x, i)->location, ERRCODE_SYNTAX_ERROR,
					   "syntax error: expected a column name", NULL);
		*cols = lappend(*cols, FlinkTok(x, i));
		if (DdlTokenIsPunct(FlinkTok(x, i + 1), ')'))
			return i + 2;
		if (!DdlTokenIsPunct(FlinkTok(x, i + 1), ','))
			FlinkError(x, FlinkTok(x, i + 1)->location, ERRCODE_SYNTAX_ERROR,
					   "syntax error: expected \",\" or \")\" in the column list", NULL);
		i++;
	}
}

/*
 * output_columns
 *		"name type, ..." for a model's OUTPUT, named by cols when given.
 */
static char *
output_columns(FlinkXlate *x, MlModel *model, List *cols, int location)
{
	StringInfoData buf;
	ListCell   *lc;
	int			i = 0;

	if (cols != NIL && list_length(cols) != list_length(model->output))
		FlinkError(x, location, ERRCODE_SYNTAX_ERROR,
				   psprintf("%d column names given but model \"%s\" has %d OUTPUT column%s",
							list_length(cols), model->name, list_length(model->output),
							list_length(model->output) == 1 ? "" : "s"),
				   psprintf("The model's OUTPUT is (%s).", MlColumnsToFlink(model->output)));
	initStringInfo(&buf);
	foreach(lc, model->output)
	{
		MlColumn   *col = lfirst(lc);

		appendStringInfo(&buf, "%s%s %s", i ? ", " : "",
						 cols ? FlinkTokenText(x, list_nth(cols, i)) : quote_identifier(col->name),
						 col->pgtype);
		i++;
	}
	return buf.data;
}

/*
 * lateral_table
 *		LATERAL TABLE(ML_PREDICT | AI_COMPLETE | AI_EMBEDDING (...)) [alias],
 *		x->pos at LATERAL.
 */
static void
lateral_table(FlinkXlate *x)
{
	int			i = x->pos;
	int			close = matching_or_error(x, i + 2, "TABLE(...)");
	DdlToken   *fn = FlinkTok(x, i + 3);
	int			fclose;
	List	   *args;
	FlinkArg   *model_arg;
	char	   *literal;
	MlModel    *model;
	DdlToken   *alias;
	List	   *cols;
	int			next;
	int			nargs;
	bool		ai = DdlTokenIsKeyword(fn, "AI_COMPLETE") || DdlTokenIsKeyword(fn, "AI_EMBEDDING");

	if (!DdlTokenIsPunct(FlinkTok(x, i + 4), '(') ||
		(fclose = FlinkMatching(x, i + 4)) != close - 1)
		FlinkError(x, fn->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   "LATERAL TABLE(...) takes one table function call",
				   "Write LATERAL TABLE(ML_PREDICT('model', columns...)).");
	if (!ai && !DdlTokenIsKeyword(fn, "ML_PREDICT"))
		FlinkError(x, fn->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   psprintf("table function %s is not supported", fn->value),
				   "LATERAL TABLE(...) takes ML_PREDICT, AI_COMPLETE or AI_EMBEDDING.");
	args = split_args(x, i + 4, fclose);
	if (args == NIL)
		FlinkError(x, fn->location, ERRCODE_UNDEFINED_FUNCTION,
				   psprintf("%s needs a model name and its inputs", fn->value), NULL);
	model_arg = linitial(args);
	model = lookup_model(x, model_ref_at(x, model_arg, &literal),
						 FlinkTok(x, model_arg->first)->location);
	nargs = list_length(args) - 1;
	if (nargs > 0 && is_map_arg(x, llast(args)))
		nargs--;
	if (ai && (list_length(args) < 2 || list_length(args) > 3))
		FlinkError(x, fn->location, ERRCODE_UNDEFINED_FUNCTION,
				   psprintf("%s takes a model name, one input and optionally a MAP of options",
							fn->value), NULL);
	if (!ai)
		check_arity(x, model, nargs, fn->location);
	next = parse_alias(x, close + 1, &alias, &cols);

	FlinkEmitAt(x, FlinkTok(x, i)->location,
				psprintf("LATERAL mlpredict.%s(%s%s)", ai ?
						 (DdlTokenIsKeyword(fn, "AI_COMPLETE") ? "ai_complete" : "ai_embedding") :
						 "ml_predict", literal, call_args(x, args, 1)));
	if (ai)
	{
		MlColumn   *out = linitial(model->output);

		if (list_length(cols) > 1)
			FlinkError(x, ((DdlToken *) lsecond(cols))->location, ERRCODE_SYNTAX_ERROR,
					   psprintf("%s returns one column", fn->value), NULL);
		appendStringInfo(x->out, " AS %s(%s)",
						 alias ? FlinkTokenText(x, alias) : (DdlTokenIsKeyword(fn, "AI_COMPLETE") ?
															 "ai_complete" : "ai_embedding"),
						 cols ? FlinkTokenText(x, linitial(cols)) : quote_identifier(out->name));
	}
	else
		appendStringInfo(x->out, " AS %s(%s)", alias ? FlinkTokenText(x, alias) : "",
						 output_columns(x, model, cols,
										alias ? alias->location : FlinkTok(x, close)->location));
	x->copied = tok_end(FlinkTok(x, next - 1));
	x->pos = next;
}

/* is name among the C strings of list? */
static bool
name_taken(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp(lfirst(lc), name) == 0)
			return true;
	return false;
}

/* the user columns of a table, in order; 42P01 at location if none */
static List *
table_columns(FlinkXlate *x, List *parts, int location)
{
	RangeVar   *rv;
	Oid			relid;
	Relation	rel;
	List	   *names = NIL;

	rv = list_length(parts) == 2 ?
		makeRangeVar(DdlTokenIdentifier(linitial(parts)), DdlTokenIdentifier(lsecond(parts)), -1) :
		makeRangeVar(NULL, DdlTokenIdentifier(linitial(parts)), -1);
	relid = RangeVarGetRelid(rv, AccessShareLock, true);
	if (!OidIsValid(relid))
		FlinkError(x, location, ERRCODE_UNDEFINED_TABLE,
				   psprintf("relation \"%s\" does not exist", rv->relname), NULL);
	rel = relation_open(relid, NoLock);
	for (int i = 0; i < RelationGetDescr(rel)->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), i);

		if (!att->attisdropped)
			names = lappend(names, pstrdup(NameStr(att->attname)));
	}
	relation_close(rel, NoLock);
	return names;
}

/* strip a named-argument prefix "NAME =>" from arg; return the name */
static const char *
arg_name(FlinkXlate *x, FlinkArg *arg)
{
	DdlToken   *tok = FlinkTok(x, arg->first);

	if (tok->kind == DDL_TOKEN_WORD && DdlTokenIsPunct(FlinkTok(x, arg->first + 1), '=') &&
		DdlTokenIsPunct(FlinkTok(x, arg->first + 2), '>') && arg->end > arg->first + 3)
	{
		arg->first += 3;
		return tok->value;
	}
	return NULL;
}

/*
 * oss_seconds
 *		A Flink duration ('100s', '2 min', '1500ms', '30': milliseconds) in
 *		whole seconds, at least 1; -1 if it is not one.
 */
static int
oss_seconds(const char *text)
{
	char	   *end;
	double		n = strtod(text, &end);
	double		scale = 0.001;

	if (end == text || n < 0)
		return -1;
	while (*end == ' ')
		end++;
	if (pg_strcasecmp(end, "s") == 0 || pg_strcasecmp(end, "sec") == 0 ||
		pg_strcasecmp(end, "second") == 0 || pg_strcasecmp(end, "seconds") == 0)
		scale = 1;
	else if (pg_strcasecmp(end, "min") == 0 || pg_strcasecmp(end, "minute") == 0 ||
			 pg_strcasecmp(end, "minutes") == 0)
		scale = 60;
	else if (pg_strcasecmp(end, "h") == 0 || pg_strcasecmp(end, "hour") == 0 ||
			 pg_strcasecmp(end, "hours") == 0)
		scale = 3600;
	else if (*end != '\0' && pg_strcasecmp(end, "ms") != 0)
		return -1;
	n = ceil(n * scale);
	return n < 1 ? 1 : (n > 1000000 ? 1000000 : (int) n);
}

/*
 * oss_config
 *		The CONFIG map of open-source Flink's ML_PREDICT as mlpredict.map():
 *		its keys become mlpredict's runtime options (async -> async_enabled,
 *		timeout '100s' -> client_timeout 100, max-concurrent-operations ->
 *		max_parallelism, output-mode ORDERED | ALLOW_UNORDERED -> ordered);
 *		other keys (Confluent's) pass as they are.
 */
static char *
oss_config(FlinkXlate *x, FlinkArg *map)
{
	List	   *items = split_args(x, map->first + 1, map->end - 1);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "mlpredict.map(");
	for (int k = 0; k < list_length(items); k++)
	{
		FlinkArg   *item = list_nth(items, k);
		DdlToken   *key = FlinkTok(x, item->first);
		FlinkArg   *value = k + 1 < list_length(items) ? list_nth(items, k + 1) : NULL;
		DdlToken   *v = value ? FlinkTok(x, value->first) : NULL;
		bool		v_string = v && v->kind == DDL_TOKEN_STRING && value->end == value->first + 1;
		const char *name = key->kind == DDL_TOKEN_STRING ? key->value : "";
		char	   *text = FlinkXlateRange(x, item->first, item->end);

		if (k > 0)
			appendStringInfoString(&buf, ", ");
		if (k % 2 == 0 && strcmp(name, "async") == 0)
			text = "'async_enabled'";
		else if (k % 2 == 0 && strcmp(name, "max-concurrent-operations") == 0)
			text = "'max_parallelism'";
		else if (k % 2 == 0 && strcmp(name, "timeout") == 0 && v_string &&
				 oss_seconds(v->value) > 0)
		{
			appendStringInfo(&buf, "'client_timeout', %d", oss_seconds(v->value));
			k++;
			continue;
		}
		else if (k % 2 == 0 && strcmp(name, "output-mode") == 0 && v_string)
		{
			appendStringInfo(&buf, "'ordered', %s",
							 pg_strcasecmp(v->value, "ALLOW_UNORDERED") == 0 ? "false" : "true");
			k++;
			continue;
		}
		appendStringInfoString(&buf, text);
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * predict_ptf
 *		ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(c, ...) [, CONFIG => MAP[]]),
 *		x->pos at ML_PREDICT.
 */
static void
predict_ptf(FlinkXlate *x)
{
	int			i = x->pos;
	int			close = matching_or_error(x, i + 1, "ML_PREDICT(...)");
	List	   *args = split_args(x, i + 1, close);
	FlinkArg   *slot[4] = {NULL, NULL, NULL, NULL};
	static const char *const names[4] = {"INPUT", "MODEL", "ARGS", "CONFIG"};
	ListCell   *lc;
	int			k = 0;
	int			next;
	List	   *parts;
	char	   *table;
	List	   *incols;
	List	   *taken;
	char	   *literal;
	MlModelRef *ref;
	MlModel    *model;
	List	   *desc;
	StringInfoData sel;
	StringInfoData call;
	StringInfoData defs;
	DdlToken   *alias;
	List	   *cols;

	foreach(lc, args)
	{
		FlinkArg   *arg = lfirst(lc);
		const char *name = arg_name(x, arg);
		int			s = k;

		if (name)
			for (s = 0; s < 4 && pg_strcasecmp(name, names[s]) != 0; s++)
				;
		if (s >= 4 || slot[s])
			FlinkError(x, FlinkTok(x, arg->first)->location, ERRCODE_SYNTAX_ERROR,
					   "ML_PREDICT takes TABLE t, MODEL m, DESCRIPTOR(columns) and optionally a MAP of options",
					   "The argument names are INPUT, MODEL, ARGS and CONFIG.");
		slot[s] = arg;
		k = s + 1;
	}
	if (!slot[0] || !slot[1] || !slot[2] ||
		!DdlTokenIsKeyword(FlinkTok(x, slot[0]->first), "TABLE") ||
		!DdlTokenIsKeyword(FlinkTok(x, slot[1]->first), "MODEL") ||
		!is_call(x, slot[2]->first, "DESCRIPTOR") ||
		FlinkMatching(x, slot[2]->first + 1) != slot[2]->end - 1 ||
		(slot[3] && !is_map_arg(x, slot[3])))
		FlinkError(x, FlinkTok(x, i)->location, ERRCODE_SYNTAX_ERROR,
				   "ML_PREDICT takes TABLE t, MODEL m, DESCRIPTOR(columns) and optionally a MAP of options",
				   "Write ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(c1, c2)), or LATERAL TABLE(ML_PREDICT('m', c1, c2)).");

	/* the table and its columns */
	table = FlinkObjectName(x, slot[0]->first + 1, &next, &parts);
	if (next != slot[0]->end)
		FlinkError(x, FlinkTok(x, next)->location, ERRCODE_SYNTAX_ERROR,
				   "syntax error: expected a table name after TABLE", NULL);
	incols = table_columns(x, parts, FlinkTok(x, slot[0]->first + 1)->location);

	/* the model */
	slot[1]->first++;
	ref = model_ref_at(x, slot[1], &literal);
	model = lookup_model(x, ref, FlinkTok(x, slot[1]->first)->location);

	/* the descriptor's columns are the model's inputs */
	desc = split_args(x, slot[2]->first + 1, slot[2]->end - 1);
	check_arity(x, model, list_length(desc), FlinkTok(x, slot[2]->first)->location);
	initStringInfo(&call);
	appendStringInfo(&call, "mlpredict.ml_predict(%s", literal);
	foreach(lc, desc)
	{
		FlinkArg   *arg = lfirst(lc);

		if (arg->end != arg->first + 1 || !DdlTokenIsIdent(FlinkTok(x, arg->first)))
			FlinkError(x, FlinkTok(x, arg->first)->location, ERRCODE_SYNTAX_ERROR,
					   "syntax error: DESCRIPTOR takes column names", NULL);
		if (!name_taken(incols, DdlTokenIdentifier(FlinkTok(x, arg->first))))
			FlinkError(x, FlinkTok(x, arg->first)->location, ERRCODE_UNDEFINED_COLUMN,
					   psprintf("column \"%s\" does not exist in table %s",
								DdlTokenIdentifier(FlinkTok(x, arg->first)), table), NULL);
		appendStringInfo(&call, ", mlpredict_in.%s", FlinkTokenText(x, FlinkTok(x, arg->first)));
	}
	if (slot[3])
		appendStringInfo(&call, ", %s", oss_config(x, slot[3]));
	appendStringInfoChar(&call, ')');

	/* the output: input columns, then OUTPUT columns renamed on a clash */
	initStringInfo(&sel);
	initStringInfo(&defs);
	appendStringInfoString(&sel, "mlpredict_in.*");
	taken = list_copy(incols);
	foreach(lc, model->output)
	{
		MlColumn   *col = lfirst(lc);
		char	   *name = col->name;

		for (int n = 0; name_taken(taken, name); n++)
			name = psprintf("%s%d", col->name, n);
		taken = lappend(taken, name);
		appendStringInfo(&sel, ", mlpredict_out.%s", quote_identifier(col->name));
		if (name != col->name)
			appendStringInfo(&sel, " AS %s", quote_identifier(name));
		appendStringInfo(&defs, "%s%s %s", defs.len ? ", " : "",
						 quote_identifier(col->name), col->pgtype);
	}
	(void) parse_alias(x, close + 1, &alias, &cols);
	FlinkEmitAt(x, FlinkTok(x, i)->location,
				psprintf("(SELECT %s FROM %s AS mlpredict_in, LATERAL %s AS mlpredict_out(%s))%s",
						 sel.data, table, call.data, defs.data,
						 alias ? "" : " AS ml_predict"));
	x->copied = tok_end(FlinkTok(x, close));
	x->pos = close + 1;
}

/* MAP[...] at x->pos */
static void
map_literal(FlinkXlate *x)
{
	int			i = x->pos;
	int			close = matching_or_error(x, i + 1, "MAP[...]");

	FlinkEmitAt(x, FlinkTok(x, i)->location,
				psprintf("mlpredict.map(%s)",
						 close == i + 2 ? "" : FlinkXlateRange(x, i + 2, close)));
	x->copied = tok_end(FlinkTok(x, close));
	x->pos = close + 1;
}

/* CAST(x AS type) at x->pos: the type in PostgreSQL's words */
static void
cast_call(FlinkXlate *x)
{
	int			i = x->pos;
	int			close = matching_or_error(x, i + 1, "CAST(...)");
	int			as = -1;
	int			depth = 0;
	char	   *text;
	List	   *cols;

	for (int k = i + 2; k < close; k++)
	{
		DdlToken   *tok = FlinkTok(x, k);

		if (DdlTokenIsPunct(tok, '(') || DdlTokenIsPunct(tok, '['))
			depth++;
		else if (DdlTokenIsPunct(tok, ')') || DdlTokenIsPunct(tok, ']'))
			depth--;
		else if (depth == 0 && DdlTokenIsKeyword(tok, "AS"))
			as = k;
	}
	if (as < 0 || as + 1 >= close)
	{
		emit_token(x, i);
		x->pos = i + 1;
		return;
	}
	/* "AS <type>" parses as a column named as */
	text = pnstrdup(x->query + FlinkTok(x, as)->location,
					FlinkTok(x, close)->location - FlinkTok(x, as)->location);
	cols = MlParseColumns(text, "CAST", x->query, FlinkTok(x, as)->location);
	FlinkEmitAt(x, FlinkTok(x, i)->location,
				psprintf("CAST(%s AS %s)", FlinkXlateRange(x, i + 2, as),
						 ((MlColumn *) linitial(cols))->pgtype));
	x->copied = tok_end(FlinkTok(x, close));
	x->pos = close + 1;
}

/* AI_COMPLETE(...) or AI_EMBEDDING(...) outside LATERAL TABLE */
static void
ai_call(FlinkXlate *x)
{
	int			i = x->pos;
	DdlToken   *fn = FlinkTok(x, i);
	int			close = matching_or_error(x, i + 1, "function call");
	List	   *args = split_args(x, i + 1, close);
	char	   *literal;

	if (list_length(args) < 2 || list_length(args) > 3)
		FlinkError(x, fn->location, ERRCODE_UNDEFINED_FUNCTION,
				   psprintf("%s takes a model name, one input and optionally a MAP of options",
							fn->value), NULL);
	(void) lookup_model(x, model_ref_at(x, linitial(args), &literal),
						FlinkTok(x, ((FlinkArg *) linitial(args))->first)->location);
	FlinkEmitAt(x, fn->location,
				psprintf("mlpredict.%s(%s%s)",
						 DdlTokenIsKeyword(fn, "AI_COMPLETE") ? "ai_complete" : "ai_embedding",
						 literal, call_args(x, args, 1)));
	x->copied = tok_end(FlinkTok(x, close));
	x->pos = close + 1;
}

/* the position check for predict_ptf: ML_PREDICT( TABLE or INPUT => */
static bool
is_predict_ptf(FlinkXlate *x)
{
	return is_call(x, x->pos, "ML_PREDICT") &&
		(DdlTokenIsKeyword(FlinkTok(x, x->pos + 2), "TABLE") ||
		 DdlTokenIsKeyword(FlinkTok(x, x->pos + 2), "INPUT"));
}

/* refuse the Flink constructs without a translation */
static void
check_unsupported(FlinkXlate *x)
{
	DdlToken   *tok = FlinkTok(x, x->pos);
	DdlToken   *next = FlinkTok(x, x->pos + 1);

	if (FlinkKeywordIn(tok, unsupported_calls) && DdlTokenIsPunct(next, '('))
		FlinkError(x, tok->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   psprintf("Flink function %s is not supported", tok->value),
				   "mlpredict.execute() translates ML_PREDICT, AI_COMPLETE, AI_EMBEDDING and ML_EVALUATE; windows, pattern matching and the other AI functions have no PostgreSQL translation.");
	if (DdlTokenIsKeyword(tok, "MATCH_RECOGNIZE"))
		FlinkError(x, tok->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   "MATCH_RECOGNIZE is not supported", NULL);
	if (DdlTokenIsKeyword(tok, "FOR") && DdlTokenIsKeyword(next, "SYSTEM_TIME"))
		FlinkError(x, tok->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   "temporal joins (FOR SYSTEM_TIME AS OF) are not supported", NULL);
	if (DdlTokenIsKeyword(tok, "TABLE") && DdlTokenIsPunct(next, '(') &&
		FlinkKeywordIn(FlinkTok(x, x->pos + 2), unsupported_calls) &&
		DdlTokenIsPunct(FlinkTok(x, x->pos + 3), '('))
		FlinkError(x, FlinkTok(x, x->pos + 2)->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   psprintf("Flink function %s is not supported", FlinkTok(x, x->pos + 2)->value),
				   "mlpredict.execute() translates ML_PREDICT, AI_COMPLETE, AI_EMBEDDING and ML_EVALUATE; windows, pattern matching and the other AI functions have no PostgreSQL translation.");
	if (DdlTokenIsKeyword(tok, "TABLE") && DdlTokenIsPunct(next, '('))
		FlinkError(x, tok->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   "TABLE(...) is supported only as LATERAL TABLE(ML_PREDICT | AI_COMPLETE | AI_EMBEDDING(...))",
				   NULL);
	if (is_call(x, x->pos, "ML_PREDICT") && !is_predict_ptf(x))
		FlinkError(x, tok->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   "ML_PREDICT is a table function",
				   "Write FROM t, LATERAL TABLE(ML_PREDICT('model', columns...)) or FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(columns)).");
	if (is_call(x, x->pos, "ML_EVALUATE"))
		FlinkError(x, tok->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   "ML_EVALUATE must be the only item of the select list",
				   "Write SELECT ML_EVALUATE('model', label, inputs...) FROM t.");
}

/* track the clause we are in and whether a table name comes next */
static void
track_clause(FlinkXlate *x, DdlToken *tok)
{
	bool		was_table_pos = x->table_pos;

	x->table_pos = false;
	if (DdlTokenIsPunct(tok, '('))
	{
		if (x->depth < FLINK_MAX_DEPTH - 1)
			x->in_from[++x->depth] = false;
	}
	else if (DdlTokenIsPunct(tok, ')'))
	{
		if (x->depth > 0)
			x->depth--;
	}
	else if (DdlTokenIsKeyword(tok, "FROM") || DdlTokenIsKeyword(tok, "JOIN"))
	{
		x->in_from[x->depth] = true;
		x->table_pos = true;
	}
	else if (DdlTokenIsKeyword(tok, "INTO") || DdlTokenIsKeyword(tok, "UPDATE"))
		x->table_pos = true;
	else if (DdlTokenIsKeyword(tok, "LATERAL") || DdlTokenIsKeyword(tok, "ONLY"))
		x->table_pos = was_table_pos;
	else if (DdlTokenIsPunct(tok, ','))
		x->table_pos = x->in_from[x->depth];
	else if (FlinkKeywordIn(tok, other_clauses))
		x->in_from[x->depth] = false;
}

void
FlinkXlateUntil(FlinkXlate *x, int end)
{
	while (x->pos < end)
	{
		DdlToken   *tok = FlinkTok(x, x->pos);

		check_unsupported(x);
		if (DdlTokenIsKeyword(tok, "LATERAL") && DdlTokenIsKeyword(FlinkTok(x, x->pos + 1), "TABLE") &&
			DdlTokenIsPunct(FlinkTok(x, x->pos + 2), '('))
			lateral_table(x);
		else if (is_predict_ptf(x))
			predict_ptf(x);
		else if (DdlTokenIsKeyword(tok, "MAP") && DdlTokenIsPunct(FlinkTok(x, x->pos + 1), '['))
			map_literal(x);
		else if (is_call(x, x->pos, "CAST"))
			cast_call(x);
		else if (is_call(x, x->pos, "AI_COMPLETE") || is_call(x, x->pos, "AI_EMBEDDING"))
			ai_call(x);
		else if (x->table_pos && DdlTokenIsIdent(tok) && !DdlTokenIsKeyword(tok, "LATERAL") &&
				 !DdlTokenIsKeyword(tok, "ONLY"))
		{
			List	   *parts;
			int			next;
			char	   *name = FlinkObjectName(x, x->pos, &next, &parts);

			FlinkEmitAt(x, tok->location, name);
			x->copied = tok_end(FlinkTok(x, next - 1));
			x->pos = next;
			x->table_pos = false;
			continue;
		}
		else
		{
			emit_token(x, x->pos);
			x->pos++;
			track_clause(x, tok);
			continue;
		}
		x->table_pos = false;
	}
}

/*
 * FlinkTranslateEvaluate
 *		SELECT ML_EVALUATE(m, label, in...) [[AS] a] FROM ..., x->pos at
 *		SELECT.
 */
char *
FlinkTranslateEvaluate(FlinkXlate *x)
{
	int			i = x->pos + 1;
	int			close = matching_or_error(x, i + 1, "ML_EVALUATE(...)");
	List	   *args = split_args(x, i + 1, close);
	char	   *literal;
	MlModel    *model;
	int			from;
	DdlToken   *alias;
	List	   *cols;
	StringInfoData inner;

	if (list_length(args) < 2)
		FlinkError(x, FlinkTok(x, i)->location, ERRCODE_UNDEFINED_FUNCTION,
				   "ML_EVALUATE takes a model name, the label column and the model's inputs", NULL);
	model = lookup_model(x, model_ref_at(x, linitial(args), &literal),
						 FlinkTok(x, ((FlinkArg *) linitial(args))->first)->location);
	check_arity(x, model, list_length(args) - 2, FlinkTok(x, i)->location);
	from = parse_alias(x, close + 1, &alias, &cols);
	if (!DdlTokenIsKeyword(FlinkTok(x, from), "FROM"))
		FlinkError(x, FlinkTok(x, from)->location, ERRCODE_FEATURE_NOT_SUPPORTED,
				   "ML_EVALUATE must be the only item of the select list",
				   "Write SELECT ML_EVALUATE('model', label, inputs...) FROM t.");
	initStringInfo(&inner);
	appendStringInfo(&inner, "SELECT %s %s", call_args(x, args, 1) + 2,
					 FlinkXlateRange(x, from, x->stop));
	x->pos = x->stop;
	return psprintf("SELECT * FROM mlpredict.ml_evaluate(%s, %s)", literal,
					quote_literal_cstr(inner.data));
}
