-- mlpredict demo: the Confluent product page's examples, run in PostgreSQL
-- against the local provider stand-in, which speaks each provider's wire
-- format and checks its real authentication (SigV4 for AWS, service-account
-- JWTs for Vertex AI); answers are deterministic (sentiment by keyword,
-- embeddings from a hash, "echo: ..." texts, a scoring model for tables).
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
-- ... or Flink's query pasted as is: execute() translates it (translate()
-- shows how) and returns its rows as json.
SELECT * FROM mlpredict.execute($$SELECT id, text, sentiment FROM text_stream, LATERAL TABLE(ML_PREDICT('sentimentmodel', text));$$);
SELECT mlpredict.translate($$SELECT id, text, sentiment FROM text_stream, LATERAL TABLE(ML_PREDICT('sentimentmodel', text));$$);

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

-- Text embedding with AWS Bedrock, as the page writes it.  The host keeps
-- Bedrock's shape so the signing region is found the same way; curl
-- resolves *.localhost to the stand-in, which recomputes the SigV4
-- signature with botocore.
SELECT * FROM mlpredict.execute($$
CREATE CONNECTION bedrock-cli-connection WITH ( 'type' = 'bedrock', 'endpoint' = 'http://bedrock-runtime.us-east-1.localhost:18787/model/amazon.titan-embed-text-v1/invoke', 'aws_access_key_id' = 'ASIAMLPREDICTTEST02', 'aws_secret_access_key' = 'mlpredict+session/Secret/Key9876543210zyxwvu', 'aws_session_token' = 'IQoJb3JpZ2luX2VjEMLPREDICT//session+token/TEST==' );
$$);
SELECT * FROM mlpredict.execute($$
CREATE MODEL bedrock_embed INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) WITH ( 'bedrock.connection'='bedrock-cli-connection', 'bedrock.input_format'='AMAZON-TITAN-EMBED', 'provider'='bedrock', 'task'='embedding' );
$$);
SELECT id, input, array_length(response, 1) AS dimensions, response[1:3] AS first_three
FROM text_input, LATERAL bedrock_embed(input) ORDER BY id;

-- Google AI (Gemini), as the page writes it.
CREATE TABLE google_input (id int, text text);
INSERT INTO google_input VALUES (1, 'Good morning'), (2, 'Thank you very much');
SELECT * FROM mlpredict.execute($$
CREATE CONNECTION googleai-cli-connection WITH ( 'type' = 'googleai', 'endpoint' = 'http://127.0.0.1:18787/v1beta/models/gemini-2.0-flash:generateContent', 'api-key' = 'AIzaSyMLPREDICT-test-key-0123456789' );
$$);
SELECT * FROM mlpredict.execute($$
CREATE MODEL google_text_cli INPUT (`text` VARCHAR(2147483647)) OUTPUT (`output` VARCHAR(2147483647)) WITH ( 'googleai.connection' = 'googleai-cli-connection', 'googleai.system_prompt' = 'translate text to chinese', 'provider' = 'googleai', 'task' = 'text_generation' );
$$);
SELECT id, text, output FROM google_input, LATERAL google_text_cli(text) ORDER BY id;

-- A classification model with typed columns on SageMaker (CSV by default).
SELECT * FROM mlpredict.execute($$
CREATE CONNECTION sagemaker-connection WITH ( 'type' = 'sagemaker', 'endpoint' = 'http://runtime.sagemaker.us-east-1.localhost:18787/endpoints/credit-default/invocations', 'aws-access-key' = 'AKIAMLPREDICTTEST01', 'aws-secret-key' = 'mlpredict+test/Secret/Key0123456789abcdefGH' );
$$);
SELECT * FROM mlpredict.execute($$
CREATE MODEL credit_default INPUT (credit_limit INT, age INT) OUTPUT (predicted_default INT) WITH ( 'provider' = 'sagemaker', 'task' = 'classification', 'sagemaker.connection' = 'sagemaker-connection' );
$$);
SELECT c.*, p.predicted_default
FROM (VALUES (1, 20, 30), (2, 500, 40)) AS c(id, credit_limit, age), LATERAL credit_default(c.credit_limit, c.age) p;

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

-- Beyond the page: AI_COMPLETE in a select list (pipelined like the
-- LATERAL join), a structured output (the OUTPUT's columns become the
-- JSON schema the provider must answer with), and ML_EVALUATE scoring the
-- sentiment model against labels.
SELECT * FROM mlpredict.execute($$
CREATE MODEL chat INPUT (prompt STRING) OUTPUT (response STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'openai-connection');
$$);
SELECT id, mlpredict.ai_complete('chat', text) AS answer FROM text_stream ORDER BY id;
SELECT * FROM mlpredict.execute($$
CREATE MODEL review_facts INPUT (review STRING) OUTPUT (sentiment STRING, score DOUBLE, topics ARRAY<STRING>) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'openai-connection', 'openai.system_prompt' = 'Give the sentiment, a score from 0 to 10 and the topics of the review.');
$$);
SELECT id, f.* FROM text_stream, LATERAL review_facts(text) AS f ORDER BY id;
CREATE TABLE sentiment_labels (text text, label text);
INSERT INTO sentiment_labels VALUES ('Happy Birthday! You are great!', 'POSITIVE'), ('Today was bad day in the stock market.', 'NEGATIVE'), ('The mitochondria are the powerhouse of the cell', 'NEUTRAL');
SELECT * FROM mlpredict.execute($$SELECT ML_EVALUATE(`sentimentmodel$all`, label, text) FROM sentiment_labels;$$);

-- Flink's other half: the same INSERT ... SELECT as a continuous query.
-- Existing rows are backfilled, and every new row gets its prediction from
-- a background worker within moments (the source needs a key).
ALTER TABLE text_stream ADD PRIMARY KEY (id);
CREATE TABLE text_sentiment (id bigint PRIMARY KEY, sentiment text);
SELECT * FROM mlpredict.execute($$
CREATE CONTINUOUS QUERY sentiment_job AS
INSERT INTO text_sentiment SELECT id, sentiment FROM text_stream, LATERAL TABLE(ML_PREDICT('sentimentmodel', text))
$$);
INSERT INTO text_stream VALUES (4, 'What a wonderful, happy surprise!');
DO $$
BEGIN
  FOR i IN 1..100 LOOP
    EXIT WHEN (SELECT count(*) FROM text_sentiment) = 4;
    PERFORM pg_sleep(0.1);
  END LOOP;
END $$;
SELECT * FROM text_sentiment ORDER BY id;
SELECT name, state, rows_pending, rows_done, last_error FROM mlpredict.continuous_queries;

-- Every request above went through the connection pool's background
-- worker (shared_preload_libraries = 'mlpredict'), which keeps provider
-- connections open for all sessions and counts what each model did.
SELECT backend_type, query FROM pg_stat_activity WHERE backend_type = 'mlpredict pool';
SELECT model, calls, rows, errors, retries, prompt_tokens, completion_tokens
FROM mlpredict.stat_models ORDER BY model;
