/*
 * api_health.c - GET /healthz: liveness, from memory.
 *
 * A probe may call this every second on every server: it touches neither the database
 * nor the disk, so it answers in microseconds and cannot itself make a loaded server
 * slower.  It says what the server knows: that it answers, which day it takes for today
 * (publicity periods end by it; a fixed XINYONG_NOW in production would be a mistake
 * worth seeing), and whether it could last get a database handle.  Counts and rates
 * are the operators' /metrics.
 */
#include "http/http_int.h"

#include <stdlib.h>

#include "core/clock.h"
#include "core/err.h"

int api_health(struct http_request *req, struct http_response *res, struct err *e)
{
	struct http_server_status st;
	char today[11], now[26];
	const char *fixed = getenv("XINYONG_NOW");

	http_server_get_status(req->srv, &st);
	clock_today(today);
	clock_timestamp(now);
	return http_reply_json(
		res, 200,
		json_pack("{s:s, s:{s:s, s:s, s:b}, s:{s:s, s:{s:I, s:I, s:I}}}", "status", "ok",
			  "calendar", "today", today, "now", now, "fixed", fixed && *fixed, "store",
			  "status", st.store_ok ? "ok" : "unavailable", "handles", "open",
			  (json_int_t)st.handles_open, "free", (json_int_t)st.handles_free, "max",
			  (json_int_t)st.handles_max),
		e);
}
