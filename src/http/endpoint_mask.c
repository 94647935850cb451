/*-------------------------------------------------------------------------
 *
 * endpoint_mask.c
 *	  Hiding credentials in an endpoint's query string (see
 *	  endpoint_mask.h for the rule).
 *
 * IDENTIFICATION
 *	  src/http/endpoint_mask.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "http/endpoint_mask.h"

/* Parameter names that hold a credential when they contain these. */
static const char *const credential_words[] = {
	"key", "token", "secret", "sig", "password", "credential", "auth", NULL
};

/*
 * lower_ascii
 *		ASCII lower case of c; other bytes unchanged.
 */
static char
lower_ascii(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}

/*
 * contains_word
 *		Does name[0..len) contain word (lower case ASCII), ignoring case?
 */
static bool
contains_word(const char *name, size_t len, const char *word)
{
	size_t		wlen = strlen(word);

	for (size_t start = 0; start + wlen <= len; start++)
	{
		size_t		i = 0;

		while (i < wlen && lower_ascii(name[start + i]) == word[i])
			i++;
		if (i == wlen)
			return true;
	}
	return false;
}

/*
 * EndpointParamIsCredential
 *		Is a query parameter called name[0..len) a credential?
 */
bool
EndpointParamIsCredential(const char *name, size_t len)
{
	if (len == 4 && contains_word(name, len, "code"))
		return true;
	for (const char *const *w = credential_words; *w; w++)
		if (contains_word(name, len, *w))
			return true;
	return false;
}

/*
 * query_bounds
 *		Where url's query string starts (after '?') and ends (before '#' or
 *		the end).  False when there is none.
 */
static bool
query_bounds(const char *url, const char **start, const char **end)
{
	const char *hash = strchr(url, '#');
	const char *q = strchr(url, '?');

	if (q == NULL || (hash != NULL && hash < q))
		return false;
	*start = q + 1;
	*end = hash ? hash : url + strlen(url);
	return true;
}

/*
 * EndpointHasCredential
 *		Does url carry a credential parameter with a non-empty value?
 */
bool
EndpointHasCredential(const char *url)
{
	const char *cursor = NULL;
	const char *value;
	size_t		len;

	return EndpointNextCredential(url, &cursor, &value, &len);
}

/*
 * EndpointNextCredential
 *		Step through url's credential values: *cursor starts at url (or
 *		NULL, which is taken as url) and is advanced; each call sets *value
 *		and *len to the next credential value (not NUL terminated) and
 *		returns true, or returns false when there are no more.
 */
bool
EndpointNextCredential(const char *url, const char **cursor,
					   const char **value, size_t *len)
{
	const char *start;
	const char *end;
	const char *p;

	if (!query_bounds(url, &start, &end))
		return false;
	p = (*cursor == NULL || *cursor < start) ? start : *cursor;
	while (p < end)
	{
		size_t		plen = strcspn(p, "&#");
		size_t		nlen = strcspn(p, "=&#");
		const char *param = p;

		p += plen;
		if (p < end)
			p++;				/* the '&' */
		if (nlen < plen && plen - nlen > 1 && EndpointParamIsCredential(param, nlen))
		{
			*cursor = p;
			*value = param + nlen + 1;
			*len = plen - nlen - 1;
			return true;
		}
	}
	*cursor = end;
	return false;
}

/*
 * put
 *		Append n bytes to out[*pos..outsize), as far as they fit.
 */
static void
put(char *out, size_t outsize, size_t *pos, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, (*pos)++)
		if (*pos + 1 < outsize)
			out[*pos] = s[i];
}

/*
 * put_authority
 *		Copy url's scheme and authority with any user information
 *		("user:password@") replaced by the mask; returns where the rest of
 *		url starts.
 */
static const char *
put_authority(const char *url, char *out, size_t outsize, size_t *pos)
{
	const char *scheme_end = strstr(url, "://");
	const char *authority;
	size_t		alen;
	const char *at;

	if (scheme_end == NULL)
		return url;
	authority = scheme_end + 3;
	alen = strcspn(authority, "/?#");
	at = memchr(authority, '@', alen);
	if (at == NULL)
		return url;
	/* the last '@' ends the user information */
	while (memchr(at + 1, '@', alen - (size_t) (at + 1 - authority)) != NULL)
		at = memchr(at + 1, '@', alen - (size_t) (at + 1 - authority));
	put(out, outsize, pos, url, (size_t) (authority - url));
	put(out, outsize, pos, ENDPOINT_MASK_TEXT, strlen(ENDPOINT_MASK_TEXT));
	return at;
}

/*
 * EndpointMask
 *		Write url with its credential values replaced into out (NUL
 *		terminated, truncated to outsize).  Returns the length the masked
 *		text has; ENDPOINT_MASK_SIZE(strlen(url)) bytes always suffice.
 */
size_t
EndpointMask(const char *url, char *out, size_t outsize)
{
	const char *p;
	const char *end;
	size_t		pos = 0;

	if (!query_bounds(url, &p, &end))
		p = end = url + strlen(url);
	url = put_authority(url, out, outsize, &pos);
	put(out, outsize, &pos, url, (size_t) (p - url));
	while (p < end)
	{
		size_t		plen = strcspn(p, "&#");
		size_t		nlen = strcspn(p, "=&#");

		if (nlen < plen && EndpointParamIsCredential(p, nlen))
		{
			put(out, outsize, &pos, p, nlen + 1);
			put(out, outsize, &pos, ENDPOINT_MASK_TEXT, strlen(ENDPOINT_MASK_TEXT));
		}
		else
			put(out, outsize, &pos, p, plen);
		p += plen;
		if (p < end)
			put(out, outsize, &pos, p++, 1);	/* the '&' */
	}
	put(out, outsize, &pos, end, strlen(end));
	if (outsize > 0)
		out[pos < outsize ? pos : outsize - 1] = '\0';
	return pos;
}
