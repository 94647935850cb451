-- Request batching: where a model's format takes many inputs per request,
-- the pipelined executor packs consecutive rows into one request (up to the
-- model's <provider>.batch_size and the provider's own limits) and splits
-- the answer back into rows.  For every batchable format the rows are the
-- same, values and order, as with one request per row
-- (mlpredict.enable_pipeline = off); the stand-in's request counts show the
-- batching; provider limits cap a batch; a batch that fails because of one
-- row is split until that row stands alone.
CREATE EXTENSION IF NOT EXISTS mlpredict;

\i test/helpers/standin.sql
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;

-- same(query): the rows of query pipelined (batched) and with one request
-- per row, compared in the order they came
CREATE FUNCTION pg_temp.same(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  batched text[];
  serial text[];
BEGIN
  PERFORM set_config('mlpredict.enable_pipeline', 'on', true);
  EXECUTE format('SELECT array_agg(r::text ORDER BY n) FROM (SELECT r, row_number() OVER () AS n FROM (%s) r) s', query) INTO batched;
  PERFORM set_config('mlpredict.enable_pipeline', 'off', true);
  EXECUTE format('SELECT array_agg(r::text ORDER BY n) FROM (SELECT r, row_number() OVER () AS n FROM (%s) r) s', query) INTO serial;
  PERFORM set_config('mlpredict.enable_pipeline', 'on', true);
  RETURN coalesce(cardinality(batched), 0) || ' rows, ' ||
         CASE WHEN batched IS NOT DISTINCT FROM serial THEN 'same' ELSE 'DIFFERENT' END;
END $$;

-- sent(query): how the pipelined query went out (EXPLAIN ANALYZE's batch
-- size, requests, batched requests and splits) and how many requests the
-- stand-in saw
CREATE FUNCTION pg_temp.sent(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  line text;
  info text := '';
BEGIN
  PERFORM pg_temp.standin('/_control/reset', 'POST');
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
    IF line ~ '(Batch Size|Requests|Batch Splits):' THEN
      info := info || btrim(line) || ', ';
    END IF;
  END LOOP;
  RETURN info || 'stand-in: ' || (pg_temp.standin('/_control/stats')->>'requests') || ' requests';
END $$;

-- the stand-in's recorded requests: each one's path and how many rows it carried
CREATE FUNCTION pg_temp.recorded() RETURNS TABLE (path text, rows int)
LANGUAGE sql AS $$
  SELECT r->>'path',
         coalesce(jsonb_array_length(coalesce(r->'body'->'input', r->'body'->'texts', r->'body'->'instances',
                                              r->'body'->'requests', r->'body'->'dataframe_split'->'data',
                                              r->'body'->'input_data'->'data')), 1)
  FROM jsonb_array_elements(pg_temp.standin('/_control/requests')) r
$$;

CREATE TABLE docs (id int PRIMARY KEY, body text);
INSERT INTO docs
SELECT g, CASE WHEN g % 9 = 0 THEN NULL ELSE 'document number ' || g END
FROM generate_series(1, 30) g;
CREATE TABLE many (id int PRIMARY KEY, body text);
INSERT INTO many SELECT g, 'item ' || g FROM generate_series(1, 100) g;
CREATE TABLE customers (id int PRIMARY KEY, credit_limit int, age int);
INSERT INTO customers
SELECT g, CASE WHEN g = 13 THEN NULL ELSE g * 7 END, 20 + g % 50 FROM generate_series(1, 25) g;
ANALYZE docs, many, customers;

------------------------------------------------------------------------
-- the model option batch_size
------------------------------------------------------------------------
SELECT mlpredict.create_connection('b-openai', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/embeddings", "api-key": "sk-test-openai-key"}');
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (t STRING) OUTPUT (v ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'b-openai', 'openai.batch_size' = '0')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (t STRING) OUTPUT (v ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'b-openai', 'openai.batch_size' = 'many')$$);
SELECT mlpredict.create_model('bad', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "b-openai", "openai.batch_size": 10001}');

------------------------------------------------------------------------
-- OPENAI-EMBED: an "input" array, answered data[k] with index k
------------------------------------------------------------------------
SELECT mlpredict.create_model('oai_embed', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "b-openai", "openai.batch_size": 4}');
SELECT mlpredict.create_model('oai_embed8', 't STRING', 'v ARRAY<DOUBLE>', '{"provider": "openai", "task": "embedding", "openai.connection": "b-openai", "openai.params.dimensions": 256}');
SELECT pg_temp.same('SELECT id, v FROM docs, LATERAL oai_embed(body)');
SELECT id, array_length(v, 1) AS dims, v[1:3] AS head FROM docs, LATERAL oai_embed(body) WHERE id <= 5;
SELECT pg_temp.same('SELECT id, v FROM docs LEFT JOIN LATERAL oai_embed8(body) ON true ORDER BY id DESC');
SELECT pg_temp.same('SELECT id, p.v FROM docs, LATERAL mlpredict.ml_predict(''oai_embed'', body) AS p(v real[]) WHERE id % 2 = 0');
-- 10 rows, batch_size 4: 3 requests of 4, 4 and 2 rows
SELECT pg_temp.sent('SELECT id, v FROM docs, LATERAL oai_embed(body) WHERE id <= 10 AND id <> 9 OR id = 11');
SELECT * FROM pg_temp.recorded() ORDER BY rows DESC;
-- without batch_size, up to 64 rows (the default) per request
SELECT pg_temp.sent('SELECT id, v FROM docs, LATERAL oai_embed8(body)');
-- batch_size 1 sends one row per request
SELECT mlpredict.create_model('oai_embed1', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "b-openai", "openai.batch_size": 1}');
SELECT pg_temp.sent('SELECT id, v FROM docs, LATERAL oai_embed1(body) WHERE id <= 5');
-- an output pointer that picks one result rules batching out
SELECT mlpredict.create_model('oai_pointer', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "b-openai", "openai.output_format": "OPENAI-EMBED:/data/0/embedding"}');
SELECT pg_temp.sent('SELECT id, v FROM docs, LATERAL oai_pointer(body) WHERE id <= 5');
-- the batched request, as the stand-in recorded it
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT count(*) FROM docs, LATERAL oai_embed(body) WHERE id <= 3;
SELECT r->>'path' AS path, r->'headers'->>'authorization' AS auth, r->'body' AS body
FROM jsonb_array_elements(pg_temp.standin('/_control/requests')) r;

-- Azure OpenAI: the same format behind a deployment URL and the api-key header
SELECT mlpredict.create_connection('b-azure', '{"type": "azureopenai", "endpoint": "http://127.0.0.1:18787/openai/deployments/embed/embeddings?api-version=2024-06-01", "api-key": "azure-test-key"}');
SELECT mlpredict.create_model('az_embed', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "azureopenai", "task": "embedding", "azureopenai.connection": "b-azure", "azureopenai.batch_size": 8}');
SELECT pg_temp.same('SELECT id, v FROM docs, LATERAL az_embed(body)');
SELECT pg_temp.sent('SELECT id, v FROM docs, LATERAL az_embed(body)');
SELECT DISTINCT r->>'path' AS path, r->'headers'->>'api-key' AS key, r->>'auth' AS auth
FROM jsonb_array_elements(pg_temp.standin('/_control/requests')) r;

------------------------------------------------------------------------
-- COHERE-EMBED on Bedrock: "texts", at most 96 per request (SigV4-signed)
------------------------------------------------------------------------
SELECT mlpredict.create_connection('b-cohere', '{"type": "bedrock", "endpoint": "http://bedrock-runtime.us-east-1.localhost:18787/model/cohere.embed-english-v3/invoke", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefGH"}');
SELECT mlpredict.create_model('cohere_embed', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "bedrock", "task": "embedding", "bedrock.connection": "b-cohere", "bedrock.batch_size": 500}');
SELECT pg_temp.same('SELECT id, v FROM docs, LATERAL cohere_embed(body)');
-- batch_size 500 is capped by Cohere's 96 texts: 100 rows in 2 requests
SELECT pg_temp.sent('SELECT id, v FROM many, LATERAL cohere_embed(body)');
SELECT * FROM pg_temp.recorded() ORDER BY rows DESC;
SELECT count(*) FILTER (WHERE r->>'auth' = 'ok') AS signed_ok FROM jsonb_array_elements(pg_temp.standin('/_control/requests')) r;

------------------------------------------------------------------------
-- VERTEX-EMBED: "instances", at most 250 and 20,000 tokens per request
------------------------------------------------------------------------
\getenv gcp_key_file MLPREDICT_TEST_GCP_KEY
CREATE TEMP TABLE gcp_key AS SELECT pg_read_file(:'gcp_key_file') AS k;
SELECT mlpredict.create_connection('b-vertex', jsonb_build_object('type', 'vertexai',
  'endpoint', 'http://127.0.0.1:18787/v1/projects/mlpredict-test/locations/us-central1/publishers/google/models/text-embedding-005:predict',
  'service-key', (SELECT k FROM gcp_key)));
SELECT mlpredict.create_connection('b-vertex-gemini', jsonb_build_object('type', 'vertexai',
  'endpoint', 'http://127.0.0.1:18787/v1/projects/mlpredict-test/locations/us-central1/publishers/google/models/gemini-embedding-001:predict',
  'service-key', (SELECT k FROM gcp_key)));
SELECT mlpredict.create_model('vertex_embed', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "vertexai", "task": "embedding", "vertexai.connection": "b-vertex", "vertexai.batch_size": 250, "vertexai.params.task_type": "RETRIEVAL_DOCUMENT"}');
SELECT mlpredict.create_model('vertex_gemini_embed', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "vertexai", "task": "embedding", "vertexai.connection": "b-vertex-gemini"}');
SELECT pg_temp.same('SELECT id, v FROM docs, LATERAL vertex_embed(body)');
SELECT pg_temp.sent('SELECT id, v FROM docs, LATERAL vertex_embed(body)');
-- texts of 3,300 to 3,600 bytes count as 1,100 to 1,200 tokens each (bytes / 3,
-- on the safe side for any language): 16 or 17 rows fit in 20,000
CREATE TABLE long_docs AS SELECT g AS id, repeat('abcdefghi ' || g, 300) AS body FROM generate_series(1, 40) g;
SELECT pg_temp.sent('SELECT id, v FROM long_docs, LATERAL vertex_embed(body)');
SELECT * FROM pg_temp.recorded() ORDER BY rows DESC;
-- gemini-embedding-001 takes one instance per request
SELECT pg_temp.sent('SELECT id, v FROM docs, LATERAL vertex_gemini_embed(body) WHERE id <= 4');
SELECT pg_temp.same('SELECT id, v FROM docs, LATERAL vertex_gemini_embed(body) WHERE id <= 4');

------------------------------------------------------------------------
-- GEMINI-EMBED on Google AI: a batch goes to :batchEmbedContents
------------------------------------------------------------------------
SELECT mlpredict.create_connection('b-gemini', '{"type": "googleai", "endpoint": "http://127.0.0.1:18787/v1beta/models/gemini-embedding-001:embedContent", "api-key": "AIzaSyMLPREDICT-test-key-0123456789"}');
SELECT mlpredict.create_model('gemini_embed', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "googleai", "task": "embedding", "googleai.connection": "b-gemini", "googleai.batch_size": 10, "googleai.params.taskType": "RETRIEVAL_DOCUMENT", "googleai.params.outputDimensionality": 128}');
SELECT pg_temp.same('SELECT id, v FROM docs, LATERAL gemini_embed(body)');
SELECT pg_temp.sent('SELECT id, v FROM docs, LATERAL gemini_embed(body)');
SELECT * FROM pg_temp.recorded() ORDER BY rows DESC;
SELECT r->>'auth' AS auth, r->'body'->'requests'->0 AS first_request
FROM jsonb_array_elements(pg_temp.standin('/_control/requests')) r
ORDER BY jsonb_array_length(r->'body'->'requests') LIMIT 1;
-- one row alone still goes to :embedContent, even from a :batchEmbedContents endpoint
SELECT mlpredict.create_connection('b-gemini-batch', '{"type": "googleai", "endpoint": "http://127.0.0.1:18787/v1beta/models/text-embedding-004:batchEmbedContents", "api-key": "AIzaSyMLPREDICT-test-key-0123456789"}');
SELECT mlpredict.create_model('gemini_embed_b', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "googleai", "task": "embedding", "googleai.connection": "b-gemini-batch"}');
SELECT url FROM mlpredict.debug_request('gemini_embed_b', 'alone');
SELECT array_length(v, 1) AS dims FROM gemini_embed_b('alone');
SELECT pg_temp.sent('SELECT id, v FROM docs, LATERAL gemini_embed_b(body)');
SELECT * FROM pg_temp.recorded();
SELECT pg_temp.same('SELECT id, v FROM docs, LATERAL gemini_embed_b(body)');

------------------------------------------------------------------------
-- TF-SERVING / KServe v1 / VERTEXAI-PYTORCH: "instances", one prediction
-- per instance; several OUTPUT columns by the generic rule
------------------------------------------------------------------------
SELECT mlpredict.create_connection('b-endpoint', jsonb_build_object('type', 'vertexai',
  'endpoint', 'http://127.0.0.1:18787/v1/projects/mlpredict-test/locations/us-central1/endpoints/churn-multi',
  'service-key', (SELECT k FROM gcp_key)));
SELECT mlpredict.create_model('churn_tf', 'credit_limit INT, age INT', 'label INT, score DOUBLE, cluster INT', '{"provider": "vertexai", "task": "classification", "vertexai.connection": "b-endpoint", "vertexai.batch_size": 4}');
SELECT pg_temp.same('SELECT c.id, p.* FROM customers c, LATERAL churn_tf(c.credit_limit, c.age) p');
SELECT pg_temp.sent('SELECT c.id, p.* FROM customers c, LATERAL churn_tf(c.credit_limit, c.age) p');
SELECT c.id, p.* FROM customers c, LATERAL churn_tf(c.credit_limit, c.age) p WHERE c.id BETWEEN 11 AND 15;
SELECT mlpredict.create_connection('b-kserve', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/models/churn-multi:predict", "api-key": "unused"}');
SELECT mlpredict.create_model('churn_kserve', 'credit_limit INT, age INT', 'label INT, score DOUBLE, cluster INT', '{"provider": "openai", "task": "classification", "openai.connection": "b-kserve", "openai.input_format": "KSERVE-V1"}');
SELECT pg_temp.same('SELECT c.id, p.* FROM customers c LEFT JOIN LATERAL churn_kserve(c.credit_limit, c.age) p ON true');
SELECT pg_temp.sent('SELECT c.id, p.* FROM customers c LEFT JOIN LATERAL churn_kserve(c.credit_limit, c.age) p ON true');
SELECT mlpredict.create_connection('b-sagemaker', '{"type": "sagemaker", "endpoint": "http://runtime.sagemaker.us-east-1.localhost:18787/endpoints/churn-multi/invocations", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefGH"}');
SELECT mlpredict.create_model('churn_pytorch', 'credit_limit INT, age INT', 'label INT, score DOUBLE, cluster INT', '{"provider": "sagemaker", "task": "classification", "sagemaker.connection": "b-sagemaker", "sagemaker.input_format": "VERTEXAI-PYTORCH", "sagemaker.batch_size": 10}');
SELECT mlpredict.create_model('churn_objects', 'credit_limit INT, age INT', 'label INT, score DOUBLE, cluster INT', '{"provider": "sagemaker", "task": "classification", "sagemaker.connection": "b-sagemaker", "sagemaker.input_format": "TF-SERVING", "sagemaker.output_format": "JSON-ARRAY-OF-OBJECTS", "sagemaker.batch_size": 10}');
SELECT pg_temp.same('SELECT c.id, p.* FROM customers c, LATERAL churn_pytorch(c.credit_limit, c.age) p');
SELECT pg_temp.sent('SELECT c.id, p.* FROM customers c, LATERAL churn_pytorch(c.credit_limit, c.age) p');
SELECT pg_temp.same('SELECT c.id, p.* FROM customers c, LATERAL churn_objects(c.credit_limit, c.age) p');
SELECT pg_temp.sent('SELECT c.id, p.* FROM customers c, LATERAL churn_objects(c.credit_limit, c.age) p');
-- a vector OUTPUT from the generic rule: an echo model returns each instance
SELECT mlpredict.create_connection('b-echo', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/models/echo:predict", "api-key": "unused"}');
SELECT mlpredict.create_model('echo_vec', 'x ARRAY<DOUBLE>', 'y ARRAY<FLOAT>', '{"provider": "openai", "task": "regression", "openai.connection": "b-echo", "openai.input_format": "TF-SERVING", "openai.batch_size": 8}');
SELECT pg_temp.same('SELECT id, y FROM customers, LATERAL echo_vec(ARRAY[credit_limit / 3.0, age * 1e-7, -0.0, 1e-50])');
SELECT pg_temp.sent('SELECT id, y FROM customers, LATERAL echo_vec(ARRAY[credit_limit / 3.0, age * 1e-7])');
SELECT id, y FROM customers, LATERAL echo_vec(ARRAY[credit_limit / 3.0, age * 1e-7, -0.0, 1e-50]) WHERE id <= 3;

------------------------------------------------------------------------
-- PANDAS-DATAFRAME (MLflow answers {"predictions": [...]}) and
-- AZUREML-PANDAS-DATAFRAME (Azure ML answers a bare array): one data row
-- per row
------------------------------------------------------------------------
SELECT mlpredict.create_connection('b-mlflow', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/serving-endpoints/churn-multi/invocations", "api-key": "unused"}');
SELECT mlpredict.create_model('churn_pandas', 'credit_limit INT, age INT', 'label INT, score DOUBLE, cluster INT', '{"provider": "openai", "task": "classification", "openai.connection": "b-mlflow", "openai.input_format": "PANDAS-DATAFRAME", "openai.output_format": "JSON-ARRAY:/predictions", "openai.batch_size": 6}');
SELECT pg_temp.same('SELECT c.id, p.* FROM customers c, LATERAL churn_pandas(c.credit_limit, c.age) p');
SELECT pg_temp.sent('SELECT c.id, p.* FROM customers c, LATERAL churn_pandas(c.credit_limit, c.age) p');
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT count(*) FROM customers c, LATERAL churn_pandas(c.credit_limit, c.age) p WHERE c.id <= 3;
SELECT r->'body' AS body FROM jsonb_array_elements(pg_temp.standin('/_control/requests')) r;
SELECT mlpredict.create_connection('b-azureml', '{"type": "azureml", "endpoint": "http://127.0.0.1:18787/multi/score", "api-key": "azureml-test-key-0123456789"}');
SELECT mlpredict.create_model('churn_azml', 'credit_limit INT, age INT', 'label INT, score DOUBLE, cluster INT', '{"provider": "azureml", "task": "classification", "azureml.connection": "b-azureml"}');
SELECT mlpredict.create_model('churn_azml_score', 'credit_limit INT, age INT', 'score DOUBLE', '{"provider": "azureml", "task": "regression", "azureml.connection": "b-azureml", "azureml.deployment_name": "score"}');
SELECT pg_temp.same('SELECT c.id, p.* FROM customers c, LATERAL churn_azml(c.credit_limit, c.age) p');
SELECT pg_temp.sent('SELECT c.id, p.* FROM customers c, LATERAL churn_azml(c.credit_limit, c.age) p');
SELECT pg_temp.same('SELECT c.id, p.* FROM customers c, LATERAL churn_azml_score(c.credit_limit, c.age) p');

------------------------------------------------------------------------
-- A failure one row may cause (a 400) splits its batch until that row
-- stands alone: only it fails, as without batching
------------------------------------------------------------------------
CREATE TABLE flaky AS
SELECT g AS id, 'text ' || g || CASE WHEN g = 6 THEN ' [[status:400]]' ELSE '' END AS body
FROM generate_series(1, 10) g;
SELECT pg_temp.same('SELECT id, v IS NULL AS failed FROM flaky, LATERAL oai_embed(body, mlpredict.options(on_error => ''null''))');
SELECT pg_temp.same('SELECT id FROM flaky, LATERAL oai_embed(body, mlpredict.options(on_error => ''skip''))');
-- batches of 4: 1-4 and 9-10 pass; 5-8 fails, then 5-6 and 7-8, then 5 and 6
SELECT pg_temp.sent('SELECT id, v FROM flaky, LATERAL oai_embed(body, mlpredict.options(on_error => ''null''))');
SELECT * FROM pg_temp.recorded() ORDER BY rows DESC, path;
-- on_error = fail: the error of the row itself, batched or not
SELECT id, v IS NULL FROM flaky, LATERAL oai_embed(body);
SET mlpredict.enable_pipeline = off;
SELECT id, v IS NULL FROM flaky, LATERAL oai_embed(body);
RESET mlpredict.enable_pipeline;
-- an answer that does not decode (bad JSON for row 7) is split the same
-- way: only row 7 fails, as without batching
CREATE TABLE garbled AS
SELECT g AS id, 'text ' || g || CASE WHEN g = 7 THEN ' [[bad-json]]' ELSE '' END AS body
FROM generate_series(1, 10) g;
SELECT pg_temp.same('SELECT id, v IS NULL AS failed FROM garbled, LATERAL oai_embed(body, mlpredict.options(on_error => ''null''))');
SELECT pg_temp.same('SELECT id FROM garbled, LATERAL oai_embed(body, mlpredict.options(on_error => ''skip''))');
SELECT id, v IS NULL AS failed FROM garbled, LATERAL oai_embed(body, mlpredict.options(on_error => 'null')) ORDER BY id;
-- on_error = fail: row 7's own error, after rows 1 to 6
BEGIN;
DECLARE garbled_rows CURSOR FOR SELECT id, v IS NULL FROM garbled, LATERAL oai_embed(body);
FETCH 6 FROM garbled_rows;
FETCH 1 FROM garbled_rows;
ROLLBACK;
DROP TABLE garbled;
-- a failure of the request as a whole (a bad key) is not split
SELECT mlpredict.create_connection('b-openai-badkey', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/embeddings", "api-key": "sk-wrong-key-0000"}');
SELECT mlpredict.create_model('oai_badkey', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "b-openai-badkey", "openai.batch_size": 4}');
SELECT pg_temp.sent('SELECT id, v FROM flaky, LATERAL oai_badkey(body, mlpredict.options(on_error => ''null''))');
-- predictive formats too: a string the model server refuses
CREATE TABLE notes AS
SELECT g AS id, CASE WHEN g = 3 THEN 'bad [[status:400]]' ELSE 'note ' || g END AS note FROM generate_series(1, 8) g;
SELECT mlpredict.create_connection('b-tf', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/models/score:predict", "api-key": "unused"}');
SELECT mlpredict.create_model('note_score', 'note STRING', 'score DOUBLE', '{"provider": "openai", "task": "regression", "openai.connection": "b-tf", "openai.input_format": "TF-SERVING", "openai.batch_size": 8}');
SELECT pg_temp.same('SELECT id, score FROM notes, LATERAL note_score(note, mlpredict.options(on_error => ''null''))');
SELECT pg_temp.sent('SELECT id, score FROM notes, LATERAL note_score(note, mlpredict.options(on_error => ''null''))');

------------------------------------------------------------------------
-- Token usage: a batch's answer reports its rows' tokens once
------------------------------------------------------------------------
SELECT mlpredict.stat_reset();
SELECT count(*) FROM docs, LATERAL oai_embed(body);
SELECT calls, rows, prompt_tokens FROM mlpredict.stat_models WHERE model = 'public.oai_embed';
SELECT mlpredict.stat_reset();
SET mlpredict.enable_pipeline = off;
SELECT count(*) FROM docs, LATERAL oai_embed(body);
RESET mlpredict.enable_pipeline;
SELECT calls, rows, prompt_tokens FROM mlpredict.stat_models WHERE model = 'public.oai_embed';

------------------------------------------------------------------------
-- Vectors are read straight from the answer's text, without jsonb
-- numerics, and give the very floats the jsonb way gives: compared bit for
-- bit with a domain over the same array type, which is read through jsonb
------------------------------------------------------------------------
CREATE DOMAIN real_vec AS real[];
CREATE DOMAIN double_vec AS double precision[];
SELECT mlpredict.create_model('vec4', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "b-openai"}');
SELECT mlpredict.create_model('vec4_jsonb', 't STRING', 'v real_vec', '{"provider": "openai", "task": "embedding", "openai.connection": "b-openai"}');
SELECT mlpredict.create_model('vec8', 't STRING', 'v ARRAY<DOUBLE>', '{"provider": "openai", "task": "embedding", "openai.connection": "b-openai"}');
SELECT mlpredict.create_model('vec8_jsonb', 't STRING', 'v double_vec', '{"provider": "openai", "task": "embedding", "openai.connection": "b-openai"}');
-- numbers of every shape: signs and zeros, long mantissas, exponents, the
-- ends of both types' ranges, and points halfway between two float4 values
SELECT setseed(0.25);
CREATE TABLE numbers (n serial, t text);
INSERT INTO numbers (t) VALUES ('0'), ('-0'), ('-0.0'), ('0e5'), ('-0E-3'), ('0.000'), ('1'), ('-1'),
  ('1.5'), ('0.1'), ('-0.033451'), ('3.4028234e38'), ('3.40282356e38'), ('-3.4028236e+38'),
  ('1.17549435e-38'), ('1e-45'), ('1.4e-45'), ('7.1e-46'), ('7e-46'), ('1e-50'), ('-1e-50'),
  ('123456789012345678901234567890'), ('0.000000000000000000000000000001234567890123456789'),
  ('9007199254740993'), ('9007199254740992.5'), ('1e22'), ('1e23'), ('8.5070591730234616e37'),
  ('1.7976931348623157e308'), ('2.2250738585072014e-308'), ('4.9e-324'), ('2.4e-324'), ('1e-400'),
  ('0.30000000000000004'), ('16777217'), ('16777216.000000001'), ('33554435'), ('1E1'), ('1e+0');
INSERT INTO numbers (t)
SELECT sign || lead || digits || CASE WHEN with_exponent
                                 THEN 'e' || (floor(random() * 76) - 40 - length(digits))::int ELSE '' END
FROM (SELECT CASE WHEN random() < 0.3 THEN '-' ELSE '' END AS sign,
             CASE WHEN random() < 0.5 THEN '0.' || repeat('0', (random() * 8)::int) ELSE '' END AS lead,
             (1 + floor(random() * 9))::int::text ||
             substr(translate(md5(g::text) || md5((g + 1)::text), 'abcdef', '123456'), 1,
                    (random() * 22)::int) AS digits,
             random() < 0.6 AS with_exponent
      FROM generate_series(1, 3000) g) s;
UPDATE numbers SET t = regexp_replace(t, '^(-?[1-9])([0-9]+)', '\1.\2') WHERE n % 3 = 0 AND n > 39;
-- halfway between a float4 and the next one away from zero, and a hair either side
INSERT INTO numbers (t)
SELECT (m * k)::text
FROM (SELECT f::float8 + sign(f) * (2 ^ (floor(log(2.0, abs(f)::numeric)) - 24))::float8 AS m
      FROM (SELECT ((random() * 2 - 1) * 10 ^ (floor(random() * 20) - 10))::real AS f
            FROM generate_series(1, 1500)) s WHERE f <> 0) h,
     (VALUES (1::float8), (1 + 1e-15), (1 - 1e-15)) k(k);
SELECT count(*) AS numbers, count(*) FILTER (WHERE t !~ '^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$') AS not_json FROM numbers;
CREATE TABLE vec_bodies AS
SELECT n / 100 AS chunk,
       convert_to('{"data": [{"embedding": [' || string_agg(t, ', ' ORDER BY n) || ']}], "usage": {"prompt_tokens": 1, "total_tokens": 1}}', 'UTF8') AS body
FROM numbers GROUP BY n / 100;
-- float4: every number converts to the same bits (the fixed list, which has
-- numbers beyond float4's range, is shown below)
SELECT count(*) AS floats, count(*) FILTER (WHERE float4send(a.x) <> float4send(b.x)) AS different
FROM vec_bodies,
     LATERAL mlpredict.decode_response('vec4', body) AS d4(v real[]),
     LATERAL mlpredict.decode_response('vec4_jsonb', body) AS j4(v real_vec),
     LATERAL unnest(d4.v) WITH ORDINALITY a(x, i)
     JOIN LATERAL unnest(j4.v::real[]) WITH ORDINALITY b(x, i) USING (i)
WHERE chunk <> 0;
SELECT count(*) AS doubles, count(*) FILTER (WHERE float8send(a.x) <> float8send(b.x)) AS different
FROM vec_bodies,
     LATERAL mlpredict.decode_response('vec8', body) AS d8(v float8[]),
     LATERAL mlpredict.decode_response('vec8_jsonb', body) AS j8(v double_vec),
     LATERAL unnest(d8.v) WITH ORDINALITY a(x, i)
     JOIN LATERAL unnest(j8.v::float8[]) WITH ORDINALITY b(x, i) USING (i)
WHERE chunk <> 0;
SELECT count(*) AS fixed_list, count(*) FILTER (WHERE float4send((a.v)[1]) <> float4send((b.v::real[])[1])) AS different
FROM numbers,
     LATERAL mlpredict.decode_response('vec4', convert_to('{"data": [{"embedding": [' || t || ']}]}', 'UTF8')) AS a(v real[]),
     LATERAL mlpredict.decode_response('vec4_jsonb', convert_to('{"data": [{"embedding": [' || t || ']}]}', 'UTF8')) AS b(v real_vec)
WHERE n <= 39 AND t NOT IN ('-3.4028236e+38', '1.7976931348623157e308', '123456789012345678901234567890');
SELECT count(*) AS fixed_list, count(*) FILTER (WHERE float8send((a.v)[1]) <> float8send((b.v::float8[])[1])) AS different
FROM numbers,
     LATERAL mlpredict.decode_response('vec8', convert_to('{"data": [{"embedding": [' || t || ']}]}', 'UTF8')) AS a(v float8[]),
     LATERAL mlpredict.decode_response('vec8_jsonb', convert_to('{"data": [{"embedding": [' || t || ']}]}', 'UTF8')) AS b(v double_vec)
WHERE n <= 39;
-- the fixed list, shown
SELECT n, t, (v)[1] AS x8 FROM numbers,
  LATERAL mlpredict.decode_response('vec8', convert_to('{"data": [{"embedding": [' || t || ']}]}', 'UTF8')) AS d(v float8[])
WHERE n <= 39 ORDER BY n;
SELECT n, t, (v)[1] AS x4 FROM numbers,
  LATERAL mlpredict.decode_response('vec4', convert_to('{"data": [{"embedding": [' || t || ']}]}', 'UTF8')) AS d(v real[])
WHERE n <= 39 AND t NOT IN ('-3.4028236e+38', '1.7976931348623157e308', '123456789012345678901234567890') ORDER BY n;
-- vectors found by the generic rule of the predictive formats, too; an
-- extra member jsonb reads but the text index leaves to it (2e1001) makes
-- the same body go the jsonb way, as a reference
SELECT mlpredict.create_model('vec_json', 't STRING', 'embedding ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "b-openai", "openai.input_format": "JSON"}');
SELECT mlpredict.create_model('vec_tf', 't STRING', 'embedding ARRAY<DOUBLE>', '{"provider": "openai", "task": "embedding", "openai.connection": "b-openai", "openai.input_format": "TF-SERVING"}');
SELECT b AS body, f.embedding AS from_text, f.embedding::text = j.embedding::text AS same_as_jsonb
FROM (VALUES ('{"embedding": [0.5, -1e-3, 7], "other": [1, 2]}'), ('{"embedding": [[0.5, 2.5]]}'),
             ('{"Embedding": [1, 2]}'), ('{"x": {"embedding": [3, 4]}}'), ('{"embedding": [1, null]}')) v(b),
     LATERAL mlpredict.decode_response('vec_json', convert_to(b, 'UTF8')) AS f(embedding real[]),
     LATERAL mlpredict.decode_response('vec_json', convert_to('{"z": 2e1001, ' || substr(b, 2), 'UTF8')) AS j(embedding real[]);
SELECT b AS body, f.embedding AS from_text, f.embedding::text = j.embedding::text AS same_as_jsonb
FROM (VALUES ('{"predictions": [[0.5, 1.5]]}'), ('{"predictions": [{"embedding": [2.5, 3]}]}'),
             ('{"predictions": [[[1, 2]]]}')) v(b),
     LATERAL mlpredict.decode_response('vec_tf', convert_to(b, 'UTF8')) AS f(embedding float8[]),
     LATERAL mlpredict.decode_response('vec_tf', convert_to('{"z": 2e1001, ' || substr(b, 2), 'UTF8')) AS j(embedding float8[]);
-- a number beyond the type's range is the same error either way
SELECT * FROM mlpredict.decode_response('vec4', convert_to('{"data": [{"embedding": [1, 3.4028236e38]}]}', 'UTF8')) AS d(v real[]);
SELECT * FROM mlpredict.decode_response('vec4_jsonb', convert_to('{"data": [{"embedding": [1, 3.4028236e38]}]}', 'UTF8')) AS d(v real_vec);
SELECT * FROM mlpredict.decode_response('vec8', convert_to('{"data": [{"embedding": [1, 1e309]}]}', 'UTF8')) AS d(v float8[]);
-- and bad JSON too: the text is only read when jsonb would read it
SELECT * FROM mlpredict.decode_response('vec4', convert_to('{"data": [{"embedding": [1, 01]}]}', 'UTF8')) AS d(v real[]);
SELECT * FROM mlpredict.decode_response('vec4', convert_to('{"data": [{"embedding": [1, 2]}]} x', 'UTF8')) AS d(v real[]);
SELECT * FROM mlpredict.decode_response('vec4', convert_to('{"data": [{"embedding": [1, 2e1001]}]}', 'UTF8')) AS d(v real[]);
SELECT * FROM mlpredict.decode_response('vec4', convert_to('{"data": [{"embedding": [1, 2]}], "note": "\u0000"}', 'UTF8')) AS d(v real[]);
-- duplicate keys: the last one counts, as in jsonb
SELECT * FROM mlpredict.decode_response('vec4', convert_to('{"data": [{"embedding": [1, 2], "embedding": [3, 4]}], "data": [{"embedding": [5, 6]}]}', 'UTF8')) AS d(v real[]);
SELECT * FROM mlpredict.decode_response('vec4', convert_to('{"d\u0061ta": [{"embedding": [7, 8]}]}', 'UTF8')) AS d(v real[]);

------------------------------------------------------------------------
-- An answer with the wrong number of results does not decode, so its
-- batch is split; the row at fault ends up alone and reports the missing
-- value, as without batching
------------------------------------------------------------------------
SELECT id, v IS NULL FROM docs, LATERAL oai_embed(body || CASE WHEN id = 2 THEN ' [[empty]]' ELSE '' END) WHERE id <= 4;
SELECT id, score FROM notes, LATERAL note_score(note || CASE WHEN id = 5 THEN ' [[empty]]' ELSE '' END) WHERE id <> 3;

DROP TABLE docs, many, customers, long_docs, flaky, notes, numbers, vec_bodies;
DROP EXTENSION mlpredict CASCADE;
DROP DOMAIN real_vec, double_vec;
