-- Every provider end to end against the stand-in, with its real
-- authentication: Bedrock and SageMaker signed with SigV4 (the stand-in
-- recomputes the signature with botocore), Vertex AI with an access token
-- minted from a service-account JWT (the stand-in verifies the RS256
-- signature with the account's public key), Azure ML, Google AI and
-- Anthropic with their key headers.  Each provider runs each of its
-- formats once; the exact bodies are in the format_* suites.
CREATE EXTENSION IF NOT EXISTS mlpredict;
\i test/helpers/standin.sql
\set VERBOSITY default
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;

-- header values that change from run to run are shown by name only
CREATE FUNCTION pg_temp.shown_headers(h jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_object_agg(k, CASE WHEN k IN ('X-Amz-Date', 'Host') THEN '"(varies)"'::jsonb ELSE v END)
  FROM jsonb_each(h) AS e(k, v) $$;

------------------------------------------------------------------------
-- AWS Bedrock
------------------------------------------------------------------------
SELECT mlpredict.create_connection('bedrock', '{"type": "bedrock", "endpoint": "http://bedrock-runtime.us-east-1.localhost:18787/model/anthropic.claude-3-haiku-20240307-v1:0/invoke", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefGH"}');
-- the region comes from the host; a custom endpoint (VPC endpoint, proxy)
-- needs aws-region; the endpoint must name a model
SELECT mlpredict.create_connection('bedrock-proxy', '{"type": "bedrock", "endpoint": "http://127.0.0.1:18787/model/amazon.titan-text-express-v1/invoke", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefGH"}');
SELECT mlpredict.create_connection('bedrock-badregion', '{"type": "bedrock", "endpoint": "http://127.0.0.1:18787/model/x/invoke", "aws-region": "the moon", "aws-access-key": "A", "aws-secret-key": "B"}');
SELECT mlpredict.create_connection('bedrock-nomodel', '{"type": "bedrock", "endpoint": "https://bedrock-runtime.us-east-1.amazonaws.com/", "aws-access-key": "A", "aws-secret-key": "B"}');
SELECT mlpredict.create_connection('bedrock-wrong-secret', '{"type": "bedrock", "endpoint": "http://bedrock-runtime.us-east-1.localhost:18787/model/amazon.titan-text-express-v1/invoke", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefXX"}');

-- Claude (Messages) with ':' in the model id: the format is detected from
-- the id, the id is encoded once on the wire and twice when signing
SELECT mlpredict.create_model('claude', 'prompt STRING', 'answer STRING',
  '{"provider": "bedrock", "task": "text_generation", "bedrock.connection": "bedrock", "bedrock.system_prompt": "Answer briefly.", "bedrock.params.max_tokens": "50"}');
SELECT url, pg_temp.shown_headers(headers) AS headers, body FROM mlpredict.debug_request('claude', 'Is the sky blue?');
SELECT answer FROM claude('Is the sky blue?');
-- thinking and tool blocks are not part of the answer
SELECT answer FROM claude('Think first [[thinking]]');
SELECT path FROM jsonb_to_recordset(pg_temp.standin('/_control/requests')) AS r(path text) ORDER BY 1 LIMIT 1;

-- every Bedrock-native format, each detected from the model id (cross-region
-- profiles and ARNs included), through a proxy endpoint with aws-region
CREATE FUNCTION pg_temp.bedrock_model(name text, model_id text, out_type text DEFAULT 'STRING', extra jsonb DEFAULT '{}') RETURNS void
LANGUAGE sql AS $$
  SELECT mlpredict.create_connection('bedrock-' || name, jsonb_build_object('type', 'bedrock',
    'endpoint', 'http://127.0.0.1:18787/model/' || model_id || '/invoke', 'aws-region', 'us-east-1',
    'aws-access-key', 'AKIAMLPREDICTTEST01', 'aws-secret-key', 'mlpredict+test/Secret/Key0123456789abcdefGH'));
  SELECT mlpredict.create_model(name, 'prompt STRING', 'answer ' || out_type,
    jsonb_build_object('provider', 'bedrock', 'task', 'text_generation',
      'bedrock.connection', 'bedrock-' || name) || extra)
$$;
SELECT pg_temp.bedrock_model('titan_text', 'amazon.titan-text-express-v1', extra => '{"bedrock.params.temperature": "0.2", "bedrock.params.max_tokens": "40"}');
SELECT pg_temp.bedrock_model('titan_embed_v2', 'amazon.titan-embed-text-v2:0', 'ARRAY<FLOAT>', '{"bedrock.params.dimensions": "256"}');
SELECT pg_temp.bedrock_model('claude_v2', 'anthropic.claude-v2:1');
SELECT pg_temp.bedrock_model('claude_profile', 'us.anthropic.claude-3-5-sonnet-20241022-v2:0');
SELECT pg_temp.bedrock_model('claude_arn', 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0');
SELECT pg_temp.bedrock_model('jurassic', 'ai21.j2-ultra-v1');
SELECT pg_temp.bedrock_model('command_r', 'cohere.command-r-v1:0', extra => '{"bedrock.system_prompt": "Be terse."}');
SELECT pg_temp.bedrock_model('command', 'cohere.command-text-v14');
SELECT pg_temp.bedrock_model('cohere_embed', 'cohere.embed-english-v3', 'ARRAY<FLOAT>');
SELECT pg_temp.bedrock_model('llama', 'meta.llama3-8b-instruct-v1:0');
SELECT pg_temp.bedrock_model('mistral', 'mistral.mistral-7b-instruct-v0:2');
SELECT 'titan_text' AS model, answer FROM titan_text('Hello Titan')
UNION ALL SELECT 'claude_v2', answer FROM claude_v2('Hello Claude')
UNION ALL SELECT 'claude_profile', answer FROM claude_profile('Hello profile')
UNION ALL SELECT 'claude_arn', answer FROM claude_arn('Hello ARN')
UNION ALL SELECT 'jurassic', answer FROM jurassic('Hello Jurassic')
UNION ALL SELECT 'command_r', answer FROM command_r('Hello Command R')
UNION ALL SELECT 'command', answer FROM command('Hello Command')
UNION ALL SELECT 'llama', answer FROM llama('Hello Llama')
UNION ALL SELECT 'mistral', answer FROM mistral('Hello Mistral');
-- Claude bodies on Bedrock: anthropic_version defaults to bedrock-2023-05-31,
-- max_tokens to 1024; the legacy completions get Human/Assistant turns
SELECT body FROM mlpredict.debug_request('claude_profile', 'x');
SELECT body FROM mlpredict.debug_request('claude_v2', 'x');
SELECT array_length(answer, 1) AS dims FROM titan_embed_v2('vector please');
SELECT array_length(answer, 1) AS dims FROM cohere_embed('vector please');
-- on the wire the ARN is one path segment
SELECT r.path FROM jsonb_to_recordset(pg_temp.standin('/_control/requests')) AS r(path text)
WHERE r.path LIKE '%arn%' LIMIT 1;
SELECT url FROM mlpredict.debug_request('claude_arn', 'x');

-- temporary credentials: the session token is sent and signed
SELECT mlpredict.create_connection('bedrock-session', '{"type": "bedrock", "endpoint": "http://bedrock-runtime.us-east-1.localhost:18787/model/amazon.titan-text-express-v1/invoke", "aws_access_key_id": "ASIAMLPREDICTTEST02", "aws_secret_access_key": "mlpredict+session/Secret/Key9876543210zyxwvu", "aws_session_token": "IQoJb3JpZ2luX2VjEMLPREDICT//session+token/TEST=="}');
SELECT mlpredict.create_model('titan_session', 'prompt STRING', 'answer STRING', '{"provider": "bedrock", "task": "text_generation", "bedrock.connection": "bedrock-session"}');
SELECT answer FROM titan_session('Hello with a token');
SELECT pg_temp.shown_headers(headers) AS headers FROM mlpredict.debug_request('titan_session', 'x');

-- a wrong secret fails the signature check; nothing secret is shown
SELECT mlpredict.create_model('titan_wrong', 'prompt STRING', 'answer STRING', '{"provider": "bedrock", "task": "text_generation", "bedrock.connection": "bedrock-wrong-secret"}');
SELECT * FROM titan_wrong('Hello');
-- Bedrock throttling is retried
SELECT answer IS NOT NULL AS answered FROM titan_text('slow down [[fail-times:1:429]]');

------------------------------------------------------------------------
-- AWS SageMaker
------------------------------------------------------------------------
SELECT mlpredict.create_connection('sagemaker-default', '{"type": "sagemaker", "endpoint": "http://runtime.sagemaker.us-east-1.localhost:18787/endpoints/credit-default/invocations", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefGH"}');
SELECT mlpredict.create_connection('sagemaker-multi', '{"type": "sagemaker", "endpoint": "http://runtime.sagemaker.us-east-1.localhost:18787/endpoints/churn-multi/invocations", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefGH"}');
SELECT mlpredict.create_connection('sagemaker-broken', '{"type": "sagemaker", "endpoint": "http://runtime.sagemaker.us-east-1.localhost:18787/endpoints/broken-model/invocations", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefGH"}');
-- Confluent's classification example: CSV by default
SELECT * FROM mlpredict.execute($$CREATE MODEL credit_default INPUT (credit_limit INT, age INT) OUTPUT (predicted_default INT) WITH ('provider' = 'sagemaker', 'task' = 'classification', 'sagemaker.connection' = 'sagemaker-default', 'sagemaker.target_variant' = 'variant-b', 'sagemaker.custom_attributes' = 'trace=1')$$);
CREATE TABLE customers (id int, credit_limit int, age int);
INSERT INTO customers VALUES (1, 20, 30), (2, 500, 40), (3, NULL, 50);
SELECT c.id, p.predicted_default FROM customers c, LATERAL credit_default(c.credit_limit, c.age) p ORDER BY c.id;
SELECT r.headers->>'x-amzn-sagemaker-target-variant' AS variant, r.headers->>'x-amzn-sagemaker-custom-attributes' AS attrs, r.headers->>'content-type' AS content_type
FROM jsonb_to_recordset(pg_temp.standin('/_control/requests')) AS r(path text, headers jsonb)
WHERE r.path LIKE '/endpoints/credit-default/%' LIMIT 1;
-- several outputs, from every request shape the endpoint accepts
CREATE FUNCTION pg_temp.sagemaker_model(name text, fmt text) RETURNS void LANGUAGE sql AS $$
  SELECT mlpredict.create_model(name, 'credit_limit INT, age INT', 'label INT, score DOUBLE, cluster INT',
    jsonb_build_object('provider', 'sagemaker', 'task', 'classification',
      'sagemaker.connection', 'sagemaker-multi', 'sagemaker.input_format', fmt))
$$;
SELECT pg_temp.sagemaker_model('churn_csv', 'CSV');
SELECT pg_temp.sagemaker_model('churn_json', 'JSON');
SELECT pg_temp.sagemaker_model('churn_array', 'JSON-ARRAY');
SELECT pg_temp.sagemaker_model('churn_tf', 'TF-SERVING');
SELECT pg_temp.sagemaker_model('churn_pandas', 'PANDAS-DATAFRAME');
SELECT pg_temp.sagemaker_model('churn_mlflow', 'MLFLOW-TENSOR');
SELECT pg_temp.sagemaker_model('churn_triton', 'TRITON');
SELECT 'csv' AS fmt, * FROM churn_csv(80, 30)
UNION ALL SELECT 'json', * FROM churn_json(80, 30)
UNION ALL SELECT 'json-array', * FROM churn_array(80, 30)
UNION ALL SELECT 'tf-serving', * FROM churn_tf(80, 30)
UNION ALL SELECT 'pandas', * FROM churn_pandas(80, 30)
UNION ALL SELECT 'mlflow-tensor', * FROM churn_mlflow(80, 30)
UNION ALL SELECT 'triton', * FROM churn_triton(80, 30);
SELECT pg_temp.sagemaker_model('churn_pytorch', 'VERTEXAI-PYTORCH');
SELECT pg_temp.sagemaker_model('churn_tfcol', 'TF-SERVING-COLUMN');
SELECT pg_temp.sagemaker_model('churn_azpandas', 'AZUREML-PANDAS-DATAFRAME');
SELECT mlpredict.create_model('churn_objects', 'credit_limit INT, age INT', 'label INT, score DOUBLE, cluster INT',
  '{"provider": "sagemaker", "task": "classification", "sagemaker.connection": "sagemaker-multi", "sagemaker.input_format": "TF-SERVING", "sagemaker.output_format": "JSON-ARRAY-OF-OBJECTS"}');
SELECT 'vertexai-pytorch' AS fmt, * FROM churn_pytorch(80, 30)
UNION ALL SELECT 'tf-serving-column', * FROM churn_tfcol(80, 30)
UNION ALL SELECT 'azureml-pandas', * FROM churn_azpandas(80, 30)
UNION ALL SELECT 'json-array-of-objects', * FROM churn_objects(80, 30);
-- TEXT and BINARY against an echoing endpoint: what goes out comes back
SELECT mlpredict.create_connection('sagemaker-echo', '{"type": "sagemaker", "endpoint": "http://runtime.sagemaker.us-east-1.localhost:18787/endpoints/echo-model/invocations", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefGH"}');
SELECT mlpredict.create_model('echo_text', 'note STRING', 'reply STRING', '{"provider": "sagemaker", "task": "text_generation", "sagemaker.connection": "sagemaker-echo", "sagemaker.input_format": "TEXT"}');
SELECT mlpredict.create_model('echo_binary', 'x DOUBLE', 'y DOUBLE', '{"provider": "sagemaker", "task": "regression", "sagemaker.connection": "sagemaker-echo", "sagemaker.input_format": "BINARY"}');
SELECT reply FROM echo_text('plain text, naïve');
SELECT y FROM echo_binary(-12.625);
-- (a binary body has NUL bytes, which jsonb cannot hold: forget the recorded requests)
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
-- Triton with a text tensor goes binary; SageMaker gets the JSON length in
-- its Content-Type
SELECT mlpredict.create_model('echo_triton', 'note STRING, n INT', 'score DOUBLE',
  '{"provider": "sagemaker", "task": "regression", "sagemaker.connection": "sagemaker-multi", "sagemaker.input_format": "TRITON"}');
SELECT pg_temp.shown_headers(headers)->>'Content-Type' AS content_type FROM mlpredict.debug_request('echo_triton', 'héllo', 3);
-- a model error (HTTP 424) is reported with the model's own message
SELECT mlpredict.create_model('broken', 'credit_limit INT, age INT', 'predicted_default INT',
  '{"provider": "sagemaker", "task": "classification", "sagemaker.connection": "sagemaker-broken"}');
SELECT * FROM broken(1, 2);

------------------------------------------------------------------------
-- Azure ML and Azure AI Foundry
------------------------------------------------------------------------
SELECT mlpredict.create_connection('azureml', '{"type": "azureml", "endpoint": "http://127.0.0.1:18787/score", "api-key": "azureml-test-key-0123456789"}');
SELECT mlpredict.create_connection('azureml-wrong', '{"type": "azureml", "endpoint": "http://127.0.0.1:18787/score", "api-key": "azureml-wrong-key-99999999"}');
-- AZUREML-PANDAS-DATAFRAME by default; deployment_name picks a deployment
SELECT * FROM mlpredict.execute($$CREATE MODEL heart INPUT (age INT, sex INT, chol INT) OUTPUT (risk INT) WITH ('provider' = 'azureml', 'task' = 'classification', 'azureml.connection' = 'azureml', 'azureml.deployment_name' = 'heart-label-blue')$$);
SELECT body, headers->>'azureml-model-deployment' AS deployment FROM mlpredict.debug_request('heart', 63, 1, 233);
SELECT * FROM heart(63, 1, 233);
SELECT * FROM heart(1, 0, 20);
SELECT mlpredict.create_model('heart_multi', 'age INT, sex INT, chol INT', 'label INT, score DOUBLE, cluster INT',
  '{"provider": "azureml", "task": "classification", "azureml.connection": "azureml", "azureml.deployment_name": "heart-multi", "azureml.input_format": "AZUREML-TENSOR"}');
SELECT * FROM heart_multi(63, 1, 233);
SELECT mlpredict.create_model('azure_llm', 'prompt STRING', 'answer STRING',
  '{"provider": "azureml", "task": "text_generation", "azureml.connection": "azureml", "azureml.input_format": "AZURE-CHAT"}');
SELECT * FROM azure_llm('Hello Azure');
SELECT mlpredict.create_model('heart_missing', 'age INT, sex INT, chol INT', 'risk INT',
  '{"provider": "azureml", "task": "classification", "azureml.connection": "azureml", "azureml.deployment_name": "missing-one"}');
SELECT * FROM heart_missing(1, 2, 3);
SELECT mlpredict.create_model('heart_wrong_key', 'age INT, sex INT, chol INT', 'risk INT',
  '{"provider": "azureml", "task": "classification", "azureml.connection": "azureml-wrong"}');
SELECT * FROM heart_wrong_key(1, 2, 3);
-- AI Foundry hosts speak the OpenAI dialect
SELECT mlpredict.create_connection('foundry', '{"type": "azureml", "endpoint": "https://my-llama.eastus2.inference.ai.azure.com/v1/chat/completions", "api-key": "foundry-key-000"}');
SELECT mlpredict.create_model('foundry_chat', 'prompt STRING', 'answer STRING', '{"provider": "azureml", "task": "text_generation", "azureml.connection": "foundry"}');
SELECT body::jsonb ? 'messages' AS openai_chat FROM mlpredict.debug_request('foundry_chat', 'hi');

------------------------------------------------------------------------
-- Google AI (Gemini API)
------------------------------------------------------------------------
SELECT mlpredict.create_connection('gemini', '{"type": "googleai", "endpoint": "http://127.0.0.1:18787/v1beta/models/gemini-2.0-flash:generateContent", "api-key": "AIzaSyMLPREDICT-test-key-0123456789"}');
SELECT mlpredict.create_connection('gemini-embed', '{"type": "googleai", "endpoint": "http://127.0.0.1:18787/v1beta/models/gemini-embedding-001:embedContent", "api-key": "AIzaSyMLPREDICT-test-key-0123456789"}');
SELECT mlpredict.create_connection('gemini-stream', '{"type": "googleai", "endpoint": "http://127.0.0.1:18787/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", "api-key": "AIzaSyMLPREDICT-test-key-0123456789"}');
SELECT mlpredict.create_connection('gemini-bad-key', '{"type": "googleai", "endpoint": "http://127.0.0.1:18787/v1beta/models/gemini-2.0-flash:generateContent", "api-key": "AIzaSy-not-the-right-key"}');
-- a key in the URL is refused
SELECT mlpredict.create_connection('gemini-key-in-url', '{"type": "googleai", "endpoint": "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent?key=AIzaSyLEAKED", "api-key": "AIzaSyLEAKED"}');
SELECT mlpredict.create_model('gemini', 'prompt STRING', 'answer STRING',
  '{"provider": "googleai", "task": "text_generation", "googleai.connection": "gemini", "googleai.system_prompt": "Be brief.", "googleai.params.temperature": "0.1", "googleai.params.max_tokens": "64"}');
SELECT url, pg_temp.shown_headers(headers) AS headers, body FROM mlpredict.debug_request('gemini', 'Hello Gemini');
SELECT answer FROM gemini('Hello Gemini');
SELECT answer FROM gemini('Reason first [[thinking]]');
SELECT answer FROM gemini('[[blocked]] unsafe');
SELECT mlpredict.create_model('gemini_stream', 'prompt STRING', 'answer STRING', '{"provider": "googleai", "task": "text_generation", "googleai.connection": "gemini-stream"}');
SELECT url FROM mlpredict.debug_request('gemini_stream', 'x');
SELECT answer IS NOT NULL AS answered FROM gemini_stream('Hello stream');
SELECT mlpredict.create_model('gemini_embed', 'doc STRING', 'v ARRAY<FLOAT>', '{"provider": "googleai", "task": "embedding", "googleai.connection": "gemini-embed", "googleai.params.taskType": "RETRIEVAL_DOCUMENT", "googleai.params.outputDimensionality": "128"}');
SELECT array_length(v, 1) AS dims FROM gemini_embed('embed me');
SELECT mlpredict.create_model('gemini_bad_key', 'prompt STRING', 'answer STRING', '{"provider": "googleai", "task": "text_generation", "googleai.connection": "gemini-bad-key"}');
SELECT * FROM gemini_bad_key('Hello');
-- no recorded request carries the key in its URL
SELECT count(*) FILTER (WHERE r.path LIKE '%key=%') AS key_in_url, count(*) > 0 AS any
FROM jsonb_to_recordset(pg_temp.standin('/_control/requests')) AS r(path text)
WHERE r.path LIKE '/v1beta/%';

------------------------------------------------------------------------
-- Google Vertex AI: a service account's key, exchanged for a token
------------------------------------------------------------------------
\getenv gcp_key_file MLPREDICT_TEST_GCP_KEY
CREATE TEMP TABLE gcp_key AS SELECT pg_read_file(:'gcp_key_file') AS k;
SELECT mlpredict.create_connection('vertex-gemini', jsonb_build_object('type', 'vertexai',
  'endpoint', 'http://127.0.0.1:18787/v1/projects/mlpredict-test/locations/us-central1/publishers/google/models/gemini-2.0-flash',
  'service-key', (SELECT k FROM gcp_key)));
SELECT mlpredict.create_connection('vertex-embed', jsonb_build_object('type', 'vertexai',
  'endpoint', 'http://127.0.0.1:18787/v1/projects/mlpredict-test/locations/us-central1/publishers/google/models/text-embedding-005:predict',
  'service-key', (SELECT k FROM gcp_key)));
SELECT mlpredict.create_connection('vertex-claude', jsonb_build_object('type', 'vertexai',
  'endpoint', 'http://127.0.0.1:18787/v1/projects/mlpredict-test/locations/us-east5/publishers/anthropic/models/claude-3-5-haiku@20241022:streamRawPredict',
  'service-key', (SELECT k FROM gcp_key)));
SELECT mlpredict.create_connection('vertex-endpoint', jsonb_build_object('type', 'vertexai',
  'endpoint', 'http://127.0.0.1:18787/v1/projects/mlpredict-test/locations/us-central1/endpoints/churn-multi',
  'service-key', (SELECT k FROM gcp_key)));
-- keys that cannot work are refused when the connection is created
SELECT mlpredict.create_connection('vertex-bad', '{"type": "vertexai", "endpoint": "https://us-central1-aiplatform.googleapis.com/v1/x", "service-key": "not json"}');
SELECT mlpredict.create_connection('vertex-bad', '{"type": "vertexai", "endpoint": "https://us-central1-aiplatform.googleapis.com/v1/x", "service-key": "{\"client_email\": \"a@b\"}"}');
SELECT mlpredict.create_connection('vertex-bad', '{"type": "vertexai", "endpoint": "https://us-central1-aiplatform.googleapis.com/v1/x", "service-key": "{\"client_email\": \"a@b\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"}"}');
SELECT mlpredict.create_model('vertex_gemini', 'prompt STRING', 'answer STRING', '{"provider": "vertexai", "task": "text_generation", "vertexai.connection": "vertex-gemini", "vertexai.system_prompt": "Be brief."}');
SELECT mlpredict.create_model('vertex_embed', 'doc STRING', 'v ARRAY<FLOAT>', '{"provider": "vertexai", "task": "embedding", "vertexai.connection": "vertex-embed"}');
SELECT mlpredict.create_model('vertex_claude', 'prompt STRING', 'answer STRING', '{"provider": "vertexai", "task": "text_generation", "vertexai.connection": "vertex-claude", "vertexai.params.max_tokens": "100"}');
SELECT mlpredict.create_model('vertex_churn', 'credit_limit INT, age INT', 'label INT, score DOUBLE, cluster INT', '{"provider": "vertexai", "task": "classification", "vertexai.connection": "vertex-endpoint"}');
SELECT mlpredict.create_model('vertex_churn_csv', 'credit_limit INT, age INT', 'label INT, score DOUBLE, cluster INT', '{"provider": "vertexai", "task": "classification", "vertexai.connection": "vertex-endpoint", "vertexai.input_format": "CSV"}');
-- the verbs Vertex needs: added, made one-shot, :rawPredict for non-instance bodies
SELECT 'gemini' AS model, url FROM mlpredict.debug_request('vertex_gemini', 'x')
UNION ALL SELECT 'embed', url FROM mlpredict.debug_request('vertex_embed', 'x')
UNION ALL SELECT 'claude', url FROM mlpredict.debug_request('vertex_claude', 'x')
UNION ALL SELECT 'churn', url FROM mlpredict.debug_request('vertex_churn', 1, 2)
UNION ALL SELECT 'churn_csv', url FROM mlpredict.debug_request('vertex_churn_csv', 1, 2);
SELECT body FROM mlpredict.debug_request('vertex_claude', 'x');
SELECT answer FROM vertex_gemini('Hello Vertex');
SELECT array_length(v, 1) AS dims FROM vertex_embed('embed me');
SELECT answer FROM vertex_claude('Hello Claude on Vertex [[thinking]]');
SELECT * FROM vertex_churn(80, 30);
SELECT * FROM vertex_churn_csv(80, 30);
-- one token served every call of this session
SELECT (pg_temp.standin('/_control/stats')->>'token_grants')::int AS token_grants;
-- a token is refreshed shortly before it expires: a new session (empty
-- token cache) whose tokens live 2 seconds
SELECT pg_temp.standin('/_control/config', 'POST', '{"gcp_token_ttl": 2, "gcp_token_expires_in": 2}') IS NOT NULL AS configured;
\c
\i test/helpers/standin.sql
SELECT (pg_temp.standin('/_control/stats')->>'token_grants')::int AS grants_before \gset
SELECT answer FROM vertex_gemini('First token');
SELECT answer FROM vertex_gemini('Same token');
SELECT pg_sleep(2.1);
SELECT answer FROM vertex_gemini('Fresh token please');
SELECT (pg_temp.standin('/_control/stats')->>'token_grants')::int - :grants_before AS new_grants;
-- a grant the token endpoint refuses (here: it no longer knows the account)
SELECT pg_temp.standin('/_control/config', 'POST', '{"gcp_client_email": "someone-else@mlpredict-test.iam.gserviceaccount.com"}') IS NOT NULL AS configured;
SELECT pg_sleep(2.1);
SELECT answer FROM vertex_gemini('Refused');
SELECT pg_temp.standin('/_control/config', 'POST', '{"gcp_client_email": "mlpredict-test@mlpredict-test.iam.gserviceaccount.com", "gcp_token_ttl": 3599, "gcp_token_expires_in": 3599}') IS NOT NULL AS configured;

------------------------------------------------------------------------
-- Anthropic (direct Messages API)
------------------------------------------------------------------------
SELECT mlpredict.create_connection('anthropic', '{"type": "anthropic", "endpoint": "http://127.0.0.1:18787/v1/messages", "api-key": "sk-ant-api03-mlpredict-test-key"}');
SELECT mlpredict.create_model('claude_direct', 'prompt STRING', 'answer STRING', '{"provider": "anthropic", "task": "text_generation", "anthropic.connection": "anthropic", "anthropic.model_version": "claude-sonnet-4-20250514", "anthropic.system_prompt": "One word.", "anthropic.params.max_tokens": "20"}');
SELECT url, pg_temp.shown_headers(headers) AS headers, body FROM mlpredict.debug_request('claude_direct', 'Hello Claude');
SELECT answer FROM claude_direct('Hello Claude');
SELECT answer FROM claude_direct('Plan it [[thinking]]');
-- overloaded (529) is retried; an exhausted spend limit is not
SELECT answer IS NOT NULL AS answered FROM claude_direct('busy [[fail-times:1:529]]');
SELECT * FROM claude_direct('broke [[quota]]');
SELECT mlpredict.create_model('claude_nomodel', 'prompt STRING', 'answer STRING', '{"provider": "anthropic", "task": "text_generation", "anthropic.connection": "anthropic"}');
SELECT * FROM claude_nomodel('Hello');

------------------------------------------------------------------------
-- Statements in the style of Confluent's documentation, unchanged
-- (upper-case keys as SHOW CREATE MODEL prints them, backquotes, content
-- types, explicit formats)
------------------------------------------------------------------------
SELECT * FROM mlpredict.execute($$CREATE MODEL `vertex_embed_doc` INPUT (`text` STRING) OUTPUT (`embedding` ARRAY<FLOAT>) WITH ('PROVIDER' = 'vertexai', 'TASK' = 'embedding', 'VERTEXAI.CONNECTION' = 'vertex-embed', 'VERTEXAI.INPUT_FORMAT' = 'VERTEX-EMBED')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL anthropic_doc INPUT (prompt STRING) OUTPUT (response STRING) WITH ('provider' = 'anthropic', 'task' = 'text_generation', 'anthropic.connection' = 'anthropic', 'anthropic.params.max_tokens' = '1024', 'anthropic.model_version' = 'claude-sonnet-4-20250514', 'anthropic.system_prompt' = 'You are a helpful assistant.')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL sagemaker_doc INPUT (credit_limit INT, age INT) OUTPUT (predicted_default INT) WITH ('task' = 'classification', 'provider' = 'sagemaker', 'sagemaker.connection' = 'sagemaker-default', 'sagemaker.input_format' = 'CSV', 'sagemaker.output_format' = 'CSV', 'sagemaker.input_content_type' = 'text/csv', 'sagemaker.output_content_type' = 'text/csv')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bedrock_doc INPUT (text STRING) OUTPUT (response STRING) WITH ('BEDROCK.CONNECTION' = 'bedrock-session', 'BEDROCK.PARAMS.MAX_TOKENS' = '20', 'BEDROCK.PARAMS.TEMPERATURE' = '0.1', 'PROVIDER' = 'bedrock', 'TASK' = 'text_generation')$$);
SELECT array_length(embedding, 1) AS dims FROM vertex_embed_doc('documented');
SELECT response FROM anthropic_doc('documented');
SELECT predicted_default FROM sagemaker_doc(300, 20);
SELECT response FROM bedrock_doc('documented');

DROP TABLE customers;
DROP EXTENSION mlpredict CASCADE;
