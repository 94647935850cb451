/*-------------------------------------------------------------------------
 *
 * format.h
 *	  Request and response formats: how model inputs become a request body
 *	  and how a response body becomes the model's output columns.
 *
 * Formats know nothing about URLs or authentication (provider.h).  Each
 * format validates the model's INPUT/OUTPUT schema when the model is
 * created, encodes one row of inputs, and decodes one response.  Formats
 * whose API takes many inputs per request can also encode several rows
 * into one request and split its answer back into rows (batch.c).  Names
 * are matched as Confluent does: case-insensitive with '-' and '_'
 * ignored, and an optional ":suffix" selects a wrapper key or JSON
 * pointer.
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
struct MlColumn;
struct MlBatchRow;
struct MlJsonText;

typedef enum MlFormatKind
{
	ML_FORMAT_LLM,				/* one text in, one text out (the chat
								 * formats: or structured outputs) */
	ML_FORMAT_EMBEDDING,		/* one text in, one vector out */
	ML_FORMAT_PREDICTIVE		/* typed columns in and out */
} MlFormatKind;

/*
 * A request body under construction.  Formats append to data.  Text
 * formats write in the database encoding and leave server_encoding true,
 * so the whole body is converted to UTF-8 once; formats that write bytes
 * (BINARY, binary tensors) convert their strings themselves and set it
 * false.  content_type overrides the format's own when set (a body with
 * binary tensors), and headers carries extra HttpHeaders the format needs
 * (Inference-Header-Content-Length).  method names the API method the
 * body is for when it is not the one the endpoint names (Gemini's
 * batchEmbedContents for a batch of embedContent requests); the provider
 * then addresses that method (MlProvider.prepare_method).
 */
typedef struct MlRequestBody
{
	StringInfoData data;
	bool		server_encoding;
	const char *content_type;
	List	   *headers;		/* HttpHeader * */
	const char *method;			/* NULL: the endpoint's own */
} MlRequestBody;

/*
 * A response as formats see it: the raw bytes (NUL-terminated), the
 * Content-Type and headers if any, and the body parsed as JSON on first
 * use (MlResponseJson).  text is the index of the body's JSON text a
 * decoder made (answer.c), kept for the token usage lookups (usage.c); it
 * is only written by decoders, and read by MlResponseUsage, whose callers
 * must have zeroed the struct before decoding (MlDecodeBatchResponse
 * does).
 */
typedef struct MlResponseBody
{
	const char *data;
	int			len;
	const char *content_type;	/* may be NULL */
	List	   *headers;		/* HttpHeader *, lower-case names; may be NIL */
	Jsonb	   *json;			/* cache of MlResponseJson */
	struct MlJsonText *text;	/* a decoder's index of data, or NULL */
} MlResponseBody;

/*
 * The answer to a request of several rows, for matching batching input
 * and output formats: ML_BATCH_OWN is the format's own shape (read only
 * by the same format), ML_BATCH_ROWS an array with one element per row
 * where the answer to one row has a one-element array (TF Serving's
 * predictions, a pandas frame's bare array).
 */
typedef enum MlBatchKind
{
	ML_BATCH_NONE,
	ML_BATCH_OWN,
	ML_BATCH_ROWS
} MlBatchKind;

/*
 * The model option <provider>.batch_size: rows per request, at most
 * ML_BATCH_SIZE_MAX; ML_BATCH_SIZE_DEFAULT when unset (both capped by the
 * provider's own limit).
 */
#define ML_BATCH_SIZE_DEFAULT	64
#define ML_BATCH_SIZE_MAX		10000

typedef struct MlFormat
{
	const char *name;			/* canonical spelling, e.g. "OPENAI-CHAT" */
	const char *const *aliases; /* other names, NULL-terminated, may be NULL */
	MlFormatKind kind;
	const char *content_type;	/* Content-Type sent, and Accept asked for */

	/*
	 * Output format used when the model names none and this is its input
	 * format; NULL means this format itself ("JSON:outputs" allowed).
	 */
	const char *default_output;

	/*
	 * Raise a clear error if the model's columns do not fit this format on
	 * the side named by which: "input" (the INPUT columns it must encode)
	 * or "output" (the OUTPUT columns it must fill).  Both lists are given
	 * because some rules look at both.
	 */
	void		(*check_schema) (List *input, List *output, const char *which);

	/* append the request body for one row of inputs; NULL: output only */
	void		(*encode) (struct MlTarget *target, Datum *values, bool *nulls,
						   MlRequestBody *body);

	/* fill every output value from a response; NULL: input only */
	void		(*decode) (struct MlTarget *target, MlResponseBody *response,
						   Datum *values, bool *nulls);

	/*
	 * Batching, all optional (zero when the format takes one row per
	 * request).  batch is the kind of answer a request of several rows
	 * gets (input formats) or reads (output formats).  batch_limits, on an
	 * input format, gives the most rows one request of the target may
	 * carry and the most input tokens (estimated; 0: no limit), from the
	 * provider's documented limits.  encode_batch appends the body for
	 * nrows rows (nrows >= 2).  decode_batch, on an output format, fills
	 * every row's outputs from the answer, in row order, each as decode
	 * would fill it from the answer to that row alone; an answer with the
	 * wrong number of results is an error.
	 */
	MlBatchKind batch;
	void		(*batch_limits) (struct MlTarget *target, int *max_rows,
								 int *max_tokens);
	void		(*encode_batch) (struct MlTarget *target,
								 struct MlBatchRow *rows, int nrows,
								 MlRequestBody *body);
	void		(*decode_batch) (struct MlTarget *target,
								 MlResponseBody *response,
								 struct MlBatchRow *rows, int nrows);
} MlFormat;

/* The formats of a model version, resolved from its options. */
typedef struct MlFormatChoice
{
	const MlFormat *input;
	char	   *input_suffix;	/* text after ':' or NULL */
	const MlFormat *output;
	char	   *output_suffix;
} MlFormatChoice;

/* registry.c */
extern const MlFormat *MlFormatLookup(const char *spec, char **suffix,
									  bool missing_ok);
extern void MlFormatResolve(const char *input_spec, const char *output_spec,
							MlFormatChoice *choice);
extern char *MlFormatNames(void);

/* format.c */
extern Jsonb *MlResponseJson(struct MlTarget *target, MlResponseBody *response);
extern const char *MlOutputPointer(struct MlTarget *target,
								   const char *default_pointer);
extern void MlCheckSingleTextInput(List *input, const char *format);
extern void MlCheckSingleTextOutput(List *output, const char *format);
extern void MlCheckVectorOutput(List *output, const char *format);
extern int	MlColumnDimensions(const struct MlColumn *col);
extern void MlRequestBodyAddHeader(MlRequestBody *body, const char *name,
								   const char *value);

/*
 * answer.c: an answer as decoders read it, through the text index of its
 * body (json_text.h) when its OUTPUT is a float vector the index can give
 * without jsonb, else through jsonb; lookups answer the same either way.
 */
typedef struct MlAnswer
{
	struct MlTarget *target;
	MlResponseBody *body;
	struct MlJsonText *text;	/* NULL: read through jsonb */
} MlAnswer;

#define ML_ANSWER_MISSING	(-2)	/* MlAnswerLength: no value there */

extern void MlAnswerOpen(MlAnswer *answer, struct MlTarget *target,
						 MlResponseBody *body);
extern int	MlAnswerLength(MlAnswer *answer, const char *pointer);
extern bool MlAnswerIsObject(MlAnswer *answer, const char *pointer);
extern bool MlAnswerInt(MlAnswer *answer, const char *pointer, int64 *value);
extern void MlAnswerVector(MlAnswer *answer, const char *pointer,
						   bool null_is_error, Datum *values, bool *nulls);
extern bool MlAnswerFastOutput(MlAnswer *answer, const char *pointer,
							   bool in_wrapper, Datum *values, bool *nulls);
extern bool MlAnswerFastColumns(MlAnswer *answer, const char *pointer,
								Datum *values, bool *nulls);
extern void MlCheckBatchCount(MlAnswer *answer, const char *pointer,
							  int nrows);

/* format.c: a response as formats see it (all else zeroed), never ERROR */
struct HttpResponse;
extern void MlResponseBodyFrom(MlResponseBody *body,
							   const struct HttpResponse *response);

/*
 * usage.c: the prompt and completion tokens an answer reports; false when
 * it reports none.  Never raises ERROR for an odd or non-JSON body.
 */
extern bool MlResponseUsage(MlResponseBody *body, int64 *prompt_tokens,
							int64 *completion_tokens);

/* openai_chat.c, openai_embed.c */
extern const MlFormat MlFormatOpenAIChat;
extern const MlFormat MlFormatOpenAIEmbed;

/*
 * amazon_titan.c, anthropic.c, cohere.c, ai21.c, llama_mistral.c, gemini.c,
 * vertex_embed.c, azure_chat.c (helpers they share: llm_common.h)
 */
extern const MlFormat MlFormatTitanText;
extern const MlFormat MlFormatTitanEmbed;
extern const MlFormat MlFormatAnthropicMessages;
extern const MlFormat MlFormatAnthropicCompletions;
extern const MlFormat MlFormatCohereChat;
extern const MlFormat MlFormatCohereGenerate;
extern const MlFormat MlFormatCohereEmbed;
extern const MlFormat MlFormatAI21Complete;
extern const MlFormat MlFormatBedrockLlama;
extern const MlFormat MlFormatMistralCompletions;
extern const MlFormat MlFormatGeminiGenerate;
extern const MlFormat MlFormatGeminiEmbed;
extern const MlFormat MlFormatVertexEmbed;
extern const MlFormat MlFormatAzureChat;

/* output_columns.c: the generic rule for OUTPUT columns, JSON helpers */
extern void MlDecodeOutputColumns(struct MlTarget *target, const JsonbValue *node,
								  Datum *values, bool *nulls);
extern void MlDecodeOutputColumn(struct MlTarget *target, int i,
								 const JsonbValue *value, Datum *values,
								 bool *nulls);
extern void MlJsonRequire(struct MlTarget *target, Jsonb *doc,
						  const char *pointer, JsonbValue *out);
extern void MlDecodeAtPointer(struct MlTarget *target, Jsonb *response,
							  const char *pointer, Datum *values, bool *nulls);
extern bool MlDecodeStringAtPointer(struct MlTarget *target,
									MlResponseBody *body, const char *pointer,
									Datum *values, bool *nulls);
extern void MlRaiseRemoteError(struct MlTarget *target, Jsonb *doc);
extern char *MlResponseExcerpt(struct MlTarget *target, const JsonbValue *value);
extern int	MlJsonArrayLength(const JsonbValue *value);
extern bool MlJsonArrayElement(const JsonbValue *array, int i, JsonbValue *out);
extern bool MlJsonIsObject(const JsonbValue *value);
extern bool MlColumnIsRow(const struct MlColumn *col);
extern bool MlColumnTakesArray(const struct MlColumn *col);

/* binary.c: bytes for bodies that are not converted to UTF-8 as a whole */
extern void MlAppendLE(StringInfo buf, uint64 v, int size);
extern uint64 MlReadLE(const unsigned char *p, int size);
extern void MlAppendUtf8(StringInfo buf, Datum value);

/* json.c, json_array.c, csv.c, text.c, binary.c, pandas.c, tf_serving.c, triton.c */
extern const MlFormat MlFormatJson;
extern const MlFormat MlFormatAzureMLTensor;
extern const MlFormat MlFormatTFServingColumn;
extern const MlFormat MlFormatMLflowTensor;
extern const MlFormat MlFormatJsonArray;
extern const MlFormat MlFormatCsv;
extern const MlFormat MlFormatText;
extern const MlFormat MlFormatBinary;
extern const MlFormat MlFormatPandasDataframe;
extern const MlFormat MlFormatAzureMLPandasDataframe;
extern const MlFormat MlFormatTFServing;
extern const MlFormat MlFormatVertexAIPyTorch;
extern const MlFormat MlFormatJsonArrayOfObjects;
extern const MlFormat MlFormatTriton;

#endif							/* MLPREDICT_FORMAT_H */
