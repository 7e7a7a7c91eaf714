/*
 * cmd_routes.c - `xinyong routes`: every HTTP route with who may call it, as JSON lines
 * (the table of src/http/router.c; docs/security.md explains the roles).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "http/http.h"

int cmd_routes(int argc, char **argv)
{
	json_t *routes;
	size_t i;

	if (argc > 1)
		return strcmp(argv[1], "--help") == 0 ? cli_help(argv[0], "xinyong routes")
						      : cli_usage("xinyong routes");
	routes = http_routes_json();
	for (i = 0; i < json_array_size(routes); i++)
		cli_print_json(json_array_get(routes, i), 0);
	json_decref(routes);
	return CLI_EXIT_OK;
}
