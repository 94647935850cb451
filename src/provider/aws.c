/*-------------------------------------------------------------------------
 *
 * aws.c
 *	  What Bedrock and SageMaker share: the AWS region of a connection and
 *	  signing an HTTP request with Signature Version 4.
 *
 * The region comes from the connection option 'aws-region' when set (VPC
 * endpoints, proxies, custom domains), else from the endpoint's host name
 * (bedrock-runtime.us-east-1.amazonaws.com, runtime.sagemaker.eu-west-1
 * .amazonaws.com, ...vpce.amazonaws.com).  Signing covers host,
 * content-type, x-amz-date and, with temporary credentials,
 * x-amz-security-token, over exactly the body bytes libcurl sends.  The
 * Host header is set explicitly to the signed value, so what libcurl sends
 * is what was signed.  The signature itself is computed by auth/sigv4.c.
 *
 * IDENTIFICATION
 *	  src/provider/aws.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "auth/sigv4.h"
#include "provider/aws.h"
#include "provider/provider.h"
#include "util.h"
#include "wire/target.h"

/*
 * looks_like_region
 *		"us-east-1", "eu-central-2", "us-gov-west-1", "ap-southeast-5", ...:
 *		letters and dashes ending in "-<digits>", with at least two dashes.
 */
static bool
looks_like_region(const char *label, size_t len)
{
	size_t		i = len;
	int			dashes = 0;

	while (i > 0 && isdigit((unsigned char) label[i - 1]))
		i--;
	if (i == len || i < 2 || label[i - 1] != '-')
		return false;
	for (size_t j = 0; j < i; j++)
	{
		if (label[j] == '-')
			dashes++;
		else if (!islower((unsigned char) label[j]))
			return false;
	}
	return dashes >= 2 && isalpha((unsigned char) label[0]);
}

/*
 * MlAwsRegionFromHost
 *		The first host label that looks like an AWS region, or NULL.
 */
char *
MlAwsRegionFromHost(const char *endpoint)
{
	MlUrl		url;
	const char *p;

	if (!MlSplitUrl(endpoint, &url))
		return NULL;
	for (p = url.host; *p;)
	{
		size_t		len = strcspn(p, ".");

		if (looks_like_region(p, len))
			return pnstrdup(p, len);
		p += len;
		if (*p == '.')
			p++;
	}
	return NULL;
}

/*
 * MlAwsRegion
 *		The region requests to this connection are signed for.
 */
const char *
MlAwsRegion(const char *endpoint, List *options)
{
	const char *region = MlOptionGet(options, "aws-region");

	return region ? region : MlAwsRegionFromHost(endpoint);
}

/*
 * MlAwsCheckConnection
 *		An AWS connection must have a region: from 'aws-region' or its host.
 */
void
MlAwsCheckConnection(const char *endpoint, List *options, List *secrets)
{
	const char *region = MlOptionGet(options, "aws-region");

	if (region && !looks_like_region(region, strlen(region)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid AWS region \"%s\"", region),
				 errhint("Regions look like us-east-1 or eu-central-1.")));
	if (MlAwsRegion(endpoint, options) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot tell the AWS region of endpoint \"%s\"", MlMaskedEndpoint(endpoint)),
				 errdetail("Requests are signed for a region, and the host name does not contain one."),
				 errhint("Add the connection option 'aws-region' = 'us-east-1' (or the endpoint's region).")));
}

/*
 * amz_date
 *		Current UTC time as YYYYMMDDTHHMMSSZ.
 */
static void
amz_date(char out[17])
{
	time_t		now = time(NULL);
	struct tm	tm;

	gmtime_r(&now, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/*
 * signed_headers
 *		The request headers SigV4 covers, as the signer takes them.
 */
static SigV4Header *
signed_headers(HttpRequest *request, int *n)
{
	static const char *const names[] = {
		"Host", "Content-Type", "X-Amz-Date", "X-Amz-Security-Token"
	};
	SigV4Header *headers = palloc0(sizeof(SigV4Header) * lengthof(names));

	*n = 0;
	for (int i = 0; i < lengthof(names); i++)
	{
		const char *value = MlRequestHeader(request, names[i]);

		if (value == NULL)
			continue;
		headers[*n].name = names[i];
		headers[*n].value = value;
		(*n)++;
	}
	return headers;
}

/*
 * sign_or_error
 *		Run the signer; copy its Authorization value into palloc'd memory.
 */
static char *
sign_or_error(SigV4Request *sr)
{
	SigV4Result result = {0};
	char		err[256];
	char	   *authorization;

	if (sigv4_sign(sr, &result, err, sizeof(err)) != 0)
	{
		sigv4_result_free(&result);
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not sign the request with AWS Signature Version 4"),
				 errdetail("%s", err)));
	}
	authorization = pstrdup(result.authorization);
	sigv4_result_free(&result);
	return authorization;
}

/*
 * MlAwsSign
 *		Sign request (URL, body and content headers final) for service with
 *		the connection's credentials, adding Host, X-Amz-Date,
 *		X-Amz-Security-Token and Authorization.
 */
void
MlAwsSign(MlTarget *target, HttpRequest *request, const char *service)
{
	MlConnection *conn = target->connection;
	const char *token = MlOptionGet(conn->secrets, "aws-session-token");
	SigV4Request sr = {0};
	char		date[17];
	MlUrl		url;

	if (!MlSplitUrl(request->url, &url))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid endpoint \"%s\"", MlMaskedEndpoint(request->url))));
	amz_date(date);
	MlSetHeader(request, "Host", url.authority, false);
	MlSetHeader(request, "X-Amz-Date", date, false);
	if (token)
		MlSetHeader(request, "X-Amz-Security-Token", token, true);
	sr.method = request->method;
	sr.path = url.path;
	sr.query = url.query;
	sr.headers = signed_headers(request, &sr.nheaders);
	sr.body = (const unsigned char *) request->body;
	sr.body_len = request->body_len;
	sr.access_key = MlConnectionSecret(target, "aws-access-key");
	sr.secret_key = MlConnectionSecret(target, "aws-secret-key");
	sr.region = MlAwsRegion(conn->endpoint, conn->options);
	sr.service = service;
	sr.amz_date = date;
	sr.double_encode_path = 1;
	MlSetHeader(request, "Authorization", sign_or_error(&sr), true);
}
