/*
 * http_request.c - what a handler may ask of its request (http_int.h): arguments,
 * headers, the store handle, the JSON body, the client's address.
 */
#include "http/http_int.h"

#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>

#include "core/err.h"
#include "core/json_input.h"
#include "http/server_int.h"

const char *http_request_arg(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

struct store *http_request_store(struct http_request *req, struct err *e)
{
	if (!req->store)
		req->store = server_pool_take(req->srv, e);
	return req->store;
}

int http_request_json(struct http_request *req, json_t **out, struct err *e)
{
	*out = NULL;
	if (!req->body)
		return err_set(e, "request.invalid", "请求体应为 JSON 对象");
	return json_input_parse(req->body, req->body_len, out, e);
}

void http_request_client(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;
	socklen_t len = sizeof(struct sockaddr_in6);

	if (size)
		out[0] = '\0';
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		len = sizeof(struct sockaddr_in);
	if (getnameinfo(sa, len, out, (socklen_t)size, NULL, 0, NI_NUMERICHOST) != 0 && size)
		out[0] = '\0';
}
