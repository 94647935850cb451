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

/*
 * Parse a model reference ([schema.]name[$version]) or a connection name
 * given as a string argument of the function forms.  Identifiers follow
 * the statement rules (unquoted ones are folded to lower case; `...` and
 * "..." keep case).  Malformed text raises ERROR with ERRCODE_INVALID_NAME.
 */
extern MlModelRef *MlParseModelRef(const char *text);
extern char *MlParseConnectionName(const char *text);

/*
 * Build a model reference from its already case-folded dotted parts (the
 * last may end in $version).  display is the reference as written; query
 * and location place error reports (query NULL: no position).
 */
extern MlModelRef *MlMakeModelRef(char **parts, int nparts,
								  const char *display, const char *query,
								  int location);

/* raise the error for a qualified connection name */
extern _Noreturn void MlQualifiedConnectionError(const char *query,
												 int location);

#endif							/* MLPREDICT_NAMES_H */
