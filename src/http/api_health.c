/*
 * api_health.c - GET /healthz: liveness, from memory.
 *
 * A probe may call this every second on every server: it touches neither the database
 * nor the disk, so it answers in microseconds and cannot itself make a loaded server
 * slower.  It says what the server knows: that it answers, which day it takes for today
 * (publicity periods end by it; a fixed XINYONG_NOW in production would be a mistake
 * worth seeing), the years of the holiday calendar loaded at start and a warning for a
 * year it lacks that deadlines are counted in now (service/calendar.h), and whether it
 * could last get a database handle.  Counts and rates are the operators' /metrics.
 */
#include "http/http_int.h"

#include <stdlib.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "service/calendar.h"

int api_health(struct http_request *req, struct http_response *res, struct err *e)
{
	struct http_server_status st;
	char today[11], now[26];
	const char *fixed = getenv("XINYONG_NOW");
	struct date day = { 0, 0, 0 };
	json_t *holidays, *doc;

	http_server_get_status(req->srv, &st);
	clock_today(today);
	clock_timestamp(now);
	date_parse_iso(today, &day);
	holidays = calendar_status_json(http_server_calendar(req->srv), day);
	if (!holidays)
		return err_set(e, "internal.error", "内存不足");
	doc = json_pack("{s:s, s:{s:s, s:s, s:b, s:O, s:O}, s:{s:s, s:{s:I, s:I, s:I}}}", "status",
			"ok", "calendar", "today", today, "now", now, "fixed", fixed && *fixed,
			"years", json_object_get(holidays, "years"), "warnings",
			json_object_get(holidays, "warnings"), "store", "status",
			st.store_ok ? "ok" : "unavailable", "handles", "open",
			(json_int_t)st.handles_open, "free", (json_int_t)st.handles_free, "max",
			(json_int_t)st.handles_max);
	json_decref(holidays);
	return http_reply_json(res, 200, doc, e);
}
