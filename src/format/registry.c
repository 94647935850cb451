/*-------------------------------------------------------------------------
 *
 * registry.c
 *	  The list of formats, Confluent's name matching, and resolving a
 *	  model's input and output formats.
 *
 * The list is the only place that names every format; it sits apart from
 * the helpers the formats share (format.c), so that no format depends on
 * the list that depends on it.
 *
 * IDENTIFICATION
 *	  src/format/registry.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "format/format.h"

static const MlFormat *const formats[] = {
	&MlFormatOpenAIChat,
	&MlFormatOpenAIEmbed,
	&MlFormatTitanText,
	&MlFormatTitanEmbed,
	&MlFormatAnthropicMessages,
	&MlFormatAnthropicCompletions,
	&MlFormatCohereChat,
	&MlFormatCohereGenerate,
	&MlFormatCohereEmbed,
	&MlFormatAI21Complete,
	&MlFormatBedrockLlama,
	&MlFormatMistralCompletions,
	&MlFormatGeminiGenerate,
	&MlFormatGeminiEmbed,
	&MlFormatVertexEmbed,
	&MlFormatAzureChat,
	/* predictive formats */
	&MlFormatJson,
	&MlFormatJsonArray,
	&MlFormatJsonArrayOfObjects,
	&MlFormatCsv,
	&MlFormatText,
	&MlFormatBinary,
	&MlFormatPandasDataframe,
	&MlFormatAzureMLPandasDataframe,
	&MlFormatAzureMLTensor,
	&MlFormatTFServing,
	&MlFormatTFServingColumn,
	&MlFormatVertexAIPyTorch,
	&MlFormatMLflowTensor,
	&MlFormatTriton,
	NULL
};

/*
 * normalized_equal
 *		Compare format names ignoring case, '-' and '_' (and stopping at a
 *		':' suffix in a).
 */
static bool
normalized_equal(const char *a, const char *b)
{
	for (;;)
	{
		while (*a == '-' || *a == '_')
			a++;
		while (*b == '-' || *b == '_')
			b++;
		if (*a == '\0' || *a == ':')
			return *b == '\0';
		if (pg_toupper((unsigned char) *a) != pg_toupper((unsigned char) *b))
			return false;
		a++;
		b++;
	}
}

/*
 * format_matches
 *		Does spec name this format or one of its aliases?
 */
static bool
format_matches(const MlFormat *format, const char *spec)
{
	const char *const *alias;

	if (normalized_equal(spec, format->name))
		return true;
	for (alias = format->aliases; alias && *alias; alias++)
		if (normalized_equal(spec, *alias))
			return true;
	return false;
}

/*
 * MlFormatNames
 *		Comma-separated canonical format names, for hints.
 */
char *
MlFormatNames(void)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; formats[i]; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", formats[i]->name);
	return buf.data;
}

/*
 * MlFormatLookup
 *		Find the format named by spec ("openai_chat", "OPENAI-EMBED",
 *		"JSON:outputs").  *suffix receives the text after ':' or NULL.
 */
const MlFormat *
MlFormatLookup(const char *spec, char **suffix, bool missing_ok)
{
	const char *colon = strchr(spec, ':');
	int			i;

	if (suffix)
		*suffix = (colon && colon[1]) ? pstrdup(colon + 1) : NULL;
	for (i = 0; formats[i]; i++)
		if (format_matches(formats[i], spec))
			return formats[i];
	if (missing_ok)
		return NULL;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unsupported format \"%s\"", spec),
			 errhint("Supported formats are %s.", MlFormatNames())));
	return NULL;
}

/*
 * MlFormatResolve
 *		The input format named by input_spec and the output format named by
 *		output_spec, or when that is NULL the input format's default output
 *		(Confluent: PANDAS-DATAFRAME answers as JSON-ARRAY, MLFLOW-TENSOR as
 *		JSON:outputs, and so on).
 */
void
MlFormatResolve(const char *input_spec, const char *output_spec,
				MlFormatChoice *choice)
{
	choice->input = MlFormatLookup(input_spec, &choice->input_suffix, false);
	if (choice->input->encode == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("format %s can only be used as an output format",
						choice->input->name),
				 errhint("Set it as output_format and choose another input_format.")));
	if (output_spec == NULL)
		output_spec = choice->input->default_output;
	if (output_spec == NULL)
	{
		choice->output = choice->input;
		choice->output_suffix = choice->input_suffix;
		return;
	}
	choice->output = MlFormatLookup(output_spec, &choice->output_suffix, false);
	if (choice->output->decode == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("format %s can only be used as an input format",
						choice->output->name),
				 errhint("Set another output_format.")));
}
