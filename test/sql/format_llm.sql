-- The vendor LLM and embedding formats: the exact request body each one
-- builds (debug_request; nothing is sent), how answers decode
-- (decode_response), and their schema checks at CREATE MODEL time.  Every
-- model uses an openai connection with another input format, so that no
-- provider-specific request preparation is involved.
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('c', '{"type": "openai", "endpoint": "https://api.example.com/v1/x", "api-key": "sk-x"}');

-- AMAZON-TITAN-TEXT: standard params in textGenerationConfig (top_k left
-- out; a nested textGenerationConfig member, written in lower or snake
-- case, merged in and respelled), others at the top level, the system
-- prompt before the input
SELECT * FROM mlpredict.execute($$CREATE MODEL titan_text INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'AMAZON-TITAN-TEXT', 'openai.system_prompt' = 'Answer with one label.', 'openai.params.temperature' = '0.2', 'openai.params.topP' = '0.9', 'openai.params.top_k' = '40', 'openai.params.stop' = 'END,STOP', 'openai.params.textGenerationConfig.max_token_count' = '20', 'openai.params.guardrail.id' = 'g1')$$);
SELECT body FROM mlpredict.debug_request('titan_text', 'Classify: refund please');
-- no config object when no parameter goes there
SELECT * FROM mlpredict.execute($$CREATE MODEL titan_bare INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'amazon_titan_text', 'openai.params.top_k' = '40')$$);
SELECT body FROM mlpredict.debug_request('titan_bare', 'Classify: refund please');
SELECT * FROM mlpredict.decode_response('titan_text', '{"inputTextTokenCount": 9, "results": [{"tokenCount": 2, "outputText": " billing", "completionReason": "FINISH"}]}') AS t(a text);
SELECT * FROM mlpredict.decode_response('titan_text', '{"results": [{"outputText": null, "completionReason": "CONTENT_FILTERED"}]}') AS t(a text);
SELECT * FROM mlpredict.decode_response('titan_text', '{"results": []}') AS t(a text);

-- AMAZON-TITAN-EMBED: params at the top level (v2's dimensions, normalize,
-- embeddingTypes), generation params left out
SELECT * FROM mlpredict.execute($$CREATE MODEL titan_embed INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'AMAZON-TITAN-EMBED', 'openai.params.dimensions' = '256', 'openai.params.normalize' = 'true', 'openai.params.embedding_types.csv' = 'float', 'openai.params.temperature' = '0')$$);
SELECT body FROM mlpredict.debug_request('titan_embed', 'hello world');
SELECT * FROM mlpredict.decode_response('titan_embed', '{"embedding": [0.12, -0.03, 0.5], "inputTextTokenCount": 3}') AS t(e real[]);
SELECT * FROM mlpredict.decode_response('titan_embed', '{"embedding": [[0.12, -0.03]]}') AS t(e real[]);
SELECT * FROM mlpredict.decode_response('titan_embed', '{"embedding": null}') AS t(e real[]);
SELECT * FROM mlpredict.decode_response('titan_embed', '{"message": "Malformed input request"}') AS t(e real[]);
-- a FORMAT:pointer suffix reads another value
SELECT * FROM mlpredict.execute($$CREATE MODEL titan_embed_typed INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'AMAZON-TITAN-EMBED:/embeddingsByType/float')$$);
SELECT * FROM mlpredict.decode_response('titan_embed_typed', '{"embedding": [1, 2], "embeddingsByType": {"float": [0.25, 0.5]}}') AS t(e real[]);

-- ANTHROPIC-MESSAGES on a provider other than bedrock, vertexai and
-- anthropic: "model" from model_version, no anthropic_version unless given
SELECT * FROM mlpredict.execute($$CREATE MODEL claude INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'c', 'openai.input_format' = 'ANTHROPIC-MESSAGES', 'openai.model_version' = 'claude-sonnet-4-20250514', 'openai.system_prompt' = 'Answer with one label.', 'openai.params.max_tokens' = '20', 'openai.params.temperature' = '0', 'openai.params.top_p' = '0.9', 'openai.params.topk' = '5', 'openai.params.stop_sequences' = 'END', 'openai.params.thinking.type' = 'enabled', 'openai.params.thinking.budget_tokens' = '1024', 'openai.params.model' = 'ignored-when-model_version-is-set')$$);
SELECT body FROM mlpredict.debug_request('claude', 'Classify: "refund please"');
-- without max_tokens the documented default 1024 is sent; params.model and
-- params.anthropic_version fill the identity fields
SELECT * FROM mlpredict.execute($$CREATE MODEL claude_min INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'anthropic-messages', 'openai.params.model' = 'claude-3-haiku', 'openai.params.anthropic_version' = 'bedrock-2023-05-31')$$);
SELECT body FROM mlpredict.debug_request('claude_min', 'hi');
-- the answer: every text block in order; thinking and tool_use blocks skipped
SELECT * FROM mlpredict.decode_response('claude', '{"id": "msg_1", "type": "message", "role": "assistant", "content": [{"type": "thinking", "thinking": "The user wants money back.", "signature": "x"}, {"type": "redacted_thinking", "data": "abc"}, {"type": "text", "text": "bill"}, {"type": "tool_use", "id": "t1", "name": "f", "input": {}}, {"type": "text", "text": "ing"}], "stop_reason": "end_turn"}') AS t(a text);
SELECT * FROM mlpredict.decode_response('claude', '{"content": [{"type": "text", "text": "billing"}], "stop_reason": "end_turn", "usage": {"input_tokens": 18, "output_tokens": 2}}') AS t(a text);
-- no text block: the stop reason says why
SELECT * FROM mlpredict.decode_response('claude', '{"content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}], "stop_reason": "tool_use"}') AS t(a text);
SELECT * FROM mlpredict.decode_response('claude', '{"content": [{"type": "thinking", "thinking": "hmm"}], "stop_reason": "max_tokens"}') AS t(a text);
SELECT * FROM mlpredict.decode_response('claude', '{"content": [], "stop_reason": "refusal"}') AS t(a text);
SELECT * FROM mlpredict.decode_response('claude', '{"type": "message", "stop_reason": "end_turn"}') AS t(a text);
-- a FORMAT:pointer suffix reads one value instead
SELECT * FROM mlpredict.execute($$CREATE MODEL claude_ptr INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'ANTHROPIC-MESSAGES', 'openai.output_format' = 'ANTHROPIC-MESSAGES:content/1/text', 'openai.model_version' = 'claude-x')$$);
SELECT * FROM mlpredict.decode_response('claude_ptr', '{"content": [{"type": "text", "text": "first"}, {"type": "text", "text": "second"}]}') AS t(a text);
SELECT * FROM mlpredict.decode_response('claude_ptr', '{"content": [{"type": "text", "text": "first"}, {"type": "text", "text": null}], "stop_reason": "end_turn"}') AS t(a text);
-- the answer fits the output column's type
SELECT * FROM mlpredict.execute($$CREATE MODEL claude_short INPUT (q STRING) OUTPUT (a VARCHAR(4)) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'ANTHROPIC-MESSAGES', 'openai.model_version' = 'claude-x')$$);
SELECT * FROM mlpredict.decode_response('claude_short', '{"content": [{"type": "text", "text": "bi"}, {"type": "text", "text": "lling"}]}') AS t(a varchar);

-- ANTHROPIC-COMPLETIONS: the legacy Human/Assistant prompt with the system
-- prompt first, max_tokens_to_sample (default 1024)
SELECT * FROM mlpredict.execute($$CREATE MODEL claude_legacy INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'ANTHROPIC-COMPLETIONS', 'openai.system_prompt' = 'Answer with one label.', 'openai.params.max_tokens' = '20', 'openai.params.temperature' = '0.5', 'openai.params.top_p' = '0.9', 'openai.params.top_k' = '5', 'openai.params.stop' = 'END')$$);
SELECT body FROM mlpredict.debug_request('claude_legacy', E'Classify: "refund please"\nThanks');
SELECT * FROM mlpredict.execute($$CREATE MODEL claude_legacy_min INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'ANTHROPIC-COMPLETIONS', 'openai.model_version' = 'claude-2.1')$$);
SELECT body FROM mlpredict.debug_request('claude_legacy_min', 'hi');
SELECT * FROM mlpredict.decode_response('claude_legacy', '{"type": "completion", "completion": " billing", "stop_reason": "stop_sequence"}') AS t(a text);
SELECT * FROM mlpredict.decode_response('claude_legacy', '{"completion": null, "stop_reason": "max_tokens"}') AS t(a text);

-- COHERE-CHAT: model, preamble, p and k
SELECT * FROM mlpredict.execute($$CREATE MODEL cohere_chat INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'c', 'openai.input_format' = 'COHERE-CHAT', 'openai.model_version' = 'command-r', 'openai.system_prompt' = 'Answer with one label.', 'openai.params.temperature' = '0', 'openai.params.top_p' = '0.75', 'openai.params.top_k' = '10', 'openai.params.max_tokens' = '5', 'openai.params.stop' = 'END', 'openai.params.safety_mode' = 'NONE')$$);
SELECT body FROM mlpredict.debug_request('cohere_chat', 'Classify: refund please');
SELECT * FROM mlpredict.execute($$CREATE MODEL cohere_chat_min INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'COHERE-CHAT')$$);
SELECT body FROM mlpredict.debug_request('cohere_chat_min', 'hi');
SELECT * FROM mlpredict.decode_response('cohere_chat', '{"response_id": "r1", "text": "billing", "finish_reason": "COMPLETE", "chat_history": []}') AS t(a text);
SELECT * FROM mlpredict.decode_response('cohere_chat', '{"text": null, "finish_reason": "ERROR_TOXIC"}') AS t(a text);

-- COHERE-GENERATE: only the fields Bedrock's Command accepts; the system
-- prompt before the input
SELECT * FROM mlpredict.execute($$CREATE MODEL cohere_gen INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'c', 'openai.input_format' = 'COHERE-GENERATE', 'openai.system_prompt' = 'Answer with one label.', 'openai.params.temperature' = '0', 'openai.params.p' = '0.75', 'openai.params.k' = '0', 'openai.params.max_tokens' = '5', 'openai.params.stop_sequences' = 'END', 'openai.params.truncate' = 'END')$$);
SELECT body FROM mlpredict.debug_request('cohere_gen', 'Classify: refund please');
SELECT * FROM mlpredict.decode_response('cohere_gen', '{"id": "g1", "prompt": "...", "generations": [{"id": "x", "text": " billing", "finish_reason": "COMPLETE"}]}') AS t(a text);
SELECT * FROM mlpredict.decode_response('cohere_gen', '{"id": "g1", "generations": []}') AS t(a text);

-- COHERE-EMBED: one text (input_type defaults to search_document) ...
SELECT * FROM mlpredict.execute($$CREATE MODEL cohere_embed INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'COHERE-EMBED', 'openai.params.truncate' = 'END', 'openai.params.max_tokens' = '5')$$);
SELECT body FROM mlpredict.debug_request('cohere_embed', 'alpha');
SELECT * FROM mlpredict.decode_response('cohere_embed', '{"id": "e1", "response_type": "embeddings_floats", "texts": ["alpha"], "embeddings": [[0.1, 0.2, 0.3]]}') AS t(e real[]);
SELECT * FROM mlpredict.decode_response('cohere_embed', '{"id": "e1", "embeddings": {"float": [[0.4, 0.5]]}, "texts": ["alpha"]}') AS t(e real[]);
SELECT * FROM mlpredict.decode_response('cohere_embed', '{"id": "e1", "embeddings": {"int8": [[4, 5]]}}') AS t(e real[]);
-- ... or an ARRAY<STRING> of texts, one vector each; input_type and model set
SELECT * FROM mlpredict.execute($$CREATE MODEL cohere_embed_many INPUT (texts ARRAY<STRING>) OUTPUT (embeddings ARRAY<ARRAY<FLOAT>>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'COHERE-EMBED', 'openai.model_version' = 'embed-english-v3.0', 'openai.params.input_type' = 'search_query', 'openai.params.embedding_types.csv' = 'float')$$);
SELECT body FROM mlpredict.debug_request('cohere_embed_many', ARRAY['alpha', 'beta "b"']);
SELECT * FROM mlpredict.decode_response('cohere_embed_many', '{"embeddings": [[0.1, 0.2], [0.3, 0.4]]}') AS t(e real[]);
SELECT * FROM mlpredict.decode_response('cohere_embed_many', '{"embeddings": {"float": [[0.1, 0.2], [0.3, 0.4]]}, "response_type": "embeddings_by_type"}') AS t(e real[]);
SELECT * FROM mlpredict.decode_response('cohere_embed_many', '{"embeddings": [[0.1, 0.2], [0.3]]}') AS t(e real[]);

-- AI-21-COMPLETE (any spelling): camelCase names, no top_k, nested
-- penalties respelled from the lower-cased option keys
SELECT * FROM mlpredict.execute($$CREATE MODEL ai21 INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'c', 'openai.input_format' = 'AI21_Complete', 'openai.system_prompt' = 'Answer with one label.', 'openai.params.temperature' = '0', 'openai.params.top_p' = '0.9', 'openai.params.top_k' = '5', 'openai.params.max_tokens' = '5', 'openai.params.stop' = '##', 'openai.params.countPenalty.scale' = '0.5', 'openai.params.count_penalty.apply_to_numbers' = 'false')$$);
SELECT body FROM mlpredict.debug_request('ai21', 'Classify: refund please');
SELECT * FROM mlpredict.decode_response('ai21', '{"id": 1, "completions": [{"data": {"text": " billing", "tokens": []}, "finishReason": {"reason": "endoftext"}}]}') AS t(a text);
SELECT * FROM mlpredict.decode_response('ai21', '{"completions": [{"data": {"text": null}, "finishReason": {"reason": "length", "length": 5}}]}') AS t(a text);

-- BEDROCK-LLAMA: max_gen_len; neither top_k nor stop
SELECT * FROM mlpredict.execute($$CREATE MODEL llama INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'c', 'openai.input_format' = 'BEDROCK-LLAMA', 'openai.system_prompt' = 'Answer with one label.', 'openai.params.temperature' = '0', 'openai.params.top_p' = '0.9', 'openai.params.top_k' = '5', 'openai.params.max_gen_len' = '20', 'openai.params.stop' = 'END')$$);
SELECT body FROM mlpredict.debug_request('llama', 'Classify: refund please');
SELECT * FROM mlpredict.decode_response('llama', '{"generation": "billing", "prompt_token_count": 25, "generation_token_count": 2, "stop_reason": "stop"}') AS t(a text);
SELECT * FROM mlpredict.decode_response('llama', '{"generation": null, "stop_reason": "length"}') AS t(a text);

-- MISTRAL-COMPLETIONS: the [INST] wrapping, the system prompt inside it
SELECT * FROM mlpredict.execute($$CREATE MODEL mistral INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'c', 'openai.input_format' = 'MISTRAL-COMPLETIONS', 'openai.system_prompt' = 'Answer with one label.', 'openai.params.temperature' = '0', 'openai.params.top_p' = '0.9', 'openai.params.top_k' = '50', 'openai.params.max_tokens' = '5', 'openai.params.stop' = '</s>')$$);
SELECT body FROM mlpredict.debug_request('mistral', E'Classify: "refund please"');
SELECT * FROM mlpredict.execute($$CREATE MODEL mistral_min INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'MISTRAL-COMPLETIONS')$$);
SELECT body FROM mlpredict.debug_request('mistral_min', 'hi');
SELECT * FROM mlpredict.decode_response('mistral', '{"outputs": [{"text": " billing", "stop_reason": "stop"}]}') AS t(a text);
SELECT * FROM mlpredict.decode_response('mistral', '{"outputs": [{"text": null, "stop_reason": "length"}]}') AS t(a text);

-- GEMINI-GENERATE (alias GEMINI-CHAT): systemInstruction; the standard
-- params and params.generationConfig.* (any case, snake_case too) merge
-- into one generationConfig; other params where their dotted names say
SELECT * FROM mlpredict.execute($$CREATE MODEL gemini INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'c', 'openai.input_format' = 'GEMINI-CHAT', 'openai.system_prompt' = 'Answer with one label.', 'openai.params.temperature' = '0', 'openai.params.top_p' = '0.9', 'openai.params.top_k' = '40', 'openai.params.maxOutputTokens' = '10', 'openai.params.stop' = 'END', 'openai.params.generationConfig.responseMimeType' = 'text/x.enum', 'openai.params.generation_config.thinking_config.thinking_budget' = '0', 'openai.params.cachedContent' = 'cachedContents/abc', 'openai.params.labels.team' = 'ml')$$);
SELECT body FROM mlpredict.debug_request('gemini', 'Classify: refund please');
SELECT * FROM mlpredict.execute($$CREATE MODEL gemini_bare INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'GEMINI-GENERATE')$$);
SELECT body FROM mlpredict.debug_request('gemini_bare', 'hi');
-- only a nested member: generationConfig holds just that
SELECT * FROM mlpredict.execute($$CREATE MODEL gemini_nested INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'GEMINI-GENERATE', 'openai.params.generationConfig.candidateCount' = '1')$$);
SELECT body FROM mlpredict.debug_request('gemini_nested', 'hi');
-- one member set two ways, or generationConfig given a plain value: errors
SELECT * FROM mlpredict.execute($$CREATE MODEL gemini_twice INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'GEMINI-GENERATE', 'openai.params.temperature' = '0', 'openai.params.generationConfig.temperature' = '1')$$);
SELECT body FROM mlpredict.debug_request('gemini_twice', 'hi');
SELECT * FROM mlpredict.execute($$CREATE MODEL gemini_flat INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'GEMINI-GENERATE', 'openai.params.generationConfig' = 'x')$$);
SELECT body FROM mlpredict.debug_request('gemini_flat', 'hi');
-- the answer: the first candidate's text parts, thoughts skipped
SELECT * FROM mlpredict.decode_response('gemini', '{"candidates": [{"content": {"role": "model", "parts": [{"text": "Thinking about refunds", "thought": true}, {"text": "bill"}, {"functionCall": {"name": "f", "args": {}}}, {"text": "ing", "thought": false}]}, "finishReason": "STOP", "index": 0}], "usageMetadata": {"promptTokenCount": 12}, "modelVersion": "gemini-2.0-flash"}') AS t(a text);
-- a blocked prompt, a candidate without text, nothing at all
SELECT * FROM mlpredict.decode_response('gemini', '{"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": []}}') AS t(a text);
SELECT * FROM mlpredict.decode_response('gemini', '{"candidates": [{"finishReason": "SAFETY", "index": 0}]}') AS t(a text);
SELECT * FROM mlpredict.decode_response('gemini', '{"candidates": [{"content": {"role": "model", "parts": [{"text": "hmm", "thought": true}]}, "finishReason": "MAX_TOKENS"}]}') AS t(a text);
SELECT * FROM mlpredict.decode_response('gemini', '{"usageMetadata": {}}') AS t(a text);
-- a FORMAT:pointer suffix reads one value instead
SELECT * FROM mlpredict.execute($$CREATE MODEL gemini_ptr INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'GEMINI-GENERATE:/candidates/0/content/parts/1/text')$$);
SELECT * FROM mlpredict.decode_response('gemini_ptr', '{"candidates": [{"content": {"parts": [{"text": "a"}, {"text": "b"}]}}]}') AS t(a text);
SELECT * FROM mlpredict.decode_response('gemini_ptr', '{"candidates": [{"content": {"parts": [{"text": "a"}]}}]}') AS t(a text);

-- GEMINI-EMBED: "model" only with model_version; taskType and friends at
-- the top level, respelled; generation params left out
SELECT * FROM mlpredict.execute($$CREATE MODEL gemini_embed INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'GEMINI-EMBED', 'openai.model_version' = 'gemini-embedding-001', 'openai.params.taskType' = 'RETRIEVAL_DOCUMENT', 'openai.params.title' = 'doc', 'openai.params.output_dimensionality' = '768', 'openai.params.temperature' = '0')$$);
SELECT body FROM mlpredict.debug_request('gemini_embed', 'alpha');
SELECT * FROM mlpredict.execute($$CREATE MODEL gemini_embed_min INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'GEMINI-EMBED')$$);
SELECT body FROM mlpredict.debug_request('gemini_embed_min', 'alpha');
SELECT * FROM mlpredict.decode_response('gemini_embed', '{"embedding": {"values": [0.01, -0.02]}}') AS t(e real[]);
SELECT * FROM mlpredict.decode_response('gemini_embed', '{"embeddings": [{"values": [0.03, 0.04]}, {"values": [0.05, 0.06]}]}') AS t(e real[]);
SELECT * FROM mlpredict.decode_response('gemini_embed', '{"embedding": {"values": null}}') AS t(e real[]);
SELECT * FROM mlpredict.decode_response('gemini_embed', '{"embedding": {}}') AS t(e real[]);

-- VERTEX-EMBED: task_type and title in the instance, the rest (and
-- params.parameters.*) in "parameters"
SELECT * FROM mlpredict.execute($$CREATE MODEL vertex_embed INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'VERTEX-EMBED', 'openai.params.task_type' = 'RETRIEVAL_DOCUMENT', 'openai.params.title' = 'doc', 'openai.params.autoTruncate' = 'true', 'openai.params.parameters.outputDimensionality' = '256', 'openai.params.top_p' = '0.5')$$);
SELECT body FROM mlpredict.debug_request('vertex_embed', 'alpha');
SELECT * FROM mlpredict.execute($$CREATE MODEL vertex_embed_min INPUT (text STRING) OUTPUT (embedding ARRAY<DOUBLE>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'VERTEX-EMBED')$$);
SELECT body FROM mlpredict.debug_request('vertex_embed_min', 'alpha');
SELECT * FROM mlpredict.decode_response('vertex_embed', '{"predictions": [{"embeddings": {"statistics": {"truncated": false, "token_count": 2}, "values": [0.01, 0.02]}}], "metadata": {"billableCharacterCount": 5}}') AS t(e real[]);
SELECT * FROM mlpredict.decode_response('vertex_embed_min', '{"predictions": [{"embeddings": {"values": [[0.5, 0.25]]}}]}') AS t(e float8[]);
SELECT * FROM mlpredict.decode_response('vertex_embed', '{"predictions": []}') AS t(e real[]);

-- AZURE-CHAT: input_data with the messages; every param in "parameters"
-- (max_new_tokens; no stop)
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_chat INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'c', 'openai.input_format' = 'AZURE-CHAT', 'openai.system_prompt' = 'Answer with one label.', 'openai.params.temperature' = '0.1', 'openai.params.top_p' = '0.9', 'openai.params.top_k' = '5', 'openai.params.max_tokens' = '20', 'openai.params.stop' = 'END', 'openai.params.do_sample' = 'true')$$);
SELECT body FROM mlpredict.debug_request('azure_chat', 'Classify: refund please');
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_chat_min INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'AzureChat')$$);
SELECT body FROM mlpredict.debug_request('azure_chat_min', 'hi');
SELECT * FROM mlpredict.decode_response('azure_chat', '{"output": "billing"}') AS t(a text);
SELECT * FROM mlpredict.decode_response('azure_chat', '{"output": null}') AS t(a text);
SELECT * FROM mlpredict.decode_response('azure_chat', '[{"0": "billing"}]') AS t(a text);

-- schema checks at CREATE MODEL time
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (a STRING, b STRING) OUTPUT (r STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'AMAZON-TITAN-TEXT')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (q INT) OUTPUT (r STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'ANTHROPIC-MESSAGES')$$);
-- (the chat formats OPENAI-CHAT, GEMINI-GENERATE and ANTHROPIC-MESSAGES take
-- other OUTPUT columns as structured outputs: the structured_outputs suite)
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (q STRING) OUTPUT (r INT) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'COHERE-CHAT')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (q STRING) OUTPUT (r STRING, s STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'MISTRAL-COMPLETIONS')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (q ARRAY<STRING>) OUTPUT (r STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'COHERE-CHAT')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (q STRING) OUTPUT (r STRING) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'VERTEX-EMBED')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (q STRING) OUTPUT (r ARRAY<INT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'AMAZON-TITAN-EMBED')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (q STRING, r STRING) OUTPUT (e ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'GEMINI-EMBED')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (q INT) OUTPUT (e ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'COHERE-EMBED')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (q ARRAY<STRING>) OUTPUT (e ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'COHERE-EMBED')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (q STRING) OUTPUT (e ARRAY<ARRAY<FLOAT>>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'COHERE-EMBED')$$);
-- an LLM answer format may follow another input format; its output rule holds
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (q STRING) OUTPUT (r BOOLEAN) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.input_format' = 'OPENAI-CHAT', 'openai.output_format' = 'AZURE-CHAT')$$);
-- a JSON output takes any answer shape, and text[] works with jsonb too
SELECT * FROM mlpredict.execute($$CREATE MODEL cohere_embed_json INPUT (texts text[]) OUTPUT (e jsonb) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'c', 'openai.input_format' = 'COHERE-EMBED')$$);
SELECT * FROM mlpredict.decode_response('cohere_embed_json', '{"embeddings": [[1, 2], [3, 4]]}') AS t(e jsonb);
SELECT count(*) AS models FROM mlpredict.models WHERE name = 'bad';

-- OPENAI-CHAT answers are read from their JSON text when the content is a
-- string, else through jsonb: the same text, escapes undone (a surrogate
-- pair, \/ and \u00e9 included), the last of duplicate keys, an escaped
-- key, a VARCHAR's length check, and the errors of everything else
SELECT * FROM mlpredict.execute($$CREATE MODEL chat_text INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL chat_short INPUT (q STRING) OUTPUT (a VARCHAR(3)) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c')$$);
SELECT a, length(a) FROM mlpredict.decode_response('chat_text', convert_to(
  '{"choices": [{"message": {"content": "q\"b\\s\/ \u00e9\uD83D\uDE00\n\tend é"}}]}', 'UTF8')) AS t(a text);
SELECT a FROM mlpredict.decode_response('chat_text', convert_to(
  '{"choices": [{"message": {"content": "first", "content": "last"}}]}', 'UTF8')) AS t(a text);
SELECT a FROM mlpredict.decode_response('chat_text', convert_to(
  '{"choices": [{"message": {"cont\u0065nt": "escaped key"}}]}', 'UTF8')) AS t(a text);
SELECT a FROM mlpredict.decode_response('chat_text', convert_to(
  '{"choices": [{"message": {"content": 42}}]}', 'UTF8')) AS t(a text);
SELECT a FROM mlpredict.decode_response('chat_short', convert_to(
  '{"choices": [{"message": {"content": "abcd"}}]}', 'UTF8')) AS t(a varchar(3));
SELECT a FROM mlpredict.decode_response('chat_text', convert_to(
  '{"choices": [{"message": {"content": null}, "finish_reason": "content_filter"}]}', 'UTF8')) AS t(a text);
SELECT a FROM mlpredict.decode_response('chat_text', convert_to(
  '{"choices": [{"message": {"content": "bad \u0000"}}]}', 'UTF8')) AS t(a text);
SELECT a FROM mlpredict.decode_response('chat_text', convert_to(
  '{"choices": [{"message": {"content": "cut"', 'UTF8')) AS t(a text);

SET client_min_messages = warning;
DROP EXTENSION mlpredict CASCADE;
