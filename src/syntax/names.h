/*-------------------------------------------------------------------------
 *
 * names.h
 *	  Parsing model references and connection names.
 *
 * IDENTIFICATION
 *	  src/syntax/names.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_NAMES_H
#define MLPREDICT_NAMES_H

#include "mlpredict.h"
#include "syntax/lexer.h"

/*
 * Parse a model reference ([schema.]name[$version], or
 * `environment`.`cluster`.`name`[$version], meaning name) or a connection
 * name (name or `environment`.`cluster`.`name`) given as a string argument
 * of the function forms.  Identifiers follow
 * the statement rules (unquoted ones are folded to lower case; `...` and
 * "..." keep case).  Malformed text raises ERROR with ERRCODE_INVALID_NAME.
 */
extern MlModelRef *MlParseModelRef(const char *text);
extern MlModelRef *MlParseModelRefAt(const char *text, const char *query,
									 int location);
extern char *MlParseConnectionName(const char *text);

/*
 * Build a model reference from its already case-folded dotted parts (the
 * last may end in $version).  display is the reference as written; query
 * and location place error reports (query NULL: no position).
 */
extern MlModelRef *MlMakeModelRef(char **parts, int nparts,
								  const char *display, const char *query,
								  int location);

/*
 * Record on ref the other spelling of its name (see MlModelRef.alt_name),
 * from last, the token of the reference's last part.
 */
extern void MlModelRefSetAltName(MlModelRef *ref, const DdlToken *last);

/*
 * Dotted identifiers starting at tokens[0]: 1 plain, 3 for
 * `environment`.`cluster`.`name` (whose last part is the name)
 */
extern int	MlConnectionNameParts(const DdlToken *tokens, int ntokens);

/* raise the error for a qualified connection name */
extern _Noreturn void MlQualifiedConnectionError(const char *query,
												 int location);

#endif							/* MLPREDICT_NAMES_H */
