/*-------------------------------------------------------------------------
 *
 * script.h
 *	  Splitting the text given to mlpredict.execute() into statements at
 *	  the semicolons outside parentheses, quotes and comments.
 *
 * IDENTIFICATION
 *	  src/syntax/script.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_SCRIPT_H
#define MLPREDICT_SCRIPT_H

#include "mlpredict.h"

/* one statement of a script: byte offsets [start, end) of the script */
typedef struct DdlScriptPiece
{
	int			start;			/* its first token */
	int			end;			/* just past its ";" (or its last token) */
} DdlScriptPiece;

/*
 * The statements of script, in order, as a list of DdlScriptPiece *.
 * Text that is only whitespace, comments or semicolons makes no piece; an
 * empty script gives NIL.  A lexical error (say an unterminated quote)
 * ends the split: the rest of the text is one last piece, so the parser of
 * that statement reports the error at its position.
 */
extern List *DdlSplitScript(const char *script);

/*
 * Run fn on each piece of script in order.  While fn runs, script is cut
 * short (in place) just past the piece, so positions stay offsets into the
 * whole script at no copy, and CurrentMemoryContext is a context reset
 * after each piece: what must outlive a statement goes elsewhere.  Checks
 * for interrupts between pieces.
 */
typedef void (*DdlScriptPieceFn) (char *script, DdlScriptPiece *piece, void *arg);
extern void DdlScriptForEach(char *script, List *pieces, DdlScriptPieceFn fn,
							 void *arg);

#endif							/* MLPREDICT_SCRIPT_H */
