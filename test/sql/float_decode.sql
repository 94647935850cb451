-- Numbers of answers into real[] and float8[]: the values are those of
-- PostgreSQL's float4in and float8in (strtof and strtod) for the same text,
-- bit for bit, on the numbers that are hardest to round (ties to even, the
-- points just beside them, long mantissas, the largest and least values),
-- through the one-pass vector path (an array of numbers) and through jsonb
-- (an array that also holds a string); a zero is +0 (numeric has no -0), a
-- number too small for the type rounds to zero, one too large is an error.
-- Everything goes through mlpredict.decode_response; nothing is sent.
CREATE EXTENSION IF NOT EXISTS mlpredict;
SELECT mlpredict.create_connection('fd', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/embeddings", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_model('fd_f4', 't STRING', 'e ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "fd"}');
SELECT mlpredict.create_model('fd_f8', 't STRING', 'e ARRAY<DOUBLE>', '{"provider": "openai", "task": "embedding", "openai.connection": "fd"}');

CREATE FUNCTION pg_temp.answer(nums text) RETURNS bytea LANGUAGE sql
AS $$ SELECT convert_to('{"data": [{"index": 0, "embedding": [' || nums || ']}]}', 'UTF8') $$;

-- real[]: ties at 2^24, the float midpoint after 1 and the points beside
-- it, FLT_MAX and the least normal float, 17-digit and 30-digit mantissas
CREATE TEMP TABLE f4_cases (nums text);
INSERT INTO f4_cases VALUES
  ('16777217, 16777219, 16777217.000000000001, 33554435'),
  ('1.000000059604644775390625, 1.000000059604644775390624999, 1.000000059604644775390625001'),
  ('3.4028234663852886e38, 3.4028235e38, 1.17549435e-38, 1.1754943508222875e-38'),
  ('-0.058657554110802756, 0.012644088358253064, 0.1, -0.000001, 123456789012345678901234567890'),
  ('1e-10, 9.999999999999999999e9, 5e-1, 2.5e-1, 7.0064923216240854e-46');
SELECT nums, e,
       e = ('{' || nums || '}')::real[] AS same_as_float4in
FROM f4_cases, LATERAL mlpredict.decode_response('fd_f4', pg_temp.answer(nums)) AS d(e real[]);

-- float8[]: ties at 2^53, the midpoint after 1, DBL_MAX, the least normal
-- and subnormal doubles, halfway between the two least subnormals
CREATE TEMP TABLE f8_cases (nums text);
INSERT INTO f8_cases VALUES
  ('9007199254740993, 9007199254740995, 9007199254740993.0000000000000000001'),
  ('1.00000000000000011102230246251565404236316680908203125, 1.00000000000000011102230246251565404236316680908203124, 1.00000000000000011102230246251565404236316680908203126'),
  ('1.7976931348623157e308, 2.2250738585072014e-308, 2.2250738585072011e-308, 4.9406564584124654e-324'),
  ('7.4109846876186982e-324, 1e23, 8.589973e9, 0.1, -0.058657554110802756'),
  ('123456789012345678901234567890e-300, 1e-300, 1e300, 2.5e-5, 89255e-22');
SELECT nums, e,
       e = ('{' || nums || '}')::float8[] AS same_as_float8in
FROM f8_cases, LATERAL mlpredict.decode_response('fd_f8', pg_temp.answer(nums)) AS d(e float8[]);

-- the same arrays through jsonb (a string among the numbers): the same values
SELECT nums, (SELECT e FROM mlpredict.decode_response('fd_f4', pg_temp.answer(nums || ', "1"')) AS d(e real[]))
             = ('{' || nums || ', 1}')::real[] AS jsonb_same_as_float4in
FROM f4_cases;
SELECT nums, (SELECT e FROM mlpredict.decode_response('fd_f8', pg_temp.answer(nums || ', "1"')) AS d(e float8[]))
             = ('{' || nums || ', 1}')::float8[] AS jsonb_same_as_float8in
FROM f8_cases;

-- zeros are +0 (a string "-0" is read as strtof reads it); values too small
-- for the type round to zero (keeping their sign); one too large is an error
SELECT e, array_to_string(ARRAY(SELECT float4send(x)::text FROM unnest(e) x), ' ') AS bits
FROM mlpredict.decode_response('fd_f4', pg_temp.answer('-0, -0.0, 0e5, 1e-50, -1e-50')) AS d(e real[]);
SELECT e, array_to_string(ARRAY(SELECT float4send(x)::text FROM unnest(e) x), ' ') AS bits
FROM mlpredict.decode_response('fd_f4', pg_temp.answer('-0, -0.0, "-0", 1e-50, -1e-50')) AS d(e real[]);
SELECT e, array_to_string(ARRAY(SELECT float8send(x)::text FROM unnest(e) x), ' ') AS bits
FROM mlpredict.decode_response('fd_f8', pg_temp.answer('-0, -0.0, 1e-400, -1e-400, 2.4703282292062328e-324')) AS d(e float8[]);
SELECT * FROM mlpredict.decode_response('fd_f4', pg_temp.answer('0.5, 3.4028236e38')) AS d(e real[]);
SELECT * FROM mlpredict.decode_response('fd_f8', pg_temp.answer('0.5, 1.7976931348623159e308')) AS d(e float8[]);
SELECT * FROM mlpredict.decode_response('fd_f8', pg_temp.answer('0.5, "1e999"')) AS d(e float8[]);

SET client_min_messages = warning;
DROP EXTENSION mlpredict CASCADE;
