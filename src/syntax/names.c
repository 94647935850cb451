/*-------------------------------------------------------------------------
 *
 * names.c
 *	  Model references ([schema.]name[$version]) and connection names:
 *	  splitting, case folding, version suffixes, and their errors.
 *
 * Three-part names: Confluent names objects `environment`.`cluster`.`name`
 * (its SHOW CREATE MODEL prints them).  One PostgreSQL database plays one
 * environment and cluster, so a three-part model or connection name means
 * its last part, unqualified (models are then found on search_path); the
 * first two parts are accepted and ignored.  Two-part model names keep
 * their meaning, schema.name; a connection name has one part or three.
 *
 * Used by the statement parser (ddl/parser.c), which has the dotted parts
 * already tokenized, and by every SQL function that takes a model or
 * connection name as a string (the function forms, ml_predict).
 * Identifiers follow the statement rules: unquoted ones are folded to
 * lower case, `...` and "..." keep case.
 *
 * All memory is palloc'd in CurrentMemoryContext.
 *
 * IDENTIFICATION
 *	  src/syntax/names.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "parser/scansup.h"

#include "syntax/lexer.h"
#include "syntax/names.h"

/* the cursor position for an error at location, or 0 without a query */
static int
error_cursor(const char *query, int location)
{
	return query ? DdlErrorPosition(query, location) : 0;
}

/*
 * MlQualifiedConnectionError
 *		Raise the error for a qualified connection name; query NULL: no
 *		position.
 */
void
MlQualifiedConnectionError(const char *query, int location)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("connection names cannot be qualified"),
			 errhint("Write the connection name alone, or as `environment`.`cluster`.`name`."),
			 internalerrposition(error_cursor(query, location)),
			 internalerrquery(query)));
}

/* raise the error for a malformed model name */
static _Noreturn void
invalid_model_name(const char *display, const char *query, int location)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_NAME),
			 errmsg("invalid model name \"%s\"", display),
			 errhint("Write the model name as [schema.]name[$version], quoting names that contain other characters with double quotes or backquotes."),
			 internalerrposition(error_cursor(query, location)),
			 internalerrquery(query)));
}

/*
 * set_model_version
 *		Interpret the text after "$": 1..MLPREDICT_MAX_VERSIONS, "latest"
 *		or "all" (case-insensitive).
 */
static void
set_model_version(MlModelRef *ref, const char *version, const char *query,
				  int location)
{
	const char *c;
	int			n = 0;

	if (pg_strcasecmp(version, "latest") == 0)
	{
		ref->version_kind = ML_VERSION_LATEST;
		return;
	}
	if (pg_strcasecmp(version, "all") == 0)
	{
		ref->version_kind = ML_VERSION_ALL;
		return;
	}
	for (c = version; *c != '\0' && n >= 0; c++)
	{
		if (*c < '0' || *c > '9')
			n = -1;
		else if ((n = n * 10 + (*c - '0')) > MLPREDICT_MAX_VERSIONS)
			n = -1;
	}
	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid model version \"%s\"", version),
				 errhint("Versions are integers from 1 to %d, \"latest\" or \"all\".",
						 MLPREDICT_MAX_VERSIONS),
				 internalerrposition(error_cursor(query, location)),
				 internalerrquery(query)));
	ref->version_kind = ML_VERSION_NUMBER;
	ref->version = n;
}

/*
 * MlMakeModelRef
 *		Build a model reference from its (already case-folded) dotted
 *		parts, splitting the version suffix off the last part at its last
 *		"$".  display is the reference as written; query and location place
 *		error reports (query NULL: no position).
 */
MlModelRef *
MlMakeModelRef(char **parts, int nparts, const char *display,
			   const char *query, int location)
{
	MlModelRef *ref = palloc0(sizeof(MlModelRef));
	char	   *name = parts[nparts - 1];
	char	   *dollar = strrchr(name, '$');

	if (nparts > 3)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("improper qualified model name (too many dotted names): %s", display),
				 errhint("Write the model name as [schema.]name or `environment`.`cluster`.`name`."),
				 internalerrposition(error_cursor(query, location)),
				 internalerrquery(query)));

	/* `env`.`cluster`.`name`: the name alone (see the file header) */
	ref->schema = nparts == 2 ? parts[0] : NULL;
	ref->version_kind = ML_VERSION_DEFAULT;
	if (dollar != NULL)
		*dollar = '\0';
	if (name[0] == '\0')
		invalid_model_name(display, query, location);
	if (dollar != NULL)
		set_model_version(ref, dollar + 1, query, location);
	ref->name = name;
	return ref;
}

/*
 * MlModelRefSetAltName
 *		The other spelling of the reference's name: Flink keeps the case of
 *		unquoted identifiers, so a model created as `MyModel` is called as
 *		'MyModel', and one created as MyModel (folded to mymodel here) as
 *		`MyModel`.  The catalog tries it when no model has the name itself.
 */
void
MlModelRefSetAltName(MlModelRef *ref, const DdlToken *last)
{
	char	   *alt;
	char	   *dollar;

	if (last->kind == DDL_TOKEN_WORD)
		alt = pstrdup(last->value);
	else
		alt = downcase_identifier(last->value, strlen(last->value), false, false);
	dollar = strrchr(alt, '$');
	if (dollar != NULL)
		*dollar = '\0';
	ref->alt_name = strcmp(alt, ref->name) != 0 ? alt : NULL;
}

/*
 * MlParseModelRef
 *		Parse a model reference passed as a string, such as
 *		'public.sentimentmodel$2', '"MyModel"' or '`m$all`'.
 */
MlModelRef *
MlParseModelRef(const char *text)
{
	return MlParseModelRefAt(text, NULL, -1);
}

/*
 * MlParseModelRefAt
 *		MlParseModelRef for a string literal at byte offset location of
 *		query, where errors are placed (query NULL: no position).
 */
MlModelRef *
MlParseModelRefAt(const char *text, const char *query, int location)
{
	DdlLexer	lex;
	DdlToken   *tokens;
	int			ntokens;
	char	   *parts[4];
	int			nparts = 0;
	int			i = 0;
	int			last;
	MlModelRef *ref;

	DdlLexerInit(&lex, text, text, 0);
	lex.soft_errors = true;
	tokens = DdlLexerTokenize(&lex, &ntokens);
	for (;;)
	{
		if (!DdlTokenIsIdent(&tokens[i]))
			invalid_model_name(text, query, location);
		if (nparts < 4)
			parts[nparts++] = DdlTokenIdentifier(&tokens[i]);
		last = i++;
		if (!DdlTokenIsPunct(&tokens[i], '.'))
			break;
		i++;
	}
	if (tokens[i].kind != DDL_TOKEN_EOF)
		invalid_model_name(text, query, location);
	ref = MlMakeModelRef(parts, nparts, text, query, location);
	MlModelRefSetAltName(ref, &tokens[last]);
	return ref;
}

/*
 * MlConnectionNameParts
 *		How many dotted identifiers start at tokens[0] (1 for a plain name,
 *		3 for `env`.`cluster`.`name`).
 */
int
MlConnectionNameParts(const DdlToken *tokens, int ntokens)
{
	int			n = 1;

	while (2 * n < ntokens && DdlTokenIsPunct(&tokens[2 * n - 1], '.') &&
		   DdlTokenIsIdent(&tokens[2 * n]))
		n++;
	return n;
}

/*
 * MlParseConnectionName
 *		Parse a connection name passed as a string: one identifier, which
 *		may contain hyphens (openai-connection) or be quoted, or three
 *		dotted ones of which the last is the name.
 */
char *
MlParseConnectionName(const char *text)
{
	DdlLexer	lex;
	DdlToken   *tokens;
	int			ntokens;
	int			nparts;

	DdlLexerInit(&lex, text, text, 0);
	lex.soft_errors = true;
	tokens = DdlLexerTokenize(&lex, &ntokens);
	nparts = DdlTokenIsIdent(&tokens[0]) ? MlConnectionNameParts(tokens, ntokens) : 1;
	if (nparts == 3)
		tokens += 4;
	else if (nparts != 1)
		MlQualifiedConnectionError(NULL, -1);
	if (!DdlTokenIsIdent(&tokens[0]) || tokens[1].kind != DDL_TOKEN_EOF)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid connection name \"%s\"", text),
				 errhint("Enclose a connection name that is not a plain identifier in double quotes or backquotes.")));
	return DdlTokenIdentifier(&tokens[0]);
}
