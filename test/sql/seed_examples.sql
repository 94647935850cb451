-- The product page's examples, as written, against the local stand-in.
-- CREATE CONNECTION and CREATE MODEL go through mlpredict.execute() verbatim
-- (only endpoints and keys point at the stand-in); each query runs in both
-- PostgreSQL forms: the model's typed function and ml_predict with a column
-- definition list.
CREATE EXTENSION IF NOT EXISTS mlpredict;

-- Text embedding with Azure OpenAI
CREATE TABLE text_input (id text, input text);
INSERT INTO text_input VALUES ('1', 'alien'), ('2', 'golden finger'), ('3', 'license to kill'), ('4', 'aliens');
SELECT * FROM mlpredict.execute($$CREATE CONNECTION azureopenai-cli-connection WITH ( 'type' = 'azureopenai', 'endpoint' = 'http://127.0.0.1:18787/openai/deployments/my-embedding/embeddings?api-version=2024-06-01', 'api-key' = 'azure-test-key' );$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_embed INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) WITH ( 'azureopenai.connection'='azureopenai-cli-connection', 'provider'='azureopenai', 'task'='embedding' );$$);
SELECT id, input, array_length(response, 1) AS dims, response[1:2] AS head
FROM text_input, LATERAL azure_embed(input) ORDER BY id;
SELECT id, input, array_length(e.response, 1) AS dims, e.response[1:2] AS head
FROM text_input, LATERAL mlpredict.ml_predict('azure_embed', input) AS e(response real[]) ORDER BY id;
-- the embeddings mean something: alien is closest to itself, then (in this
-- stand-in, hash-derived) the others
SELECT b.input, round((SELECT sum(x * y) FROM unnest(a.response, b.response) AS u(x, y))::numeric, 4) AS cosine
FROM (SELECT response FROM azure_embed('alien')) a,
     LATERAL (SELECT t.input, e.response FROM text_input t, LATERAL azure_embed(t.input) e) b
ORDER BY cosine DESC, b.input LIMIT 1;

-- Sentiment analysis with OpenAI
CREATE TABLE text_stream (id BIGINT, text TEXT);
INSERT INTO text_stream SELECT 1 id, 'The mitochondria are the powerhouse of the cell' text;
INSERT INTO text_stream SELECT 2 id, 'Happy Birthday! You are great!' text;
INSERT INTO text_stream SELECT 3 id, 'Today was bad day in the stock market.' text;
SELECT * FROM mlpredict.execute($$CREATE CONNECTION openai-connection WITH ( 'type' = 'openai', 'endpoint' = 'http://127.0.0.1:18787/v1/chat/completions', 'api-key' = 'sk-test-openai-key' );$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ( 'provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-3.5-turbo', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.' );$$);
SELECT id, text, sentiment FROM text_stream, LATERAL sentimentmodel(text) ORDER BY id;
SELECT id, text, sentiment FROM text_stream, LATERAL mlpredict.ml_predict('sentimentmodel', text) AS p(sentiment text) ORDER BY id;

-- Text embedding with AWS Bedrock: the host keeps Bedrock's shape
-- (bedrock-runtime.<region>.<domain>) so the region is found the same way;
-- curl resolves *.localhost to the loopback stand-in, which checks the
-- SigV4 signature with botocore.
SELECT * FROM mlpredict.execute($$CREATE CONNECTION bedrock-cli-connection WITH ( 'type' = 'bedrock', 'endpoint' = 'http://bedrock-runtime.us-east-1.localhost:18787/model/amazon.titan-embed-text-v1/invoke', 'aws_access_key_id' = 'ASIAMLPREDICTTEST02', 'aws_secret_access_key' = 'mlpredict+session/Secret/Key9876543210zyxwvu', 'aws_session_token' = 'IQoJb3JpZ2luX2VjEMLPREDICT//session+token/TEST==' );$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bedrock_embed INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) WITH ( 'bedrock.connection'='bedrock-cli-connection', 'bedrock.input_format'='AMAZON-TITAN-EMBED', 'provider'='bedrock', 'task'='embedding' );$$);
SELECT id, input, array_length(response, 1) AS dims FROM text_input, LATERAL bedrock_embed(input) ORDER BY id;
SELECT id, input, array_length(e.response, 1) AS dims
FROM text_input, LATERAL mlpredict.ml_predict('bedrock_embed', input) AS e(response real[]) ORDER BY id;

-- Google AI (Gemini): the key travels in x-goog-api-key
CREATE TABLE google_input (id int, text text);
INSERT INTO google_input VALUES (1, 'Good morning'), (2, 'Thank you very much');
SELECT * FROM mlpredict.execute($$CREATE CONNECTION googleai-cli-connection WITH ( 'type' = 'googleai', 'endpoint' = 'http://127.0.0.1:18787/v1beta/models/gemini-2.0-flash:generateContent', 'api-key' = 'AIzaSyMLPREDICT-test-key-0123456789' );$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL google_text_cli INPUT (`text` VARCHAR(2147483647)) OUTPUT (`output` VARCHAR(2147483647)) WITH ( 'googleai.connection' = 'googleai-cli-connection', 'googleai.system_prompt' = 'translate text to chinese', 'provider' = 'googleai', 'task' = 'text_generation' );$$);
SELECT id, text, output FROM google_input, LATERAL google_text_cli(text) ORDER BY id;
SELECT id, text, p.output FROM google_input, LATERAL mlpredict.ml_predict('google_text_cli', text) AS p(output text) ORDER BY id;

SELECT * FROM mlpredict.execute('SHOW CONNECTIONS');
SELECT * FROM mlpredict.execute('SHOW MODELS');

DROP TABLE text_input, text_stream, google_input;
DROP EXTENSION mlpredict CASCADE;
