/*-------------------------------------------------------------------------
 *
 * base64.h
 *	  bytea <-> base64 text on PostgreSQL's own encoder (common/base64.h),
 *	  the one place the JSON, CSV and TRITON codecs call it.
 *
 * IDENTIFICATION
 *	  src/types/base64.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_TYPES_BASE64_H
#define MLPREDICT_TYPES_BASE64_H

#include "lib/stringinfo.h"

extern void MlAppendBase64(StringInfo buf, const void *data, int len);
extern bytea *MlBase64ToBytea(const char *text, int len);

#endif							/* MLPREDICT_TYPES_BASE64_H */
