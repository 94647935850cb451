/*-------------------------------------------------------------------------
 *
 * pipeline_window.c
 *	  The pipelined model call's window (see pipeline_window.h): rows in
 *	  segments, and the rows and bytes held, against their bounds.
 *
 * IDENTIFICATION
 *	  src/exec/pipeline_window.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "exec/pipeline_window.h"
#include "settings.h"

/* reset segments kept for reuse, at most */
#define PIPE_FREE_SEGMENTS	4

/*
 * PipeWindowInit
 *		See pipeline_window.h.
 */
void
PipeWindowInit(PipeWindow *window, MemoryContext context)
{
	memset(window, 0, sizeof(PipeWindow));
	window->context = context;
	dlist_init(&window->segments);
	dlist_init(&window->free);
	window->max_rows = mlpredict_pipeline_window_rows;
	window->max_bytes = (Size) mlpredict_pipeline_window_memory * 1024;
}

/*
 * recount
 *		Bring a context's count in the window's bytes up to date.
 */
static void
recount(PipeWindow *window, Size *counted, Size now)
{
	window->bytes += now - *counted;
	*counted = now;
	window->peak_bytes = Max(window->peak_bytes, window->bytes);
}

/*
 * PipeWindowFull
 *		See pipeline_window.h.
 */
bool
PipeWindowFull(PipeWindow *window)
{
	bool		full = window->rows > 0 &&
		(window->rows >= window->max_rows || window->bytes >= window->max_bytes);

	if (full && !window->was_full)
		window->times_full++;
	window->was_full = full;
	return full;
}

/*
 * segment_bytes
 *		What a segment holds: its struct and its context's blocks.
 */
static Size
segment_bytes(PipeSegment *segment)
{
	return sizeof(PipeSegment) + MemoryContextMemAllocated(segment->context, false);
}

/*
 * new_segment
 *		A segment for rows from seq on: a reset one, else a new one.
 */
static PipeSegment *
new_segment(PipeWindow *window, uint64 seq)
{
	PipeSegment *segment;

	if (!dlist_is_empty(&window->free))
	{
		segment = dlist_container(PipeSegment, node, dlist_pop_head_node(&window->free));
		window->nfree--;
	}
	else
	{
		segment = MemoryContextAlloc(window->context, sizeof(PipeSegment));
		segment->context = AllocSetContextCreate(window->context,
												 "mlpredict pipeline rows",
												 ALLOCSET_DEFAULT_SIZES);
	}
	segment->first_seq = seq;
	segment->nrows = 0;
	segment->live = 0;
	segment->counted = 0;
	recount(window, &segment->counted, segment_bytes(segment));
	dlist_push_tail(&window->segments, &segment->node);
	return segment;
}

/*
 * free_segment
 *		A segment without rows: reset and kept, or deleted.
 */
static void
free_segment(PipeWindow *window, PipeSegment *segment)
{
	dlist_delete(&segment->node);
	recount(window, &segment->counted, 0);
	if (window->nfree < PIPE_FREE_SEGMENTS)
	{
		MemoryContextReset(segment->context);
		dlist_push_head(&window->free, &segment->node);
		window->nfree++;
		return;
	}
	MemoryContextDelete(segment->context);
	pfree(segment);
}

/*
 * PipeWindowAddRow
 *		See pipeline_window.h.
 */
PipeRow *
PipeWindowAddRow(PipeWindow *window, MemoryContext *context)
{
	PipeSegment *segment = NULL;
	PipeRow    *row;

	if (!dlist_is_empty(&window->segments))
		segment = dlist_container(PipeSegment, node, dlist_tail_node(&window->segments));
	if (segment == NULL || segment->nrows >= PIPE_SEGMENT_ROWS)
		segment = new_segment(window, window->nread);
	Assert(segment->first_seq + segment->nrows == window->nread);
	row = &segment->rows[segment->nrows++];
	memset(row, 0, sizeof(PipeRow));
	row->seq = window->nread++;
	row->segment = segment;
	segment->live++;
	window->rows++;
	window->peak_rows = Max(window->peak_rows, window->rows);
	*context = segment->context;
	return row;
}

/*
 * PipeWindowRowStored
 *		See pipeline_window.h.
 */
void
PipeWindowRowStored(PipeWindow *window, PipeRow *row)
{
	recount(window, &row->segment->counted, segment_bytes(row->segment));
}

/*
 * PipeWindowFind
 *		See pipeline_window.h.  Rows are looked for from the oldest
 *		segment: in order, the row wanted is in the first or second.
 */
PipeRow *
PipeWindowFind(PipeWindow *window, uint64 seq)
{
	dlist_iter	iter;

	dlist_foreach(iter, &window->segments)
	{
		PipeSegment *segment = dlist_container(PipeSegment, node, iter.cur);

		if (seq < segment->first_seq)
			return NULL;
		if (seq < segment->first_seq + segment->nrows)
		{
			PipeRow    *row = &segment->rows[seq - segment->first_seq];

			return row->segment != NULL ? row : NULL;
		}
	}
	return NULL;
}

/*
 * PipeWindowRelease
 *		See pipeline_window.h.
 */
void
PipeWindowRelease(PipeWindow *window, PipeRow *row)
{
	PipeSegment *segment = row->segment;

	Assert(segment != NULL && segment->live > 0);
	row->segment = NULL;
	window->rows--;
	if (--segment->live == 0)
		free_segment(window, segment);
}

/*
 * PipeWindowRecount
 *		See pipeline_window.h.
 */
void
PipeWindowRecount(PipeWindow *window, MemoryContext context, Size *counted)
{
	recount(window, counted, MemoryContextMemAllocated(context, false));
}

/*
 * PipeWindowForget
 *		See pipeline_window.h.
 */
void
PipeWindowForget(PipeWindow *window, Size *counted)
{
	recount(window, counted, 0);
}

/*
 * PipeWindowReset
 *		See pipeline_window.h.  The bytes of registered contexts are the
 *		caller's to forget; the peaks stay for EXPLAIN.
 */
void
PipeWindowReset(PipeWindow *window)
{
	dlist_mutable_iter iter;

	dlist_foreach_modify(iter, &window->segments)
		free_segment(window, dlist_container(PipeSegment, node, iter.cur));
	window->rows = 0;
	window->nread = 0;
	window->was_full = false;
}
