/*-------------------------------------------------------------------------
 *
 * parser.c
 *	  Recursive-descent parser for the Confluent-style statements accepted
 *	  by mlpredict.execute().
 *
 * Grammar (keywords are case-insensitive; [] optional, {} alternatives):
 *
 *	  CREATE [OR REPLACE] CONNECTION [IF NOT EXISTS] conn
 *			[COMMENT 'c'] WITH ( options )
 *	  ALTER CONNECTION [IF EXISTS] conn SET ( options )
 *	  ALTER CONNECTION conn OWNER TO role
 *	  DROP CONNECTION [IF EXISTS] conn [CASCADE | RESTRICT]
 *	  {DESCRIBE | DESC} CONNECTION conn
 *	  SHOW CONNECTIONS [[NOT] LIKE 'pattern']
 *	  CREATE MODEL [IF NOT EXISTS] model [INPUT ( cols )] [OUTPUT ( cols )]
 *			[COMMENT 'c'] WITH ( options )
 *	  ALTER MODEL [IF EXISTS] model SET ( options )
 *	  ALTER MODEL [IF EXISTS] model RESET ( key [, ...] )
 *	  ALTER MODEL [IF EXISTS] model RENAME TO model
 *	  ALTER MODEL model OWNER TO role
 *	  DROP MODEL [IF EXISTS] model
 *	  {DESCRIBE | DESC} MODEL model
 *	  SHOW MODELS [{FROM | IN} {schema | env.cluster}] [[NOT] LIKE 'pattern']
 *	  SHOW CREATE MODEL model
 *	  CREATE CONTINUOUS QUERY [IF NOT EXISTS] name [WITH (options)] AS insert
 *	  ALTER CONTINUOUS QUERY name {PAUSE | RESUME | SET (options)
 *		  | SET MODEL VERSION {n | DEFAULT} [REPROCESS ALL | NEW ROWS ONLY]}
 *	  DROP CONTINUOUS QUERY [IF EXISTS] name
 *	  SHOW CONTINUOUS QUERIES [[NOT] LIKE 'pattern']
 *	  {DESCRIBE | DESC} CONTINUOUS QUERY name
 *	  SHOW CREATE CONTINUOUS QUERY name
 *	  EXPLAIN CONTINUOUS QUERY name
 *	  SET [key = value]		(Flink's session settings; see execute.c)
 *	  RESET [key]
 *	  USE [CATALOG] name | USE MODULES name [, ...]
 *
 *	  (the INSERT ... SELECT of a continuous query is everything after AS,
 *	  kept as text with its offset for src/continuous/ to parse)
 *
 *	  options := key = value [, ...]
 *	  key	  := 'string' | identifier [. identifier ...]
 *	  value   := 'string' | number | TRUE | FALSE
 *	  conn	  := identifier | env . cluster . identifier
 *	  model   := [schema .] name [$version] | env . cluster . name [$version]
 *
 *	  (a three-part name means its last part: see syntax/names.c)
 *	  role	  := identifier | 'string'
 *
 * The INPUT and OUTPUT column lists are kept as raw text (with their byte
 * offsets) for types/typemap.c to parse.  Option keys, duplicates and
 * values are not checked here.  One statement is parsed; a trailing
 * semicolon is allowed and nothing may follow it.  Syntax errors carry the
 * statement as internal query and the position of the offending token.
 * Model references and connection names are built by syntax/names.c,
 * which also parses them when they are passed as strings.
 *
 * All memory is palloc'd in CurrentMemoryContext.
 *
 * IDENTIFICATION
 *	  src/ddl/parser.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "ddl/ddl.h"
#include "syntax/lexer.h"
#include "syntax/names.h"
#include "util.h"

#define SUPPORTED_HINT \
	"Supported statements are CREATE, ALTER, DROP, DESCRIBE, SHOW, GRANT and REVOKE for CONNECTION and MODEL, CREATE, ALTER, DROP, DESCRIBE, SHOW and EXPLAIN for CONTINUOUS QUERY, and the Flink statements SELECT, INSERT, CREATE TABLE, EXPLAIN, SET, RESET and USE."

/* the state of one statement parse */
typedef struct DdlParser
{
	DdlLexer	lex;			/* lexer over the statement, for errors */
	DdlToken   *tokens;			/* all tokens, ending with EOF */
	int			ntokens;
	int			pos;			/* index of the current token */
	DdlStatement *stmt;			/* result under construction */
} DdlParser;

static void parse_create(DdlParser *p);
static void parse_create_connection(DdlParser *p);
static void parse_create_model(DdlParser *p);
static void parse_alter(DdlParser *p);
static void parse_alter_model(DdlParser *p);
static void parse_drop(DdlParser *p);
static void parse_describe(DdlParser *p);
static void parse_show(DdlParser *p);
static void parse_grant(DdlParser *p, bool grant);
static List *parse_options(DdlParser *p, bool with_values);
static char *parse_owner_to(DdlParser *p, bool if_exists);
static char *parse_connection_name(DdlParser *p);
static MlModelRef *parse_model_ref(DdlParser *p, int *location);
static bool accept_continuous_query(DdlParser *p);
static char *parse_cq_name(DdlParser *p);
static void parse_create_cq(DdlParser *p);
static void parse_alter_cq(DdlParser *p);
static char *parse_option_key(DdlParser *p);
static char *parse_option_value(DdlParser *p);

/* the current token */
static inline DdlToken *
current(DdlParser *p)
{
	return &p->tokens[p->pos];
}

/* the token n places after the current one (EOF past the end) */
static inline DdlToken *
lookahead(DdlParser *p, int n)
{
	int			i = p->pos + n;

	if (i >= p->ntokens)
		i = p->ntokens - 1;
	return &p->tokens[i];
}

/* move to the next token; EOF is never passed */
static inline void
advance(DdlParser *p)
{
	if (p->tokens[p->pos].kind != DDL_TOKEN_EOF)
		p->pos++;
}

/* raise a syntax error at the current token */
static _Noreturn void
syntax_error(DdlParser *p, const char *detail, const char *hint)
{
	DdlSyntaxError(&p->lex, current(p), detail, hint);
}

/* consume the keyword if it is the current token */
static bool
accept_keyword(DdlParser *p, const char *keyword)
{
	if (!DdlTokenIsKeyword(current(p), keyword))
		return false;
	advance(p);
	return true;
}

/* consume the keyword or raise a syntax error with detail */
static void
expect_keyword(DdlParser *p, const char *keyword, const char *detail)
{
	if (!accept_keyword(p, keyword))
		syntax_error(p, detail, NULL);
}

/* consume the punctuation character if it is the current token */
static bool
accept_punct(DdlParser *p, char c)
{
	if (!DdlTokenIsPunct(current(p), c))
		return false;
	advance(p);
	return true;
}

/* consume the punctuation character or raise a syntax error with detail */
static void
expect_punct(DdlParser *p, char c, const char *detail)
{
	if (!accept_punct(p, c))
		syntax_error(p, detail, NULL);
}

/*
 * DdlParse
 *		Parse one statement into a palloc'd DdlStatement.  Raises ERROR for
 *		an empty statement and for any syntax error.
 */
DdlStatement *
DdlParse(const char *statement)
{
	return DdlParseAt(statement ? statement : "", 0);
}

/* whether only an optional ";" is left */
static bool
at_statement_end(DdlParser *p)
{
	return current(p)->kind == DDL_TOKEN_EOF || DdlTokenIsPunct(current(p), ';');
}

/* SET, after the keyword: nothing (list), or key = value */
static void
parse_session_set(DdlParser *p)
{
	p->stmt->kind = DDL_FLINK_SET;
	if (at_statement_end(p))
		return;
	p->stmt->session_key = parse_option_key(p);
	expect_punct(p, '=', "Expected = after the setting's key.");
	p->stmt->session_value = parse_option_value(p);
}

/*
 * USE, after the keyword: CATALOG name, MODULES name [, ...], or a
 * [catalog.]database name.  Kept only to be reported: names here carry no
 * catalog or database (see names.c).
 */
static void
parse_use(DdlParser *p)
{
	p->stmt->kind = DDL_FLINK_USE;
	if (accept_keyword(p, "MODULES"))
	{
		do
		{
			if (!DdlTokenIsIdent(current(p)))
				syntax_error(p, "Expected a module name.", NULL);
			advance(p);
		} while (accept_punct(p, ','));
		return;
	}
	(void) accept_keyword(p, "CATALOG");
	if (!DdlTokenIsIdent(current(p)))
		syntax_error(p, "Expected a catalog or database name.", NULL);
	advance(p);
	while (DdlTokenIsPunct(current(p), '.') && DdlTokenIsIdent(lookahead(p, 1)))
	{
		advance(p);
		advance(p);
	}
}

/*
 * DdlParseAt
 *		DdlParse for the statement that starts at byte offset start of
 *		script and runs to its end; every location (and error position) is
 *		an offset into script.
 */
DdlStatement *
DdlParseAt(const char *script, int start)
{
	DdlParser	p;
	const char *statement = script + start;

	memset(&p, 0, sizeof(p));
	DdlLexerInit(&p.lex, statement, script, start);
	p.lex.soft_errors = true;
	p.tokens = DdlLexerTokenize(&p.lex, &p.ntokens);
	if (p.tokens[p.ntokens - 1].kind == DDL_TOKEN_ERROR &&
		!(p.ntokens > 2 && DdlTokenIsKeyword(&p.tokens[0], "CREATE") &&
		  DdlTokenIsKeyword(&p.tokens[1], "CONTINUOUS")))
	{
		/* a lexical error outside a continuous query's SQL: raise it */
		DdlLexerInit(&p.lex, statement, script, start);
		p.tokens = DdlLexerTokenize(&p.lex, &p.ntokens);
	}
	p.lex.soft_errors = false;

	if (current(&p)->kind == DDL_TOKEN_EOF ||
		(DdlTokenIsPunct(current(&p), ';') &&
		 lookahead(&p, 1)->kind == DDL_TOKEN_EOF))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("empty statement")));

	p.stmt = palloc0(sizeof(DdlStatement));
	p.stmt->input_location = -1;
	p.stmt->output_location = -1;

	if (accept_keyword(&p, "CREATE"))
		parse_create(&p);
	else if (accept_keyword(&p, "ALTER"))
		parse_alter(&p);
	else if (accept_keyword(&p, "DROP"))
		parse_drop(&p);
	else if (accept_keyword(&p, "DESCRIBE") || accept_keyword(&p, "DESC"))
		parse_describe(&p);
	else if (accept_keyword(&p, "SHOW"))
		parse_show(&p);
	else if (accept_keyword(&p, "GRANT"))
		parse_grant(&p, true);
	else if (accept_keyword(&p, "REVOKE"))
		parse_grant(&p, false);
	else if (accept_keyword(&p, "SET"))
		parse_session_set(&p);
	else if (accept_keyword(&p, "RESET"))
	{
		p.stmt->kind = DDL_FLINK_RESET;
		if (!at_statement_end(&p))
			p.stmt->session_key = parse_option_key(&p);
	}
	else if (accept_keyword(&p, "USE"))
		parse_use(&p);
	else if (accept_keyword(&p, "EXPLAIN"))
	{
		if (!accept_continuous_query(&p))
			syntax_error(&p, "Expected EXPLAIN CONTINUOUS QUERY.", SUPPORTED_HINT);
		p.stmt->kind = DDL_EXPLAIN_CQ;
		p.stmt->cq_name = parse_cq_name(&p);
	}
	else
		syntax_error(&p, NULL, SUPPORTED_HINT);

	accept_punct(&p, ';');
	if (current(&p)->kind != DDL_TOKEN_EOF)
		syntax_error(&p, NULL, NULL);
	return p.stmt;
}

/* IF NOT EXISTS, when present */
static bool
parse_if_not_exists(DdlParser *p)
{
	if (!DdlTokenIsKeyword(current(p), "IF") ||
		!DdlTokenIsKeyword(lookahead(p, 1), "NOT"))
		return false;
	advance(p);
	advance(p);
	expect_keyword(p, "EXISTS", "Expected IF NOT EXISTS.");
	return true;
}

/* IF EXISTS, when present */
static bool
parse_if_exists(DdlParser *p)
{
	if (!DdlTokenIsKeyword(current(p), "IF") ||
		!DdlTokenIsKeyword(lookahead(p, 1), "EXISTS"))
		return false;
	advance(p);
	advance(p);
	return true;
}

/* a string literal; detail says what was expected */
static char *
parse_string(DdlParser *p, const char *detail)
{
	DdlToken   *tok = current(p);

	if (tok->kind != DDL_TOKEN_STRING)
		syntax_error(p, detail, NULL);
	advance(p);
	return pstrdup(tok->value);
}

/*
 * parse_paren_text
 *		"( ... )" with balanced parentheses: return the raw text between the
 *		outer parentheses and its byte offset in the statement.
 */
static void
parse_paren_text(DdlParser *p, char **text, int *location)
{
	DdlToken   *open = current(p);
	int			depth = 1;
	int			start;

	expect_punct(p, '(', "Expected a column list in parentheses.");
	for (;;)
	{
		DdlToken   *tok = current(p);

		if (tok->kind == DDL_TOKEN_EOF)
			syntax_error(p, "Expected \")\" to close the column list.", NULL);
		if (DdlTokenIsPunct(tok, '('))
			depth++;
		else if (DdlTokenIsPunct(tok, ')') && --depth == 0)
			break;
		advance(p);
	}
	start = open->location + 1;
	*text = pnstrdup(p->lex.query + start, current(p)->location - start);
	*location = start;
	advance(p);
}

/* CREATE [OR REPLACE] {CONNECTION | MODEL} ... */
static void
parse_create(DdlParser *p)
{
	bool		or_replace = false;

	if (accept_keyword(p, "OR"))
	{
		expect_keyword(p, "REPLACE", "Expected OR REPLACE.");
		or_replace = true;
	}
	if (accept_keyword(p, "CONNECTION"))
	{
		p->stmt->or_replace = or_replace;
		parse_create_connection(p);
	}
	else if (!or_replace && accept_continuous_query(p))
		parse_create_cq(p);
	else if (or_replace && DdlTokenIsKeyword(current(p), "MODEL"))
		syntax_error(p, "CREATE OR REPLACE is supported only for connections.",
					 "Run CREATE MODEL again to add a new version of an existing model.");
	else if (accept_keyword(p, "MODEL"))
		parse_create_model(p);
	else
		syntax_error(p, or_replace ? "Expected CONNECTION." :
					 "Expected CONNECTION, MODEL or CONTINUOUS QUERY.", SUPPORTED_HINT);
}

/* CREATE [OR REPLACE] CONNECTION, after the CONNECTION keyword */
static void
parse_create_connection(DdlParser *p)
{
	DdlStatement *stmt = p->stmt;

	stmt->kind = DDL_CREATE_CONNECTION;
	stmt->if_not_exists = parse_if_not_exists(p);
	stmt->connection = parse_connection_name(p);
	if (accept_keyword(p, "COMMENT"))
		stmt->comment = parse_string(p, "Expected a string literal after COMMENT.");
	expect_keyword(p, "WITH", "Expected WITH (...).");
	stmt->options = parse_options(p, true);
}

/* reject name$version where a version makes no sense */
static void
reject_model_version(DdlParser *p, MlModelRef *ref, int location,
					 const char *where)
{
	if (ref->version_kind == ML_VERSION_DEFAULT)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("a model version cannot be specified in %s", where),
			 errhint("Remove the $version suffix from the model name."),
			 internalerrposition(DdlErrorPosition(p->lex.query, location)),
			 internalerrquery(p->lex.query)));
}

/*
 * parse_create_model
 *		CREATE MODEL, after the MODEL keyword.  INPUT, OUTPUT and COMMENT
 *		may come in any order, each at most once.
 */
static void
parse_create_model(DdlParser *p)
{
	DdlStatement *stmt = p->stmt;
	int			location;

	stmt->kind = DDL_CREATE_MODEL;
	stmt->if_not_exists = parse_if_not_exists(p);
	stmt->model = parse_model_ref(p, &location);
	reject_model_version(p, stmt->model, location, "CREATE MODEL");

	for (;;)
	{
		if (stmt->input == NULL && accept_keyword(p, "INPUT"))
			parse_paren_text(p, &stmt->input, &stmt->input_location);
		else if (stmt->output == NULL && accept_keyword(p, "OUTPUT"))
			parse_paren_text(p, &stmt->output, &stmt->output_location);
		else if (stmt->comment == NULL && accept_keyword(p, "COMMENT"))
			stmt->comment = parse_string(p, "Expected a string literal after COMMENT.");
		else
			break;
	}
	expect_keyword(p, "WITH", "Expected WITH (...).");
	stmt->options = parse_options(p, true);
}

/* ALTER {CONNECTION | MODEL} ... */
static void
parse_alter(DdlParser *p)
{
	DdlStatement *stmt = p->stmt;

	if (accept_keyword(p, "CONNECTION"))
	{
		stmt->kind = DDL_ALTER_CONNECTION;
		stmt->if_exists = parse_if_exists(p);
		stmt->connection = parse_connection_name(p);
		if (accept_keyword(p, "OWNER"))
		{
			stmt->kind = DDL_ALTER_CONNECTION_OWNER;
			stmt->new_owner = parse_owner_to(p, stmt->if_exists);
			return;
		}
		expect_keyword(p, "SET", "Expected SET (...) or OWNER TO.");
		stmt->options = parse_options(p, true);
	}
	else if (accept_keyword(p, "MODEL"))
		parse_alter_model(p);
	else if (accept_continuous_query(p))
		parse_alter_cq(p);
	else
		syntax_error(p, "Expected CONNECTION, MODEL or CONTINUOUS QUERY.", SUPPORTED_HINT);
}

/* ALTER MODEL, after the MODEL keyword: SET, RESET or RENAME TO */
static void
parse_alter_model(DdlParser *p)
{
	DdlStatement *stmt = p->stmt;
	int			location;
	int			new_location;

	stmt->if_exists = parse_if_exists(p);
	stmt->model = parse_model_ref(p, &location);
	if (accept_keyword(p, "SET"))
	{
		stmt->kind = DDL_ALTER_MODEL_SET;
		stmt->options = parse_options(p, true);
	}
	else if (accept_keyword(p, "RESET"))
	{
		stmt->kind = DDL_ALTER_MODEL_RESET;
		stmt->options = parse_options(p, false);
	}
	else if (accept_keyword(p, "OWNER"))
	{
		stmt->kind = DDL_ALTER_MODEL_OWNER;
		reject_model_version(p, stmt->model, location, "ALTER MODEL ... OWNER TO");
		stmt->new_owner = parse_owner_to(p, stmt->if_exists);
	}
	else if (accept_keyword(p, "RENAME"))
	{
		stmt->kind = DDL_ALTER_MODEL_RENAME;
		expect_keyword(p, "TO", "Expected RENAME TO.");
		reject_model_version(p, stmt->model, location, "ALTER MODEL ... RENAME");
		stmt->new_model = parse_model_ref(p, &new_location);
		reject_model_version(p, stmt->new_model, new_location,
							 "ALTER MODEL ... RENAME");
	}
	else
		syntax_error(p, "Expected SET (...), RESET (...), RENAME TO or OWNER TO.", NULL);
}

/*
 * OWNER TO role, after the OWNER keyword.  IF EXISTS is not taken with it,
 * as PostgreSQL's ALTER ... OWNER TO takes none.
 */
static char *
parse_owner_to(DdlParser *p, bool if_exists)
{
	DdlToken   *tok;
	char	   *role;

	if (if_exists)
		syntax_error(p, "ALTER ... OWNER TO does not take IF EXISTS.", NULL);
	expect_keyword(p, "TO", "Expected OWNER TO and a role.");
	tok = current(p);
	if (tok->kind == DDL_TOKEN_STRING)
		role = pstrdup(tok->value);
	else if (DdlTokenIsIdent(tok))
		role = DdlTokenIdentifier(tok);
	else
		syntax_error(p, "Expected a role name.", NULL);
	advance(p);
	return role;
}

/* DROP {CONNECTION [IF EXISTS] name [CASCADE | RESTRICT] | MODEL [IF EXISTS] name} */
static void
parse_drop(DdlParser *p)
{
	DdlStatement *stmt = p->stmt;
	int			location;

	if (accept_keyword(p, "CONNECTION"))
	{
		stmt->kind = DDL_DROP_CONNECTION;
		stmt->if_exists = parse_if_exists(p);
		stmt->connection = parse_connection_name(p);
		if (accept_keyword(p, "CASCADE"))
			stmt->cascade = true;
		else
			(void) accept_keyword(p, "RESTRICT");
	}
	else if (accept_keyword(p, "MODEL"))
	{
		stmt->kind = DDL_DROP_MODEL;
		stmt->if_exists = parse_if_exists(p);
		stmt->model = parse_model_ref(p, &location);
	}
	else if (accept_continuous_query(p))
	{
		stmt->kind = DDL_DROP_CQ;
		stmt->if_exists = parse_if_exists(p);
		stmt->cq_name = parse_cq_name(p);
	}
	else
		syntax_error(p, "Expected CONNECTION, MODEL or CONTINUOUS QUERY.", SUPPORTED_HINT);
}

/* {DESCRIBE | DESC} {CONNECTION | MODEL} name */
static void
parse_describe(DdlParser *p)
{
	DdlStatement *stmt = p->stmt;
	int			location;

	if (accept_keyword(p, "CONNECTION"))
	{
		stmt->kind = DDL_DESCRIBE_CONNECTION;
		stmt->connection = parse_connection_name(p);
	}
	else if (accept_keyword(p, "MODEL"))
	{
		stmt->kind = DDL_DESCRIBE_MODEL;
		stmt->model = parse_model_ref(p, &location);
	}
	else if (accept_continuous_query(p))
	{
		stmt->kind = DDL_DESCRIBE_CQ;
		stmt->cq_name = parse_cq_name(p);
	}
	else
		syntax_error(p, "Expected CONNECTION, MODEL or CONTINUOUS QUERY.", SUPPORTED_HINT);
}

/*
 * GRANT USAGE ON CONNECTION c TO role [, ...]
 * GRANT EXECUTE ON MODEL m TO role [, ...]
 * REVOKE ... FROM role [, ...]
 * A role is an identifier (PUBLIC for everyone) or a string.
 */
static void
parse_grant(DdlParser *p, bool grant)
{
	DdlStatement *stmt = p->stmt;
	int			location;

	stmt->kind = grant ? DDL_GRANT : DDL_REVOKE;
	if (accept_keyword(p, "USAGE"))
	{
		expect_keyword(p, "ON", "Expected USAGE ON CONNECTION.");
		expect_keyword(p, "CONNECTION", "USAGE is granted on a CONNECTION.");
		stmt->connection = parse_connection_name(p);
	}
	else if (accept_keyword(p, "EXECUTE"))
	{
		expect_keyword(p, "ON", "Expected EXECUTE ON MODEL.");
		expect_keyword(p, "MODEL", "EXECUTE is granted on a MODEL.");
		stmt->model = parse_model_ref(p, &location);
		reject_model_version(p, stmt->model, location, grant ? "GRANT" : "REVOKE");
	}
	else
		syntax_error(p, "Expected USAGE ON CONNECTION or EXECUTE ON MODEL.", NULL);
	expect_keyword(p, grant ? "TO" : "FROM", grant ? "Expected TO and a role." : "Expected FROM and a role.");
	do
	{
		DdlToken   *tok = current(p);

		if (tok->kind == DDL_TOKEN_STRING)
			stmt->roles = lappend(stmt->roles, pstrdup(tok->value));
		else if (DdlTokenIsIdent(tok))
			stmt->roles = lappend(stmt->roles, DdlTokenIdentifier(tok));
		else
			syntax_error(p, "Expected a role name or PUBLIC.", NULL);
		advance(p);
	} while (accept_punct(p, ','));
}

/* [NOT] LIKE 'pattern', when present */
static void
parse_like(DdlParser *p)
{
	if (accept_keyword(p, "NOT"))
	{
		expect_keyword(p, "LIKE", "Expected NOT LIKE.");
		p->stmt->not_like = true;
	}
	else if (!accept_keyword(p, "LIKE"))
		return;
	p->stmt->like_pattern = parse_string(p, "Expected a pattern string after LIKE.");
}

/*
 * parse_schema_name
 *		The database of SHOW MODELS FROM/IN, Flink's [catalog.]database:
 *		one identifier is a schema; two are Confluent's
 *		`environment`.`cluster`, which this database plays (see the
 *		three-part names in syntax/names.c), so they give NULL: the same
 *		models as SHOW MODELS without FROM.
 */
static char *
parse_schema_name(DdlParser *p)
{
	DdlToken   *tok = current(p);
	char	   *name;

	if (!DdlTokenIsIdent(tok))
		syntax_error(p, "Expected a schema name.", NULL);
	name = DdlTokenIdentifier(tok);
	advance(p);
	if (!accept_punct(p, '.'))
		return name;
	if (!DdlTokenIsIdent(current(p)))
		syntax_error(p, "Expected the database of `environment`.`cluster`.", NULL);
	advance(p);
	if (DdlTokenIsPunct(current(p), '.'))
		syntax_error(p, "Expected a schema name or `environment`.`cluster`.", NULL);
	return NULL;
}

/* SHOW CONNECTIONS, SHOW MODELS or SHOW CREATE MODEL */
static void
parse_show(DdlParser *p)
{
	DdlStatement *stmt = p->stmt;
	int			location;

	if (accept_keyword(p, "CONNECTIONS"))
	{
		stmt->kind = DDL_SHOW_CONNECTIONS;
		parse_like(p);
	}
	else if (accept_keyword(p, "MODELS"))
	{
		stmt->kind = DDL_SHOW_MODELS;
		if (accept_keyword(p, "FROM") || accept_keyword(p, "IN"))
			stmt->schema = parse_schema_name(p);
		parse_like(p);
	}
	else if (DdlTokenIsKeyword(current(p), "CONTINUOUS") &&
			 DdlTokenIsKeyword(lookahead(p, 1), "QUERIES"))
	{
		advance(p);
		advance(p);
		stmt->kind = DDL_SHOW_CQS;
		parse_like(p);
	}
	else if (accept_keyword(p, "CREATE"))
	{
		if (accept_continuous_query(p))
		{
			stmt->kind = DDL_SHOW_CREATE_CQ;
			stmt->cq_name = parse_cq_name(p);
			return;
		}
		expect_keyword(p, "MODEL", "Expected SHOW CREATE MODEL or SHOW CREATE CONTINUOUS QUERY.");
		stmt->kind = DDL_SHOW_CREATE_MODEL;
		stmt->model = parse_model_ref(p, &location);
	}
	else
		syntax_error(p, "Expected CONNECTIONS, MODELS, CONTINUOUS QUERIES or CREATE.",
					 SUPPORTED_HINT);
}

/*
 * parse_option_key
 *		A string literal, or an identifier with optional dotted parts
 *		(openai.connection).  Keys are kept as written.
 */
static char *
parse_option_key(DdlParser *p)
{
	DdlToken   *tok = current(p);
	StringInfoData buf;

	if (tok->kind == DDL_TOKEN_STRING)
	{
		advance(p);
		return pstrdup(tok->value);
	}
	if (!DdlTokenIsIdent(tok))
		syntax_error(p, "Expected an option key such as 'provider'.", NULL);

	initStringInfo(&buf);
	for (;;)
	{
		appendStringInfoString(&buf, current(p)->value);
		advance(p);
		if (!DdlTokenIsPunct(current(p), '.') ||
			!DdlTokenIsIdent(lookahead(p, 1)))
			break;
		appendStringInfoChar(&buf, '.');
		advance(p);
	}
	return buf.data;
}

/*
 * parse_option_value
 *		An option value: string, number, TRUE or FALSE, returned as text.
 *		A "double-quoted" value is a string too, as Confluent's ALTER MODEL
 *		example writes one (description = "new_description").
 */
static char *
parse_option_value(DdlParser *p)
{
	DdlToken   *tok = current(p);

	if (tok->kind == DDL_TOKEN_STRING || tok->kind == DDL_TOKEN_NUMBER ||
		(tok->kind == DDL_TOKEN_QUOTED_IDENT && tok->quote == '"'))
	{
		advance(p);
		return pstrdup(tok->value);
	}
	if (accept_keyword(p, "TRUE"))
		return pstrdup("true");
	if (accept_keyword(p, "FALSE"))
		return pstrdup("false");
	syntax_error(p, "Expected a string literal, a number, TRUE or FALSE.", NULL);
}

/*
 * parse_options
 *		"( key = value [, ...] )" or, without values (RESET),
 *		"( key [, ...] )".  Returns a list of MlOption; RESET options have a
 *		NULL value.  At least one option is required.
 */
static List *
parse_options(DdlParser *p, bool with_values)
{
	List	   *options = NIL;

	expect_punct(p, '(', with_values ?
				 "Expected ('key' = 'value', ...)." : "Expected ('key', ...).");
	do
	{
		MlOption   *opt = palloc0(sizeof(MlOption));

		if (list_length(options) >= ML_MAX_OPTIONS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("more than %d options", ML_MAX_OPTIONS),
					 internalerrposition(DdlErrorPosition(p->lex.query, current(p)->location)),
					 internalerrquery(p->lex.query)));
		opt->location = current(p)->location;
		opt->key = parse_option_key(p);
		if (with_values)
		{
			expect_punct(p, '=', "Expected = after the option key.");
			opt->value = parse_option_value(p);
		}
		options = lappend(options, opt);
	} while (accept_punct(p, ','));
	expect_punct(p, ')', "Expected \",\" or \")\".");
	return options;
}

/*
 * parse_connection_name
 *		A single identifier, or `env`.`cluster`.`name` meaning name;
 *		unquoted names are folded to lower case.
 */
static char *
parse_connection_name(DdlParser *p)
{
	DdlToken   *tok = current(p);
	int			nparts;

	if (!DdlTokenIsIdent(tok))
		syntax_error(p, "Expected a connection name.", NULL);
	nparts = MlConnectionNameParts(tok, p->ntokens - p->pos);
	if (nparts != 1 && nparts != 3)
		MlQualifiedConnectionError(p->lex.query, tok->location);
	p->pos += 2 * nparts - 1;
	return DdlTokenIdentifier(&p->tokens[p->pos - 1]);
}

/*
 * parse_model_ref
 *		[schema.]name[$version] or env.cluster.name[$version]; *location receives the byte offset of the
 *		reference in the statement.
 */
static MlModelRef *
parse_model_ref(DdlParser *p, int *location)
{
	char	   *parts[4];
	int			nparts = 0;
	DdlToken   *first = current(p);
	DdlToken   *last = first;
	char	   *display;
	MlModelRef *ref;

	for (;;)
	{
		DdlToken   *tok = current(p);

		if (!DdlTokenIsIdent(tok))
			syntax_error(p, "Expected a model name.", NULL);
		if (nparts < 4)
			parts[nparts++] = DdlTokenIdentifier(tok);
		last = tok;
		advance(p);
		if (!DdlTokenIsPunct(current(p), '.'))
			break;
		advance(p);
	}
	display = pnstrdup(p->lex.query + first->location,
					   last->location + last->length - first->location);
	*location = first->location;
	ref = MlMakeModelRef(parts, nparts, display, p->lex.query,
						 first->location);
	MlModelRefSetAltName(ref, last);
	return ref;
}

/* CONTINUOUS QUERY, when present */
static bool
accept_continuous_query(DdlParser *p)
{
	if (!DdlTokenIsKeyword(current(p), "CONTINUOUS"))
		return false;
	advance(p);
	expect_keyword(p, "QUERY", "Expected CONTINUOUS QUERY.");
	return true;
}

/* a continuous query's name: one identifier */
static char *
parse_cq_name(DdlParser *p)
{
	DdlToken   *tok = current(p);
	char	   *name;

	if (!DdlTokenIsIdent(tok))
		syntax_error(p, "Expected a continuous query name.", NULL);
	name = DdlTokenIdentifier(tok);
	advance(p);
	if (DdlTokenIsPunct(current(p), '.'))
		syntax_error(p, "Continuous query names are not schema-qualified.", NULL);
	return name;
}

/*
 * CREATE CONTINUOUS QUERY, after QUERY: the rest of the statement after
 * AS is the INSERT ... SELECT, parsed later by src/continuous/.
 */
static void
parse_create_cq(DdlParser *p)
{
	DdlStatement *stmt = p->stmt;

	stmt->kind = DDL_CREATE_CQ;
	stmt->if_not_exists = parse_if_not_exists(p);
	stmt->cq_name = parse_cq_name(p);
	if (accept_keyword(p, "WITH"))
		stmt->options = parse_options(p, true);
	expect_keyword(p, "AS", "Expected AS INSERT INTO sink SELECT ...");
	if (!DdlTokenIsKeyword(current(p), "INSERT"))
		syntax_error(p, "Expected INSERT INTO sink SELECT ... after AS.", NULL);
	stmt->query_location = current(p)->location;
	p->pos = p->ntokens - 1;	/* the EOF (or soft error) token */
	p->tokens[p->pos].kind = DDL_TOKEN_EOF;
}

/* ALTER CONTINUOUS QUERY, after QUERY */
static void
parse_alter_cq(DdlParser *p)
{
	DdlStatement *stmt = p->stmt;

	stmt->cq_name = parse_cq_name(p);
	if (accept_keyword(p, "PAUSE"))
		stmt->kind = DDL_ALTER_CQ_PAUSE;
	else if (accept_keyword(p, "RESUME"))
		stmt->kind = DDL_ALTER_CQ_RESUME;
	else if (accept_keyword(p, "SET"))
	{
		if (!accept_keyword(p, "MODEL"))
		{
			stmt->kind = DDL_ALTER_CQ_SET;
			stmt->options = parse_options(p, true);
			return;
		}
		expect_keyword(p, "VERSION", "Expected SET MODEL VERSION.");
		stmt->kind = DDL_ALTER_CQ_VERSION;
		if (!accept_keyword(p, "DEFAULT"))
		{
			DdlToken   *tok = current(p);
			int64		n;

			if (tok->kind != DDL_TOKEN_NUMBER || !MlParseInt(tok->value, &n) || n < 1 || n > 10)
				syntax_error(p, "Expected a model version from 1 to 10, or DEFAULT.", NULL);
			stmt->cq_version = (int) n;
			advance(p);
		}
		if (accept_keyword(p, "REPROCESS"))
		{
			expect_keyword(p, "ALL", "Expected REPROCESS ALL.");
			stmt->reprocess_all = true;
		}
		else if (accept_keyword(p, "NEW"))
		{
			expect_keyword(p, "ROWS", "Expected NEW ROWS ONLY.");
			expect_keyword(p, "ONLY", "Expected NEW ROWS ONLY.");
		}
	}
	else
		syntax_error(p, "Expected PAUSE, RESUME, SET (...) or SET MODEL VERSION.", NULL);
}
