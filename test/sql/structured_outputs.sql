-- Structured outputs: a chat model whose OUTPUT has several columns, or one
-- that is not a STRING, asks the provider for a JSON answer matching the
-- schema derived from OUTPUT (OpenAI and Azure OpenAI: response_format
-- json_schema in strict mode; Gemini on Google AI and Vertex AI:
-- responseMimeType and responseSchema; Claude on Anthropic and Bedrock: one
-- forced tool), and decodes it into the typed columns.  The stand-in checks
-- each provider's schema rules and builds its answer from the schema sent,
-- so a wrong schema fails here.  Answers that do not fit are row failures
-- (on_error).  Also: an empty system_prompt means no system prompt.
CREATE EXTENSION IF NOT EXISTS mlpredict;
\i test/helpers/standin.sql
\set VERBOSITY default
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;

SELECT mlpredict.create_connection('s-openai', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_connection('s-azure', '{"type": "azureopenai", "endpoint": "http://127.0.0.1:18787/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21", "api-key": "azure-test-key"}');
SELECT mlpredict.create_connection('s-gemini', '{"type": "googleai", "endpoint": "http://127.0.0.1:18787/v1beta/models/gemini-2.0-flash:generateContent", "api-key": "AIzaSyMLPREDICT-test-key-0123456789"}');
\getenv gcp_key_file MLPREDICT_TEST_GCP_KEY
CREATE TEMP TABLE gcp_key AS SELECT pg_read_file(:'gcp_key_file') AS k;
SELECT mlpredict.create_connection('s-vertex', jsonb_build_object('type', 'vertexai',
  'endpoint', 'http://127.0.0.1:18787/v1/projects/mlpredict-test/locations/us-central1/publishers/google/models/gemini-2.0-flash',
  'service-key', (SELECT k FROM gcp_key)));
SELECT mlpredict.create_connection('s-vertex-claude', jsonb_build_object('type', 'vertexai',
  'endpoint', 'http://127.0.0.1:18787/v1/projects/mlpredict-test/locations/us-east5/publishers/anthropic/models/claude-3-5-haiku@20241022:rawPredict',
  'service-key', (SELECT k FROM gcp_key)));
SELECT mlpredict.create_connection('s-anthropic', '{"type": "anthropic", "endpoint": "http://127.0.0.1:18787/v1/messages", "api-key": "sk-ant-api03-mlpredict-test-key"}');
SELECT mlpredict.create_connection('s-bedrock', '{"type": "bedrock", "endpoint": "http://bedrock-runtime.us-east-1.localhost:18787/model/anthropic.claude-3-haiku-20240307-v1:0/invoke", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefGH"}');

CREATE TABLE reviews (id int, review text);
INSERT INTO reviews VALUES
  (1, 'a great day'),
  (2, 'terrible slow service'),
  (3, 'nice place [[wrong-type]]'),
  (4, 'good food [[not-json]]'),
  (5, 'bad coffee [[missing-field]]'),
  (6, 'no opinion [[null-field]]');

------------------------------------------------------------------------
-- OpenAI: the issue's statement, as written
------------------------------------------------------------------------
SELECT * FROM mlpredict.execute($$CREATE MODEL extract INPUT(review STRING) OUTPUT(sentiment STRING, score DOUBLE, topics ARRAY<STRING>) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 's-openai', 'openai.system_prompt' = 'Classify the sentiment of the review; score it and list its topics.')$$);
SELECT body FROM mlpredict.debug_request('extract', 'a great day');
SELECT * FROM "extract"('a great day');
-- answers that do not fit: NULL outputs under on_error null, gone under skip
SELECT r.id, p.* FROM reviews r, LATERAL "extract"(r.review, mlpredict.options(on_error => 'null')) p ORDER BY r.id;
SELECT r.id FROM reviews r, LATERAL "extract"(r.review, mlpredict.options(on_error => 'skip')) p ORDER BY r.id;
-- and the error of each under on_error fail
SELECT * FROM "extract"('nice place [[wrong-type]]');
SELECT * FROM "extract"('good food [[not-json]]');
SELECT * FROM "extract"('bad coffee [[missing-field]]');
SELECT * FROM "extract"('sorry [[null-content]]');
-- an answer cut at the token limit
SELECT * FROM mlpredict.execute($$CREATE MODEL extract_short INPUT(review STRING) OUTPUT(sentiment STRING, score DOUBLE, topics ARRAY<STRING>) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 's-openai', 'openai.system_prompt' = 'Classify the sentiment.', 'openai.params.max_tokens' = '3')$$);
SELECT * FROM extract_short('a great day');
SELECT * FROM extract_short('a great day', mlpredict.options(on_error => 'null'));

-- every kind of column: ROW, nested arrays, integers, booleans, dates,
-- decimals, PostgreSQL types; each column nullable, array elements not
SELECT * FROM mlpredict.execute($$CREATE MODEL kinds INPUT(q STRING) OUTPUT(info ROW<label STRING, confidence DOUBLE, tags ARRAY<STRING>>, grid ARRAY<ARRAY<INT>>, n BIGINT, ok BOOLEAN, day DATE, price DECIMAL(10, 2), pg_ints integer[], people ARRAY<ROW<name STRING, age INT>>) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 's-openai')$$);
SELECT jsonb_pretty(body::jsonb -> 'response_format') FROM mlpredict.debug_request('kinds', 'two words');
SELECT * FROM kinds('two words');
-- a single non-STRING column is structured too
SELECT * FROM mlpredict.execute($$CREATE MODEL score_only INPUT(q STRING) OUTPUT(score DOUBLE) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 's-openai')$$);
SELECT body::jsonb -> 'response_format' -> 'json_schema' -> 'schema' AS schema FROM mlpredict.debug_request('score_only', 'x');
SELECT * FROM score_only('one two three four');
-- a single STRING column keeps the plain text answer: no response_format
SELECT * FROM mlpredict.execute($$CREATE MODEL plain INPUT(q STRING) OUTPUT(a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 's-openai')$$);
SELECT body FROM mlpredict.debug_request('plain', 'a great day');
SELECT * FROM plain('a great day');
-- the user's own response_format (json_object mode, for models without
-- json_schema) is sent instead; the answer still fills the columns
SELECT * FROM mlpredict.execute($$CREATE MODEL jsonmode INPUT(q STRING) OUTPUT(answer STRING, words INT) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 's-openai', 'openai.system_prompt' = 'Reply in JSON.', 'openai.params.response_format.type' = 'json_object')$$);
SELECT body FROM mlpredict.debug_request('jsonmode', 'hello there');
SELECT * FROM jsonmode('hello there');
-- columns with no fixed JSON shape are refused when the model is created
SELECT * FROM mlpredict.execute($$CREATE MODEL free INPUT(q STRING) OUTPUT(a STRING, doc jsonb) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 's-openai')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL free INPUT(q STRING) OUTPUT(blob BYTES) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 's-openai')$$);
-- formats without structured outputs keep their one-text rule
SELECT * FROM mlpredict.execute($$CREATE MODEL titan2 INPUT(q STRING) OUTPUT(a STRING, b INT) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 's-openai', 'openai.input_format' = 'AMAZON-TITAN-TEXT')$$);

------------------------------------------------------------------------
-- Azure OpenAI: the same request shape
------------------------------------------------------------------------
SELECT * FROM mlpredict.execute($$CREATE MODEL extract_azure INPUT(review STRING) OUTPUT(sentiment STRING, score DOUBLE, topics ARRAY<STRING>) WITH ('provider' = 'azureopenai', 'task' = 'text_generation', 'azureopenai.connection' = 's-azure', 'azureopenai.system_prompt' = 'Classify the sentiment of the review.')$$);
SELECT body FROM mlpredict.debug_request('extract_azure', 'a great day');
SELECT r.id, p.* FROM reviews r, LATERAL extract_azure(r.review, mlpredict.options(on_error => 'null')) p ORDER BY r.id;

------------------------------------------------------------------------
-- Gemini on Google AI: responseMimeType and responseSchema (OpenAPI subset)
------------------------------------------------------------------------
SELECT * FROM mlpredict.execute($$CREATE MODEL extract_gemini INPUT(review STRING) OUTPUT(sentiment STRING, score DOUBLE, topics ARRAY<STRING>) WITH ('provider' = 'googleai', 'task' = 'text_generation', 'googleai.connection' = 's-gemini', 'googleai.system_prompt' = 'Classify the sentiment of the review.', 'googleai.params.temperature' = '0')$$);
SELECT body FROM mlpredict.debug_request('extract_gemini', 'a great day');
SELECT r.id, p.* FROM reviews r, LATERAL extract_gemini(r.review, mlpredict.options(on_error => 'null')) p ORDER BY r.id;
SELECT * FROM extract_gemini('good food [[not-json]]');
-- generationConfig written without other members; cut at maxOutputTokens
SELECT * FROM mlpredict.execute($$CREATE MODEL kinds_gemini INPUT(q STRING) OUTPUT(info ROW<label STRING, tags ARRAY<STRING>>, n INT, ok BOOLEAN) WITH ('provider' = 'googleai', 'task' = 'text_generation', 'googleai.connection' = 's-gemini')$$);
SELECT body FROM mlpredict.debug_request('kinds_gemini', 'two words');
SELECT * FROM kinds_gemini('two words');
SELECT * FROM mlpredict.execute($$CREATE MODEL gemini_short INPUT(q STRING) OUTPUT(n INT, ok BOOLEAN) WITH ('provider' = 'googleai', 'task' = 'text_generation', 'googleai.connection' = 's-gemini', 'googleai.params.max_tokens' = '2')$$);
SELECT * FROM gemini_short('two words');
-- the user's own responseSchema is sent instead of the derived one
SELECT * FROM mlpredict.execute($$CREATE MODEL gemini_own INPUT(q STRING) OUTPUT(n INT, ok BOOLEAN) WITH ('provider' = 'googleai', 'task' = 'text_generation', 'googleai.connection' = 's-gemini', 'googleai.params.generationConfig.responseMimeType' = 'application/json')$$);
SELECT body FROM mlpredict.debug_request('gemini_own', 'x');

------------------------------------------------------------------------
-- Gemini on Vertex AI: the same body
------------------------------------------------------------------------
SELECT * FROM mlpredict.execute($$CREATE MODEL extract_vertex INPUT(review STRING) OUTPUT(sentiment STRING, score DOUBLE, topics ARRAY<STRING>) WITH ('provider' = 'vertexai', 'task' = 'text_generation', 'vertexai.connection' = 's-vertex', 'vertexai.system_prompt' = 'Classify the sentiment of the review.')$$);
SELECT body FROM mlpredict.debug_request('extract_vertex', 'a great day');
SELECT r.id, p.* FROM reviews r, LATERAL extract_vertex(r.review, mlpredict.options(on_error => 'null')) p ORDER BY r.id;

------------------------------------------------------------------------
-- Claude on Anthropic: one tool, forced; the answer is its input
------------------------------------------------------------------------
SELECT * FROM mlpredict.execute($$CREATE MODEL extract_claude INPUT(review STRING) OUTPUT(sentiment STRING, score DOUBLE, topics ARRAY<STRING>) WITH ('provider' = 'anthropic', 'task' = 'text_generation', 'anthropic.connection' = 's-anthropic', 'anthropic.model_version' = 'claude-sonnet-4-20250514', 'anthropic.system_prompt' = 'Classify the sentiment of the review.')$$);
SELECT body FROM mlpredict.debug_request('extract_claude', 'a great day');
SELECT r.id, p.* FROM reviews r, LATERAL extract_claude(r.review, mlpredict.options(on_error => 'null')) p ORDER BY r.id;
SELECT * FROM extract_claude('good food [[not-json]]');
SELECT * FROM mlpredict.execute($$CREATE MODEL claude_short INPUT(review STRING) OUTPUT(sentiment STRING, score DOUBLE) WITH ('provider' = 'anthropic', 'task' = 'text_generation', 'anthropic.connection' = 's-anthropic', 'anthropic.model_version' = 'claude-sonnet-4-20250514', 'anthropic.params.max_tokens' = '2')$$);
SELECT * FROM claude_short('a great day');
-- tools of the user's own conflict with the forced tool
SELECT * FROM mlpredict.execute($$CREATE MODEL claude_tools INPUT(review STRING) OUTPUT(sentiment STRING, score DOUBLE) WITH ('provider' = 'anthropic', 'task' = 'text_generation', 'anthropic.connection' = 's-anthropic', 'anthropic.model_version' = 'claude-sonnet-4-20250514', 'anthropic.params.tool_choice.type' = 'auto')$$);
SELECT * FROM claude_tools('a great day');

------------------------------------------------------------------------
-- Claude on Bedrock: the same tool use in Bedrock's body
------------------------------------------------------------------------
SELECT * FROM mlpredict.execute($$CREATE MODEL extract_bedrock INPUT(review STRING) OUTPUT(sentiment STRING, score DOUBLE, topics ARRAY<STRING>) WITH ('provider' = 'bedrock', 'task' = 'text_generation', 'bedrock.connection' = 's-bedrock', 'bedrock.system_prompt' = 'Classify the sentiment of the review.')$$);
SELECT body FROM mlpredict.debug_request('extract_bedrock', 'a great day');
SELECT r.id, p.* FROM reviews r, LATERAL extract_bedrock(r.review, mlpredict.options(on_error => 'null')) p ORDER BY r.id;

-- and on Vertex AI
SELECT * FROM mlpredict.execute($$CREATE MODEL extract_vertex_claude INPUT(review STRING) OUTPUT(sentiment STRING, score DOUBLE, topics ARRAY<STRING>) WITH ('provider' = 'vertexai', 'task' = 'text_generation', 'vertexai.connection' = 's-vertex-claude', 'vertexai.system_prompt' = 'Classify the sentiment of the review.')$$);
SELECT body::jsonb -> 'tool_choice' AS tool_choice FROM mlpredict.debug_request('extract_vertex_claude', 'a great day');
SELECT r.id, p.* FROM reviews r, LATERAL extract_vertex_claude(r.review, mlpredict.options(on_error => 'null')) p ORDER BY r.id;

------------------------------------------------------------------------
-- An empty system prompt means none (Anthropic and Gemini refuse an
-- empty one): no "system" field, no systemInstruction, no system message
------------------------------------------------------------------------
SELECT * FROM mlpredict.execute($$CREATE MODEL bedrock_nosys INPUT(q STRING) OUTPUT(a STRING) WITH ('provider' = 'bedrock', 'task' = 'text_generation', 'bedrock.connection' = 's-bedrock', 'bedrock.system_prompt' = '')$$);
SELECT body FROM mlpredict.debug_request('bedrock_nosys', 'hello');
SELECT * FROM bedrock_nosys('hello');
SELECT * FROM mlpredict.execute($$CREATE MODEL anthropic_nosys INPUT(q STRING) OUTPUT(a STRING) WITH ('provider' = 'anthropic', 'task' = 'text_generation', 'anthropic.connection' = 's-anthropic', 'anthropic.model_version' = 'claude-sonnet-4-20250514', 'anthropic.system_prompt' = '')$$);
SELECT * FROM anthropic_nosys('hello');
SELECT * FROM mlpredict.execute($$CREATE MODEL gemini_nosys INPUT(q STRING) OUTPUT(a STRING) WITH ('provider' = 'googleai', 'task' = 'text_generation', 'googleai.connection' = 's-gemini', 'googleai.system_prompt' = '')$$);
SELECT body FROM mlpredict.debug_request('gemini_nosys', 'hello');
SELECT * FROM gemini_nosys('hello');
SELECT * FROM mlpredict.execute($$CREATE MODEL openai_nosys INPUT(q STRING) OUTPUT(a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 's-openai', 'openai.system_prompt' = '')$$);
SELECT body FROM mlpredict.debug_request('openai_nosys', 'hello');
SELECT * FROM mlpredict.execute($$CREATE MODEL titan_nosys INPUT(q STRING) OUTPUT(a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 's-openai', 'openai.input_format' = 'AMAZON-TITAN-TEXT', 'openai.system_prompt' = '')$$);
SELECT body FROM mlpredict.debug_request('titan_nosys', 'hello');

