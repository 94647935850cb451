/*-------------------------------------------------------------------------
 *
 * pipeline_window.h
 *	  The pipelined model call's window (pipeline.c): the outer rows read
 *	  ahead and not yet released, and the bytes they and their calls
 *	  hold, bounded by mlpredict.pipeline_window_rows and
 *	  mlpredict.pipeline_window_memory rather than by the slowest row.
 *
 * Rows are stored in segments of PIPE_SEGMENT_ROWS consecutive rows, each
 * with one memory context for the rows' outer tuple copies and inputs, so
 * a large window costs one context per segment, not one per row.  A
 * segment is freed (its context reset and kept for reuse) when its last
 * row is released; rows are released roughly in the order they were read,
 * so a straggler keeps only its own segment alive.
 *
 * Bytes are the memory contexts' allocated sizes (blocks, as the
 * allocator holds them): of the segments, and of every context the caller
 * registers with PipeWindowRecount (its calls: requests, answers, decoded
 * outputs), recounted whenever the caller has allocated in one.
 *
 * IDENTIFICATION
 *	  src/exec/pipeline_window.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_PIPELINE_WINDOW_H
#define MLPREDICT_PIPELINE_WINDOW_H

#include "lib/ilist.h"
#include "utils/memutils.h"

#include "wire/target.h"

#define PIPE_SEGMENT_ROWS	64

struct PipeCall;
struct PipeSegment;

/* One outer row in the window. */
typedef struct PipeRow
{
	uint64		seq;			/* its place in the outer order */
	struct PipeSegment *segment;	/* where it and its memory live */
	MinimalTuple outer;			/* copy of the outer row */
	MlBatchRow	io;				/* inputs, and outputs once decoded */
	struct PipeCall *call;		/* NULL: NULL input, outputs all NULL */
	struct PipeRow *next_ready; /* unordered: the ready list's link */
	void	   *dedup;			/* its MlMemoEntry (cache/cache.h), or NULL */
	struct PipeRow *next_waiter;	/* a duplicate's link in its entry */
	void	   *key;			/* its MlCacheKey, for the response cache */
	bool		ready;			/* its call is final (or it has none) */
	bool		keep;			/* false: on_error = skip dropped it */
} PipeRow;

typedef struct PipeSegment
{
	dlist_node	node;			/* in PipeWindow.segments, or .free */
	uint64		first_seq;		/* of rows[0] */
	int			nrows;			/* rows read into it */
	int			live;			/* of them, not yet released */
	MemoryContext context;		/* their outer tuples and inputs */
	Size		counted;		/* its bytes in PipeWindow.bytes */
	PipeRow		rows[PIPE_SEGMENT_ROWS];
} PipeSegment;

typedef struct PipeWindow
{
	MemoryContext context;		/* segments are made in it */
	dlist_head	segments;		/* oldest first */
	dlist_head	free;			/* reset segments kept for reuse */
	int			nfree;
	uint64		nread;			/* rows read: the next row's seq */
	int64		rows;			/* rows read and not released */
	Size		bytes;			/* bytes held by the rows and their calls */
	int64		max_rows;		/* the bounds */
	Size		max_bytes;
	bool		was_full;		/* the last look found it full */

	/* for EXPLAIN ANALYZE */
	int64		times_full;		/* times reading stopped at a bound */
	int64		peak_rows;
	Size		peak_bytes;
} PipeWindow;

/* An empty window in context, bounded by the GUCs. */
extern void PipeWindowInit(PipeWindow *window, MemoryContext context);

/*
 * Whether the window is at a bound: reading another row must wait.  A
 * window without rows is never full, so one row can always be read.
 * Counts the times it turns full (times_full).
 */
extern bool PipeWindowFull(PipeWindow *window);

/*
 * Room for the next row (seq = nread): a zeroed PipeRow whose memory is
 * its segment's context (returned in *context) until PipeWindowRelease.
 * PipeWindowRowStored recounts that context once the row is filled in.
 */
extern PipeRow *PipeWindowAddRow(PipeWindow *window, MemoryContext *context);
extern void PipeWindowRowStored(PipeWindow *window, PipeRow *row);

/* The unreleased row seq (seq < nread), or NULL if it was released. */
extern PipeRow *PipeWindowFind(PipeWindow *window, uint64 seq);

/* A row is done with: its segment goes with its segment's last row. */
extern void PipeWindowRelease(PipeWindow *window, PipeRow *row);

/*
 * Another context's bytes: *counted is what the window counts for it
 * (0 at first); Recount brings it up to date, Forget removes it (before
 * the context is deleted).
 */
extern void PipeWindowRecount(PipeWindow *window, MemoryContext context,
							  Size *counted);
extern void PipeWindowForget(PipeWindow *window, Size *counted);

/* Forget every row (the segments' memory is freed). */
extern void PipeWindowReset(PipeWindow *window);

#endif							/* MLPREDICT_PIPELINE_WINDOW_H */
