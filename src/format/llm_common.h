/*-------------------------------------------------------------------------
 *
 * llm_common.h
 *	  Helpers shared by the vendor LLM and embedding formats (Titan,
 *	  Anthropic, Cohere, AI21, Llama, Mistral, Gemini, Vertex, Azure ML).
 *
 * IDENTIFICATION
 *	  src/format/llm_common.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_LLM_COMMON_H
#define MLPREDICT_LLM_COMMON_H

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "format/format.h"
#include "types/json_schema.h"
#include "wire/params.h"
#include "wire/target.h"

/* what a params rename callback looks like (see MlAppendParams) */
typedef const char *(*MlParamRename) (const MlParam *param);

/* schema checks: one text in, and one text or one vector out */
extern void MlCheckTextSchema(List *input, List *output, const char *which,
							  const char *format);
extern void MlCheckEmbedSchema(List *input, List *output, const char *which,
							   const char *format);

/* the input text as a C string, and with the system prompt before it */
extern char *MlInputText(MlTarget *target, Datum *values, bool *nulls);
extern char *MlPromptWithSystem(MlTarget *target, Datum *values, bool *nulls);
extern void MlAppendInput(StringInfo body, MlTarget *target, Datum *values,
						  bool *nulls);

/* parameters: lookup by name, removal, and gathering into one object */
extern bool MlParamNameIs(const MlParam *param, const char *name);
extern const MlParam *MlParamNamed(List *params, const char *name);
extern List *MlParamsWithout(List *params, const char *name);
extern List *MlParamsRespelled(List *params, const char *const *spellings);
extern bool MlParamInObject(const MlParam *param, const char *object);
extern bool MlAppendParamObject(StringInfo body, const char *key, List *params,
								MlParamRename rename, bool *first);

/* decoding answers */
extern bool MlJsonStringIs(const JsonbValue *value, const char *s);
extern void MlSetTextOutput(MlTarget *target, StringInfo text, Datum *values,
							bool *nulls);
extern void MlReportNoText(MlTarget *target, Jsonb *response,
						   const char *reason_pointer, const char *reason_name);
extern void MlDecodeText(MlTarget *target, MlResponseBody *body,
						 const char *default_pointer, const char *reason_pointer,
						 const char *reason_name, Datum *values, bool *nulls);
extern void MlDecodeVector(MlTarget *target, Jsonb *response,
						   const char *pointer, Datum *values, bool *nulls);

/* the system prompt, or NULL when unset or empty (an empty one means none) */
extern const char *MlSystemPrompt(MlTarget *target);

/* structured.c: structured outputs of the chat formats */
extern void MlCheckChatSchema(List *input, List *output, const char *which,
							  const char *format);
extern bool MlStructured(MlTarget *target);
extern void MlAppendStructuredSchema(StringInfo body, MlTarget *target,
									 MlJsDialect dialect);
extern void MlStructuredFromValue(MlTarget *target, const JsonbValue *object,
								  Datum *values, bool *nulls);
extern void MlStructuredFromText(MlTarget *target, const char *text, int len,
								 const char *cut_reason, Datum *values,
								 bool *nulls);
extern void MlStructuredAtPointer(MlTarget *target, Jsonb *response,
								  const char *pointer, const char *cut_reason,
								  Datum *values, bool *nulls);
pg_noreturn extern void MlStructuredParamConflict(MlTarget *target,
												  const MlParam *param);

#endif							/* MLPREDICT_LLM_COMMON_H */
