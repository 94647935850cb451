/*-------------------------------------------------------------------------
 *
 * format.h
 *	  Request and response formats: how model inputs become a request body
 *	  and how a response body becomes the model's output columns.
 *
 * Formats know nothing about URLs or authentication (provider.h).  Each
 * format validates the model's INPUT/OUTPUT schema when the model is
 * created, encodes one row of inputs, and decodes one response.  Names are
 * matched as Confluent does: case-insensitive with '-' and '_' ignored,
 * and an optional ":suffix" selects a wrapper key or JSON pointer.
 *
 * IDENTIFICATION
 *	  src/format/format.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_FORMAT_H
#define MLPREDICT_FORMAT_H

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "mlpredict.h"

struct MlTarget;

typedef enum MlFormatKind
{
	ML_FORMAT_LLM,				/* one text in, one text out */
	ML_FORMAT_EMBEDDING,		/* one text in, one vector out */
	ML_FORMAT_PREDICTIVE		/* typed columns in and out */
} MlFormatKind;

typedef struct MlFormat
{
	const char *name;			/* canonical spelling, e.g. "OPENAI-CHAT" */
	const char *const *aliases; /* other names, NULL-terminated, may be NULL */
	MlFormatKind kind;
	const char *content_type;

	/* raise a clear error if the model's columns do not fit this format */
	void		(*check_schema) (List *input, List *output, const char *which);

	/* append the request body for one row of inputs */
	void		(*encode) (struct MlTarget *target, Datum *values, bool *nulls,
						   StringInfo body);

	/* fill output values from a parsed response */
	void		(*decode) (struct MlTarget *target, Jsonb *response,
						   Datum *values, bool *nulls);
} MlFormat;

/* format.c */
extern const MlFormat *MlFormatLookup(const char *spec, char **suffix,
									  bool missing_ok);
extern char *MlFormatNames(void);
extern void MlCheckSingleTextInput(List *input, const char *format);
extern void MlCheckSingleTextOutput(List *output, const char *format);
extern void MlCheckVectorOutput(List *output, const char *format);
extern void MlDecodeAtPointer(struct MlTarget *target, Jsonb *response,
							  const char *pointer, Datum *values, bool *nulls);

/* openai_chat.c, openai_embed.c */
extern const MlFormat MlFormatOpenAIChat;
extern const MlFormat MlFormatOpenAIEmbed;

#endif							/* MLPREDICT_FORMAT_H */
