/*
 * cmd_ingest.c - `xinyong ingest --category CAT --dept CODE [--rejects OUT.csv] FILE...`
 *
 * Each file becomes one batch; one JSON summary line per file on stdout.  Exit status 0
 * when every file was processed (even with rejected rows), 2 when one could not be used.
 */
#include "cli.h"

#include "core/err.h"
#include "core/rejects_csv.h"
#include "service/batches.h"
#include "service/principal.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int ingest_parse_format(const char *s, enum reader_format *out)
{
	if (strcmp(s, "csv") == 0)
		*out = READER_CSV;
	else if (strcmp(s, "json") == 0)
		*out = READER_JSON;
	else if (strcmp(s, "ndjson") == 0 || strcmp(s, "jsonl") == 0)
		*out = READER_NDJSON;
	else
		return -1;
	return 0;
}

/* The rejects file repeats rejected rows, ID numbers and names included: it is made
 * readable by its owner only, also when it existed before (then it is emptied).  A
 * device (/dev/stdout, /dev/null) is written as it is. */
static FILE *ingest_open_rejects(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 ||
	    (S_ISREG(st.st_mode) && (st.st_mode & 077) && fchmod(fd, 0600) < 0) ||
	    !(f = fdopen(fd, "w"))) {
		int saved = errno;

		close(fd);
		errno = saved;
		return NULL;
	}
	return f;
}

int cmd_ingest(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "category", required_argument, NULL, 'c' },
					      { "dept", required_argument, NULL, 'p' },
					      { "rejects", required_argument, NULL, 'r' },
					      { "format", required_argument, NULL, 'f' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *usage = "xinyong ingest [--db DB] --category CAT --dept DEPT_CODE "
			    "[--rejects OUT.csv] [--format csv|json|ndjson] FILE...";
	struct ingest_request req;
	struct principal who;
	const char *db = NULL, *rejects = NULL;
	int c, i, status = CLI_EXIT_OK;
	struct store *s;

	memset(&req, 0, sizeof req);
	while ((c = cli_getopt(argc, argv, "d:c:p:r:f:h", opts)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'c': req.category = optarg; break;
		case 'p': req.dept_code = optarg; break;
		case 'r': rejects = optarg; break;
		case 'f':
			if (ingest_parse_format(optarg, &req.format) < 0)
				return cli_usage(usage);
			break;
		case 'h': printf("usage: %s\n", usage); return CLI_EXIT_OK;
		default: return cli_usage(usage);
		}
	}
	if (!req.category || !req.dept_code || optind >= argc)
		return cli_usage(usage);
	if (rejects) {
		if (!(req.rejects_csv = ingest_open_rejects(rejects))) {
			fprintf(stderr, "xinyong: file.unreadable: 无法写入拒收文件 %s：%s\n", rejects,
				strerror(errno));
			return CLI_EXIT_USAGE;
		}
		fputs(REJECTS_CSV_HEADER, req.rejects_csv);
	}
	principal_cli(&who, NULL);
	req.who = &who;
	if (!(s = cli_open_store(db))) {
		if (req.rejects_csv)
			fclose(req.rejects_csv);
		return CLI_EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		json_t *summary;
		struct err e;

		err_clear(&e);
		req.path = argv[i];
		if (batches_ingest(s, &req, &summary, &e) < 0) {
			fprintf(stderr, "xinyong: %s: %s: %s\n", argv[i], e.reason, e.message);
			status = CLI_EXIT_USAGE;
			continue;
		}
		cli_print_json(summary, 0);
		json_decref(summary);
	}
	store_close(s);
	if (req.rejects_csv && fclose(req.rejects_csv) != 0) {
		fprintf(stderr, "xinyong: 写入拒收文件 %s 失败：%s\n", rejects, strerror(errno));
		status = CLI_EXIT_USAGE;
	}
	return status;
}
