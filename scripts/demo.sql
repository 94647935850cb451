-- mlpredict demo: the Confluent product page's examples, run in PostgreSQL
-- against the local provider stand-in (which answers like OpenAI and Azure
-- OpenAI: deterministic sentiment by keyword, embeddings from a hash).
\pset pager off
CREATE EXTENSION mlpredict;

-- Sentiment analysis with OpenAI: the statements exactly as the page shows
-- them (endpoint and key point at the stand-in).
CREATE TABLE text_stream (id bigint, text text);
INSERT INTO text_stream SELECT 1 id, 'The mitochondria are the powerhouse of the cell' text;
INSERT INTO text_stream SELECT 2 id, 'Happy Birthday! You are great!' text;
INSERT INTO text_stream SELECT 3 id, 'Today was bad day in the stock market.' text;

SELECT * FROM mlpredict.execute($$
CREATE CONNECTION openai-connection WITH ( 'type' = 'openai', 'endpoint' = 'http://127.0.0.1:18787/v1/chat/completions', 'api-key' = 'sk-test-openai-key' );
$$);
SELECT * FROM mlpredict.execute($$
CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ( 'provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-3.5-turbo', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.' );
$$);

-- Flink's  SELECT id, text, sentiment FROM text_stream, LATERAL TABLE(ML_PREDICT('sentimentmodel', text));
-- is, in PostgreSQL, either the model's own typed function ...
SELECT id, text, sentiment FROM text_stream, LATERAL sentimentmodel(text) ORDER BY id;
-- ... or the generic ml_predict with a column definition list.
SELECT id, text, p.sentiment
FROM text_stream, LATERAL mlpredict.ml_predict('sentimentmodel', text) AS p(sentiment text) ORDER BY id;

-- Text embedding with Azure OpenAI (formats detected from the endpoint).
CREATE TABLE text_input (id text, input text);
INSERT INTO text_input VALUES ('1', 'alien'), ('2', 'golden finger'), ('3', 'license to kill'), ('4', 'aliens');
SELECT * FROM mlpredict.execute($$
CREATE CONNECTION azureopenai-cli-connection WITH ( 'type' = 'azureopenai', 'endpoint' = 'http://127.0.0.1:18787/openai/deployments/my-embedding/embeddings?api-version=2024-06-01', 'api-key' = 'azure-test-key' );
$$);
SELECT * FROM mlpredict.execute($$
CREATE MODEL azure_embed INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) WITH ( 'azureopenai.connection'='azureopenai-cli-connection', 'provider'='azureopenai', 'task'='embedding' );
$$);
SELECT id, input, array_length(response, 1) AS dimensions, response[1:3] AS first_three
FROM text_input, LATERAL azure_embed(input) ORDER BY id;

-- Catalog: models are versioned; secrets are never shown.
SELECT * FROM mlpredict.execute($$
CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ( 'provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-4o-mini', 'openai.params.temperature' = '0', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.' );
$$);
SELECT name, version, is_default, provider, task, input, output FROM mlpredict.models ORDER BY name, version;
SELECT name, type, endpoint, secrets FROM mlpredict.connections ORDER BY name;
SELECT mlpredict.show_create_model('sentimentmodel$2');

-- The exact request version 2 would send (secrets masked, nothing sent).
SELECT method, url, headers, body FROM mlpredict.debug_request('sentimentmodel$2', 'What a lovely day');

-- Runtime options, Confluent's MAP style.
SELECT * FROM sentimentmodel('I love this', mlpredict.map('client_timeout', 10, 'retry_count', 5));
