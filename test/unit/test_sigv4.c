/*-------------------------------------------------------------------------
 *
 * test_sigv4.c
 *	  Unit tests of src/auth/sigv4.c: a plain C11 program, no server and no
 *	  framework.  Built and run by "make unit".
 *
 * Usage: test_sigv4 SUITE_DIR
 *
 * SUITE_DIR is AWS's SigV4 test suite (aws-sig-v4-test-suite, as vendored
 * in botocore): one directory per case, some nested one level deeper
 * (normalize-path/get-relative/), each holding NAME.req (the raw request)
 * and the expected NAME.creq (canonical request), NAME.sts (string to
 * sign) and NAME.authz (Authorization header).  Every case is parsed,
 * signed and compared byte for byte.  A missing or empty suite is a
 * failure, not a skip.
 *
 * After the suite come Bedrock-style requests whose model id or ARN is
 * encoded into one path segment (expected values from botocore 1.43 and,
 * for the Titan vector, providers.md section 3.6), edge cases of the query
 * and header rules, the S3 (no double encoding) mode, and errors.
 *
 * Prints one line per suite case and per failed check, and ends with
 * "N passed, M failed"; exits non-zero when a check failed.
 *
 * IDENTIFICATION
 *	  test/unit/test_sigv4.c
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/sigv4.h"

/* The suite's fixed inputs. */
#define SUITE_AKID		"AKIDEXAMPLE"
#define SUITE_SECRET	"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_REGION	"us-east-1"
#define SUITE_SERVICE	"service"
#define SUITE_DATE		"20150830T123600Z"

#define MAX_HEADERS		64
#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define BEDROCK_HOST	"bedrock-runtime.us-east-1.amazonaws.com"

static int	passed;
static int	failed;

/* A request read from a .req (or .sreq) file; strings point into text. */
typedef struct RawRequest
{
	char	   *text;			/* the file, cut in place */
	size_t		len;
	char	   *method;
	char	   *path;
	char	   *query;			/* NULL when the target has no '?' */
	SigV4Header headers[MAX_HEADERS];
	char	   *values[MAX_HEADERS];	/* malloc'd: folded lines joined */
	int			nheaders;
	const unsigned char *body;
	size_t		body_len;
} RawRequest;

/* A Bedrock request and what botocore computes for it. */
typedef struct BedrockCase
{
	const char *label;
	const char *model;			/* model id or ARN, unencoded */
	const char *operation;		/* last path segment */
	const char *body;
	const char *accept;			/* Accept header, or NULL */
	const char *token;			/* X-Amz-Security-Token, or NULL */
	const char *want_creq;
	const char *want_sts;
	const char *want_authz;
} BedrockCase;

/* Record one check; on failure print where and what. */
static void
check(int ok, const char *where, const char *what)
{
	if (ok)
		passed++;
	else
	{
		failed++;
		printf("FAIL %s: %s\n", where, what);
	}
}

/* Record a check of a string against the expected one (NULL never matches). */
static void
check_str(const char *got, const char *want, const char *where,
		  const char *what)
{
	int			ok = got != NULL && want != NULL && strcmp(got, want) == 0;

	check(ok, where, what);
	if (!ok)
		printf("  got:\n%s\n  want:\n%s\n", got ? got : "(null)",
			   want ? want : "(null)");
}

/* Whether s contains needle (NULL contains nothing). */
static int
contains(const char *s, const char *needle)
{
	return s != NULL && strstr(s, needle) != NULL;
}

/*
 * read_file
 *		The whole file, NUL-terminated and malloc'd, its size in *len; NULL
 *		if it cannot be read.
 */
static char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf = NULL;
	size_t		cap = 0;
	size_t		n = 0;

	if (f == NULL)
		return NULL;
	for (;;)
	{
		size_t		got;

		if (cap - n < 4096)
		{
			char	   *p = realloc(buf, cap + 8192);

			if (p == NULL)
				break;
			buf = p;
			cap += 8192;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	if (buf != NULL)
		buf[n] = '\0';
	*len = n;
	return buf;
}

/* The path dir/base.ext into buf. */
static void
case_file(char *buf, size_t size, const char *dir, const char *base,
		  const char *ext)
{
	snprintf(buf, size, "%s/%s.%s", dir, base, ext);
}

/* Whether path names an existing directory / regular file. */
static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * next_line
 *		The line at *pos, cut at '\n' (and a '\r' before it); *pos moves past
 *		it.  NULL at the end of the text.
 */
static char *
next_line(RawRequest *r, size_t *pos)
{
	char	   *line = r->text + *pos;
	char	   *nl;
	size_t		n;

	if (*pos >= r->len)
		return NULL;
	nl = memchr(line, '\n', r->len - *pos);
	n = nl ? (size_t) (nl - line) : r->len - *pos;
	*pos += n + (nl != NULL);
	line[n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';
	return line;
}

/*
 * parse_request_line
 *		"METHOD TARGET HTTP/1.1": the target runs from the first to the last
 *		space, since the suite's paths may contain spaces (get-space).
 */
static int
parse_request_line(RawRequest *r, char *line)
{
	char	   *first = strchr(line, ' ');
	char	   *last = strrchr(line, ' ');
	char	   *q;

	if (first == NULL || last == first || strncmp(last, " HTTP/", 6) != 0)
		return 0;
	*first = '\0';
	*last = '\0';
	r->method = line;
	r->path = first + 1;
	q = strchr(r->path, '?');
	if (q != NULL)
	{
		*q = '\0';
		r->query = q + 1;
	}
	return 1;
}

/*
 * add_header_line
 *		One header line; a line starting with white space continues (folds)
 *		the previous value, and is joined to it with a line break, as on the
 *		wire, for the signer to collapse.
 */
static int
add_header_line(RawRequest *r, char *line)
{
	char	   *colon;
	char	   *v;

	if ((line[0] == ' ' || line[0] == '\t') && r->nheaders > 0)
	{
		char	   *prev = r->values[r->nheaders - 1];
		size_t		plen = strlen(prev);

		v = realloc(prev, plen + strlen(line) + 2);
		if (v == NULL)
			return 0;
		v[plen] = '\n';
		strcpy(v + plen + 1, line);
	}
	else
	{
		colon = strchr(line, ':');
		if (colon == NULL || r->nheaders == MAX_HEADERS)
			return 0;
		*colon = '\0';
		v = malloc(strlen(colon + 1) + 1);
		if (v == NULL)
			return 0;
		strcpy(v, colon + 1);
		r->headers[r->nheaders++].name = line;
	}
	r->values[r->nheaders - 1] = v;
	r->headers[r->nheaders - 1].value = v;
	return 1;
}

/* Free what parse_request allocated. */
static void
free_request(RawRequest *r)
{
	int			i;

	for (i = 0; i < r->nheaders; i++)
		free(r->values[i]);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

/*
 * parse_request
 *		Read and parse a .req file: request line, headers (folded lines
 *		included) up to a blank line, then the body, to the end of the file.
 */
static int
parse_request(const char *path, RawRequest *r)
{
	size_t		pos = 0;
	char	   *line;

	memset(r, 0, sizeof(*r));
	r->text = read_file(path, &r->len);
	if (r->text == NULL)
		return 0;
	line = next_line(r, &pos);
	if (line == NULL || !parse_request_line(r, line))
		return 0;
	while ((line = next_line(r, &pos)) != NULL && line[0] != '\0')
		if (!add_header_line(r, line))
			return 0;
	r->body = (const unsigned char *) r->text + pos;
	r->body_len = r->len - pos;
	return 1;
}

/* The value of header name (any case), or NULL. */
static const char *
find_header(const RawRequest *r, const char *name)
{
	int			i;

	for (i = 0; i < r->nheaders; i++)
	{
		const char *a = r->headers[i].name;
		const char *b = name;

		while (*a && *b && (*a | 0x20) == (*b | 0x20))
			a++, b++;
		if (*a == '\0' && *b == '\0')
			return r->headers[i].value;
	}
	return NULL;
}

/*
 * add_session_token
 *		get-vanilla-with-session-token expects the signer to have added the
 *		session token: its .req has no X-Amz-Security-Token, its .creq signs
 *		one, and its .sreq shows the value.  Our signer adds no headers (the
 *		caller does), so the test adds it, taken from the .sreq.
 *		(post-sts-header-after adds the token only after signing, and
 *		post-sts-header-before already has it in its .req.)
 */
static int
add_session_token(RawRequest *r, const char *dir, const char *base)
{
	char		path[4096];
	RawRequest	signed_req;
	const char *token;
	int			ok;

	if (strstr(base, "session-token") == NULL ||
		find_header(r, "X-Amz-Security-Token") != NULL)
		return 1;
	case_file(path, sizeof(path), dir, base, "sreq");
	if (!parse_request(path, &signed_req) ||
		(token = find_header(&signed_req, "X-Amz-Security-Token")) == NULL ||
		r->nheaders == MAX_HEADERS)
	{
		free_request(&signed_req);
		return 0;
	}
	r->values[r->nheaders] = malloc(strlen(token) + 1);
	ok = r->values[r->nheaders] != NULL;
	if (ok)
	{
		strcpy(r->values[r->nheaders], token);
		r->headers[r->nheaders].name = "X-Amz-Security-Token";
		r->headers[r->nheaders].value = r->values[r->nheaders];
		r->nheaders++;
	}
	free_request(&signed_req);
	return ok;
}

/* A request signed with the suite's credentials. */
static SigV4Request
suite_request(const RawRequest *r)
{
	SigV4Request req;

	memset(&req, 0, sizeof(req));
	req.method = r->method;
	req.path = r->path;
	req.query = r->query;
	req.headers = r->headers;
	req.nheaders = r->nheaders;
	req.body = r->body;
	req.body_len = r->body_len;
	req.access_key = SUITE_AKID;
	req.secret_key = SUITE_SECRET;
	req.region = SUITE_REGION;
	req.service = SUITE_SERVICE;
	req.amz_date = SUITE_DATE;
	req.double_encode_path = 1;
	return req;
}

/* Compare the signed result with the case's .creq, .sts and .authz. */
static void
compare_expected(const SigV4Result *res, const char *dir, const char *base,
				 const char *label)
{
	static const char *const exts[] = {"creq", "sts", "authz"};
	const char *got[3];
	int			i;

	got[0] = res->canonical_request;
	got[1] = res->string_to_sign;
	got[2] = res->authorization;
	for (i = 0; i < 3; i++)
	{
		char		path[4096];
		char		what[64];
		size_t		len;
		char	   *want;

		case_file(path, sizeof(path), dir, base, exts[i]);
		want = read_file(path, &len);
		snprintf(what, sizeof(what), "%s matches", exts[i]);
		check(want != NULL, label, path);
		if (want != NULL)
			check_str(got[i], want, label, what);
		free(want);
	}
}

/*
 * run_case
 *		Parse, sign and compare one case in dir, whose files are base.*.
 */
static void
run_case(const char *dir, const char *base, const char *label)
{
	char		path[4096];
	char		err[256] = "";
	RawRequest	r;
	SigV4Request req;
	SigV4Result res;
	int			before = failed;

	case_file(path, sizeof(path), dir, base, "req");
	check(parse_request(path, &r) && add_session_token(&r, dir, base),
		  label, "request parses");
	if (r.method != NULL)
	{
		req = suite_request(&r);
		check(sigv4_sign(&req, &res, err, sizeof(err)) == 0, label, err);
		compare_expected(&res, dir, base, label);
		sigv4_result_free(&res);
	}
	free_request(&r);
	printf("%s %s\n", failed == before ? "ok  " : "FAIL", label);
}

/* Whether dir/name is a case directory (holds name/name.req). */
static int
is_case_dir(const char *dir, const char *name, char *sub, size_t size)
{
	char		req[4096];

	snprintf(sub, size, "%s/%s", dir, name);
	case_file(req, sizeof(req), sub, name, "req");
	return is_dir(sub) && is_file(req);
}

static int	run_dir(const char *dir, const char *prefix, int descend);

/*
 * run_entry
 *		The cases of one directory entry: itself if it is a case directory,
 *		else (with descend) those one level below it.
 */
static int
run_entry(const char *dir, const char *name, const char *prefix,
		  int descend)
{
	char		sub[4096];
	char		label[4096];
	int			nested;

	snprintf(label, sizeof(label), "%s%s", prefix, name);
	if (name[0] == '.')
		return 0;
	if (is_case_dir(dir, name, sub, sizeof(sub)))
	{
		run_case(sub, name, label);
		return 1;
	}
	if (!descend || !is_dir(sub))
		return 0;
	strncat(label, "/", sizeof(label) - strlen(label) - 1);
	nested = run_dir(sub, label, 0);
	return nested > 0 ? nested : 0;
}

/*
 * run_dir
 *		Run every case in dir, in name order; with descend, also the cases
 *		one level below directories that are not cases themselves.  Returns
 *		the number of cases run, -1 if dir cannot be read.
 */
static int
run_dir(const char *dir, const char *prefix, int descend)
{
	struct dirent **list;
	int			n = scandir(dir, &list, NULL, alphasort);
	int			cases = 0;
	int			i;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
	{
		cases += run_entry(dir, list[i]->d_name, prefix, descend);
		free(list[i]);
	}
	free(list);
	return cases;
}

/*
 * run_suite
 *		Every case of the suite at dir; an unreadable or empty suite fails.
 *		Without dir (a plain clone has no copy of AWS's suite) it is skipped
 *		and says so.
 */
static void
run_suite(const char *dir)
{
	int			cases;

	if (dir == NULL)
	{
		printf("suite: SKIPPED, AWS's aws4_testsuite directory not given "
			   "(usage: test_sigv4 [DIR]); only the project's own vectors run\n");
		return;
	}
	cases = run_dir(dir, "", 1);
	if (cases < 0)
		check(0, dir, "suite directory cannot be read");
	else if (cases == 0)
		check(0, dir, "suite directory holds no test cases");
	else
		printf("suite: %d cases\n", cases);
}

/* Sign a request with the suite's credentials for service. */
static int
sign_with(SigV4Result *res, const char *service, const char *method,
		  const char *path, const char *query, const SigV4Header *headers,
		  int nheaders, const char *body)
{
	SigV4Request req;
	char		err[256];

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = path;
	req.query = query;
	req.headers = headers;
	req.nheaders = nheaders;
	req.body = (const unsigned char *) body;
	req.body_len = body ? strlen(body) : 0;
	req.access_key = SUITE_AKID;
	req.secret_key = SUITE_SECRET;
	req.region = SUITE_REGION;
	req.service = service;
	req.amz_date = SUITE_DATE;
	req.double_encode_path = 1;
	return sigv4_sign(&req, res, err, sizeof(err));
}

/*
 * run_bedrock_case
 *		Encode the model into one segment of /model/{id}/{operation}, sign
 *		for service bedrock, compare with botocore's results.
 */
static void
run_bedrock_case(const BedrockCase *c)
{
	SigV4Header headers[5];
	int			n = 0;
	char	   *id = sigv4_uri_encode(c->model, 0);
	char		path[1024];
	SigV4Result res;

	/* mixed case and order on purpose */
	headers[n++] = (SigV4Header) {"X-Amz-Date", SUITE_DATE};
	headers[n++] = (SigV4Header) {"Content-Type", "application/json"};
	if (c->token)
		headers[n++] = (SigV4Header) {"X-Amz-Security-Token", c->token};
	headers[n++] = (SigV4Header) {"Host", BEDROCK_HOST};
	if (c->accept)
		headers[n++] = (SigV4Header) {"Accept", c->accept};
	snprintf(path, sizeof(path), "/model/%s/%s", id ? id : "", c->operation);
	check(contains(path, "%3A") && strchr(path, ':') == NULL, c->label,
		  "wire path has %3A and no ':'");
	check(sign_with(&res, "bedrock", "POST", path, NULL, headers, n,
					c->body) == 0, c->label, "signs");
	check(contains(res.canonical_request, "%253A"), c->label,
		  "canonical request has %253A");
	check_str(res.canonical_request, c->want_creq, c->label, "creq");
	check_str(res.string_to_sign, c->want_sts, c->label, "sts");
	check_str(res.authorization, c->want_authz, c->label, "authz");
	sigv4_result_free(&res);
	free(id);
}

#define BEDROCK_STS(hash) \
	"AWS4-HMAC-SHA256\n" SUITE_DATE "\n" \
	"20150830/us-east-1/bedrock/aws4_request\n" hash
#define BEDROCK_AUTHZ(signed, sig) \
	"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/" \
	"aws4_request, SignedHeaders=" signed ", Signature=" sig
#define CLAUDE_BODY \
	"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":16," \
	"\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
#define CLAUDE_BODY_SHA256 \
	"616eb59224eb795b641b4c541ad9ee8b939a1e8798f73b54fce66bb79ddbb992"
#define PROFILE_ARN \
	"arn:aws:bedrock:us-east-1:123456789012:inference-profile/" \
	"us.anthropic.claude-3-5-sonnet-20241022-v2:0"

static const BedrockCase bedrock_cases[] = {
	{
		/* the derived vector of providers.md 3.6, also botocore's result */
		"bedrock/titan-embed-v2", "amazon.titan-embed-text-v2:0", "invoke",
		"{\"inputText\":\"hello world\",\"dimensions\":256,\"normalize\":true}",
		NULL, NULL,
		"POST\n/model/amazon.titan-embed-text-v2%253A0/invoke\n\n"
		"content-type:application/json\nhost:" BEDROCK_HOST "\n"
		"x-amz-date:" SUITE_DATE "\n\ncontent-type;host;x-amz-date\n"
		"dd0928c23237d56e3129e4c7fd6f7d3d98e0c710d7e36001488af794136be2a0",
		BEDROCK_STS("73b56129d79b9aa7a5ad0a461df1571cea415076e5ba5c89888c2fd7b6eb3e44"),
		BEDROCK_AUTHZ("content-type;host;x-amz-date",
					  "c4b3268006d6dd871ac3ae1af19da000674bcc3a58ae9e8205ca7f63b55fcd84")
	},
	{
		"bedrock/claude-3-haiku", "anthropic.claude-3-haiku-20240307-v1:0",
		"invoke", CLAUDE_BODY, "application/json", NULL,
		"POST\n/model/anthropic.claude-3-haiku-20240307-v1%253A0/invoke\n\n"
		"accept:application/json\ncontent-type:application/json\n"
		"host:" BEDROCK_HOST "\nx-amz-date:" SUITE_DATE "\n\n"
		"accept;content-type;host;x-amz-date\n" CLAUDE_BODY_SHA256,
		BEDROCK_STS("46f91ce14c79a8332ea9123f7efc1ebe552f35905b243cd253dadf53e0fa8ba2"),
		BEDROCK_AUTHZ("accept;content-type;host;x-amz-date",
					  "9482efd93d7f4431a8e1ca88e233c1eb54e918ebcda3ddef70743db00dab248a")
	},
	{
		"bedrock/inference-profile-arn", PROFILE_ARN, "converse", CLAUDE_BODY,
		NULL, "FQoGZXIvYXdzEXAMPLETOKEN//+=",
		"POST\n/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A123456789012"
		"%253Ainference-profile%252Fus.anthropic.claude-3-5-sonnet-20241022-v2"
		"%253A0/converse\n\n"
		"content-type:application/json\nhost:" BEDROCK_HOST "\n"
		"x-amz-date:" SUITE_DATE "\n"
		"x-amz-security-token:FQoGZXIvYXdzEXAMPLETOKEN//+=\n\n"
		"content-type;host;x-amz-date;x-amz-security-token\n"
		CLAUDE_BODY_SHA256,
		BEDROCK_STS("2f6f71b04a7dad275b2ece8a5f3a3e500a5af4de2849f4720d9e7783f3bcb111"),
		BEDROCK_AUTHZ("content-type;host;x-amz-date;x-amz-security-token",
					  "5b5783f272808ea60303e7a09ffdbb7b2c6906e2eec2bc6f8c652ab4e48f9157")
	},
};

/* The Bedrock cases, plus the ARN's '/' as %2F on the wire, %252F signed. */
static void
test_bedrock(void)
{
	size_t		i;
	char	   *arn = sigv4_uri_encode(PROFILE_ARN, 0);

	for (i = 0; i < sizeof(bedrock_cases) / sizeof(bedrock_cases[0]); i++)
		run_bedrock_case(&bedrock_cases[i]);
	check(contains(arn, "%2F") && strchr(arn, '/') == NULL, "bedrock/arn",
		  "ARN's '/' encoded as %2F");
	check(contains(bedrock_cases[2].want_creq, "%252F"), "bedrock/arn",
		  "expected canonical request has %252F");
	free(arn);
}

/* One sigv4_uri_encode check. */
static void
check_encode(const char *in, int keep_slash, const char *want)
{
	char	   *got = sigv4_uri_encode(in, keep_slash);

	check_str(got, want, "uri_encode", in);
	free(got);
}

/* sigv4_uri_encode on the unreserved set, '/', UTF-8, '%', ids, NULL. */
static void
test_uri_encode(void)
{
	check_encode("", 0, "");
	check_encode("AZaz09-._~", 0, "AZaz09-._~");
	check_encode("a b/c:d", 0, "a%20b%2Fc%3Ad");
	check_encode("a b/c:d", 1, "a%20b/c%3Ad");
	check_encode("\xe1\x88\xb4", 0, "%E1%88%B4");
	check_encode("100%+", 0, "100%25%2B");
	check_encode("anthropic.claude-3-haiku-20240307-v1:0", 0,
				 "anthropic.claude-3-haiku-20240307-v1%3A0");
	check_encode(PROFILE_ARN, 0,
				 "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3A"
				 "inference-profile%2Fus.anthropic.claude-3-5-sonnet-"
				 "20241022-v2%3A0");
	check(sigv4_uri_encode(NULL, 0) == NULL, "uri_encode", "NULL gives NULL");
}

/* sigv4_sha256_hex: FIPS 180-2 "abc" and the empty input. */
static void
test_sha256(void)
{
	char		hex[65];

	sigv4_sha256_hex((const unsigned char *) "", 0, hex);
	check_str(hex, EMPTY_SHA256, "sha256", "empty string");
	sigv4_sha256_hex(NULL, 0, hex);
	check_str(hex, EMPTY_SHA256, "sha256", "NULL, 0");
	sigv4_sha256_hex((const unsigned char *) "abc", 3, hex);
	check_str(hex,
			  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
			  "sha256", "abc");
}

/*
 * line_of
 *		Line n (0-based) of text into buf ("" if there is none).
 */
static const char *
line_of(const char *text, int n, char *buf, size_t size)
{
	size_t		len;

	buf[0] = '\0';
	while (text != NULL && n-- > 0)
	{
		text = strchr(text, '\n');
		if (text != NULL)
			text++;
	}
	if (text == NULL)
		return buf;
	len = strcspn(text, "\n");
	if (len >= size)
		len = size - 1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return buf;
}

/* Check line n of a GET / canonical request with the given path and query. */
static void
check_creq_line(const char *path, const char *query, int line,
				const char *want, int double_encode)
{
	SigV4Header host = {"host", "example.amazonaws.com"};
	SigV4Request req;
	SigV4Result res;
	char		err[256] = "";
	char		buf[1024];
	char		what[512];

	req = (SigV4Request) {
		.method = "GET", .path = path, .query = query,
		.headers = &host, .nheaders = 1,
		.access_key = SUITE_AKID, .secret_key = SUITE_SECRET,
		.region = SUITE_REGION, .service = SUITE_SERVICE,
		.amz_date = SUITE_DATE, .double_encode_path = double_encode
	};
	snprintf(what, sizeof(what), "path \"%s\" query \"%s\"", path,
			 query ? query : "(null)");
	check(sigv4_sign(&req, &res, err, sizeof(err)) == 0, what, err);
	check_str(line_of(res.canonical_request, line, buf, sizeof(buf)), want,
			  "canonical", what);
	sigv4_result_free(&res);
}

/* Query canonicalisation beyond the suite. */
static void
test_query_rules(void)
{
	check_creq_line("/", "b=2&a=1&a=&c", 2, "a=&a=1&b=2&c=", 1);
	check_creq_line("/", "x=a+b%20c&y=%2f%7e", 2, "x=a%2Bb%20c&y=%2F~", 1);
	check_creq_line("/", "&&k=v&", 2, "k=v", 1);
	check_creq_line("/", "p=%zz&q=%4", 2, "p=%25zz&q=%254", 1);
	check_creq_line("/", "Param-3=x&Param=Value2", 2,
					"Param=Value2&Param-3=x", 1);
	check_creq_line("/", "", 2, "", 1);
	check_creq_line("/", NULL, 2, "", 1);
}

/* Path normalisation and encoding beyond the suite; S3 mode. */
static void
test_paths(void)
{
	check_creq_line("", NULL, 1, "/", 1);
	check_creq_line("/a/b/../c/./d//", NULL, 1, "/a/c/d/", 1);
	check_creq_line("/..", NULL, 1, "/", 1);
	check_creq_line("/../a", NULL, 1, "/a", 1);
	check_creq_line("/model/x%2Fy%3Az/invoke", NULL, 1,
					"/model/x%252Fy%253Az/invoke", 1);
	/* S3: no normalisation, no second encoding */
	check_creq_line("/my-object//example//photo.user", NULL, 1,
					"/my-object//example//photo.user", 0);
	check_creq_line("/a%3Ab/./c", NULL, 1, "/a%3Ab/./c", 0);
	check_creq_line("", NULL, 1, "/", 0);
}

/* Header canonicalisation beyond the suite. */
static void
test_header_rules(void)
{
	SigV4Header h[] = {
		{"X-Tabs", "\t a \t\t b \t"},
		{"my-h", "1"},
		{"Host", " example.amazonaws.com "},
		{"X-Empty", ""},
		{"My-H", "  2  "},
		{"X-Folded", "one\r\n   two"},
	};
	SigV4Result res;

	check(sign_with(&res, SUITE_SERVICE, "GET", "/", NULL, h, 6, NULL) == 0,
		  "headers", "signs");
	check(contains(res.canonical_request,
				   "\n\nhost:example.amazonaws.com\nmy-h:1,2\nx-empty:\n"
				   "x-folded:one two\nx-tabs:a b\n\n"),
		  "headers", "canonical headers");
	check_str(res.signed_headers, "host;my-h;x-empty;x-folded;x-tabs",
			  "headers", "signed headers");
	check(res.signature != NULL && strlen(res.signature) == 64, "headers",
		  "64 hex digits");
	sigv4_result_free(&res);
	sigv4_result_free(&res);	/* twice is harmless */
}

/* One request that must be refused. */
static void
check_refused(SigV4Request req, const char *label)
{
	SigV4Result res;
	char		err[256] = "";

	check(sigv4_sign(&req, &res, err, sizeof(err)) == -1, label, "refused");
	check(err[0] != '\0', label, "has a message");
	check(!contains(err, SUITE_SECRET) && !contains(err, "EXAMPLEKEY"),
		  label, "message does not show the secret");
	check(res.canonical_request == NULL && res.string_to_sign == NULL &&
		  res.signed_headers == NULL && res.signature == NULL &&
		  res.authorization == NULL, label, "result left empty");
	check(sigv4_sign(&req, &res, NULL, 0) == -1, label, "refused, no errbuf");
}

/* Requests that cannot be signed. */
static void
test_errors(void)
{
	SigV4Header host = {"Host", "example.amazonaws.com"};
	SigV4Header date = {"X-Amz-Date", SUITE_DATE};
	SigV4Header bad = {"Bad Name", "x"};
	SigV4Request ok = {
		.method = "GET", .path = "/", .headers = &host, .nheaders = 1,
		.access_key = SUITE_AKID, .secret_key = SUITE_SECRET,
		.region = SUITE_REGION, .service = SUITE_SERVICE,
		.amz_date = SUITE_DATE, .double_encode_path = 1
	};
	SigV4Request r;
	SigV4Result res;
	char		err[256];

	check(sigv4_sign(&ok, &res, err, sizeof(err)) == 0, "errors", "baseline");
	sigv4_result_free(&res);
	r = ok, r.headers = &date;
	check_refused(r, "no host header");
	r = ok, r.amz_date = "2015-08-30T12:36";
	check_refused(r, "bad date");
	r = ok, r.secret_key = NULL;
	check_refused(r, "no secret");
	r = ok, r.nheaders = -1;
	check_refused(r, "negative header count");
	r = ok, r.headers = &bad;
	check_refused(r, "bad header name");
	r = ok, r.body_len = 5;
	check_refused(r, "missing body");
	r = ok, r.path = "model/x";
	check_refused(r, "relative path");
	r = ok, r.region = "us/east";
	check_refused(r, "bad region");
	r = ok, r.method = "";
	check_refused(r, "no method");
	check(sigv4_sign(NULL, &res, err, sizeof(err)) == -1, "errors",
		  "NULL request");
	check(sigv4_sign(&ok, NULL, err, sizeof(err)) == -1, "errors",
		  "NULL result");
}

int
main(int argc, char **argv)
{
	run_suite(argc > 1 ? argv[1] : NULL);
	test_bedrock();
	test_uri_encode();
	test_sha256();
	test_query_rules();
	test_paths();
	test_header_rules();
	test_errors();
	printf("%d passed, %d failed\n", passed, failed);
	return failed > 0 ? 1 : 0;
}
