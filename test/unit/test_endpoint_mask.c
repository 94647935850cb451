/*
 * test_endpoint_mask.c
 *	  Unit tests of src/http/endpoint_mask.c: which query parameters of an
 *	  endpoint are credentials, and how an endpoint is shown with them
 *	  hidden.
 */
#include <stdlib.h>
#include <string.h>

#include "http/endpoint_mask.h"
#include "unit_check.h"

/* The masked form of url must be expected, and fit the documented size. */
static void
expect_mask(int line, const char *url, const char *expected)
{
	size_t		size = ENDPOINT_MASK_SIZE(strlen(url));
	char	   *out = malloc(size);
	size_t		len = EndpointMask(url, out, size);

	check(strcmp(out, expected) == 0, line, url);
	check(len == strlen(expected) && len < size, line, "length fits the documented size");
	if (strcmp(out, expected) != 0)
		printf("  got      %s\n  expected %s\n", out, expected);
	free(out);
}

int
main(void)
{
	char		small[12];

	/* Azure Functions, Google keys, any case */
	expect_mask(__LINE__, "https://f.azurewebsites.net/api/score?code=abc123",
				"https://f.azurewebsites.net/api/score?code=*****");
	expect_mask(__LINE__, "https://x.example/v1?KEY=secret&alt=json",
				"https://x.example/v1?KEY=*****&alt=json");
	expect_mask(__LINE__, "https://x.example/v1?alt=json&Key=s&api-version=2024",
				"https://x.example/v1?alt=json&Key=*****&api-version=2024");
	/* SAS signatures, tokens, subscription keys */
	expect_mask(__LINE__, "https://b.example/c?sv=2020&sig=AbC%2B&se=1",
				"https://b.example/c?sv=2020&sig=*****&se=1");
	expect_mask(__LINE__, "https://h.example/?access_token=t&subscription-key=k",
				"https://h.example/?access_token=*****&subscription-key=*****");
	/* a fragment is kept and never read as a query */
	expect_mask(__LINE__, "https://h.example/p?code=1#frag", "https://h.example/p?code=*****#frag");
	expect_mask(__LINE__, "https://h.example/p#x?code=1", "https://h.example/p#x?code=1");
	/* names that only resemble "code", parameters without values, no query */
	expect_mask(__LINE__, "https://h.example/p?encoding=utf8&code", "https://h.example/p?encoding=utf8&code");
	expect_mask(__LINE__, "https://h.example/p?a=1&&b=2&", "https://h.example/p?a=1&&b=2&");
	expect_mask(__LINE__, "https://h.example/p", "https://h.example/p");
	/* user information, whole; an '@' in the path is not user information */
	expect_mask(__LINE__, "https://user:pw@x.example/v1", "https://*****@x.example/v1");
	expect_mask(__LINE__, "https://a@b:c@x.example/v1?key=1", "https://*****@x.example/v1?key=*****");
	expect_mask(__LINE__, "https://x.example/v1/@me?q=1", "https://x.example/v1/@me?q=1");
	expect_mask(__LINE__, "https://@h/", "https://*****@h/");
	/* short values grow to the mask: the documented size is enough */
	expect_mask(__LINE__, "h?key=&key=1&sig=2", "h?key=*****&key=*****&sig=*****");

	check(EndpointHasCredential("https://h/?CODE=x"), __LINE__, "CODE= is a credential");
	check(!EndpointHasCredential("https://h/?code="), __LINE__, "an empty value is not");
	check(!EndpointHasCredential("https://h/?api-version=1"), __LINE__, "api-version is not");
	check(!EndpointHasCredential("https://h/#?key=1"), __LINE__, "a fragment is not a query");
	check(EndpointParamIsCredential("X-Amz-Signature", 15), __LINE__, "X-Amz-Signature");
	check(!EndpointParamIsCredential("codes", 5), __LINE__, "codes is not code");

	/* the credential values, in order */
	{
		const char *url = "https://h/?a=1&code=c0de&x=2&sig=s1g#key=no";
		const char *cursor = NULL;
		const char *value;
		size_t		len;

		check(EndpointNextCredential(url, &cursor, &value, &len) &&
			  len == 4 && strncmp(value, "c0de", 4) == 0, __LINE__, "first credential");
		check(EndpointNextCredential(url, &cursor, &value, &len) &&
			  len == 3 && strncmp(value, "s1g", 3) == 0, __LINE__, "second credential");
		check(!EndpointNextCredential(url, &cursor, &value, &len), __LINE__, "no third");
	}

	/* truncation keeps the string terminated and reports the full length */
	check(EndpointMask("https://h/?code=1", small, sizeof(small)) == strlen("https://h/?code=*****"),
		  __LINE__, "full length reported");
	check(strlen(small) == sizeof(small) - 1, __LINE__, "truncated and terminated");
	return unit_report();
}
