/* demo.c - synthetic but realistic platform data; see demo.h. */
#include "demo.h"

#include "batches.h"
#include "depts.h"
#include "principal.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/code.h"
#include "core/date.h"
#include "core/err.h"
#include "core/rng.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Zhaoqing's county-level divisions (data/regions). */
static const char *const DIVISIONS[] = { "441202", "441203", "441204", "441223", "441224",
					 "441225", "441226", "441284" };
static const char *const PLACES[] = { "端州", "鼎湖", "高要", "广宁", "怀集", "封开", "德庆", "四会" };
static const char *const TRADE_NAMES[] = {
	"星湖", "鼎盛", "端砚", "西江", "七星", "宏达", "汇丰源", "华南", "金利", "永安", "新兴",
	"广信", "泰和", "嘉禾", "丰盈", "顺德隆", "骏景", "粤华", "恒昌", "瑞祥", "荣业", "明珠",
	"长利", "天成", "富力源", "信达", "安和", "锦绣", "博雅", "立德",
};
static const char *const TRADES[] = { "建材", "科技", "贸易", "食品", "物流", "电子", "五金",
				      "陶瓷", "家具", "药业", "农业发展", "餐饮管理", "环保科技",
				      "新材料", "汽车配件", "印刷", "纺织", "生物科技" };
static const char *const FORMS[] = { "有限公司", "有限责任公司", "股份有限公司", "(集团)有限公司" };
static const char *const SURNAMES[] = { "陈", "李", "黄", "张", "梁", "何", "吴", "林", "罗", "冯",
					"邓", "谢", "苏", "周", "莫" };
static const char *const GIVEN[] = { "志强", "伟", "秀英", "建华", "国明", "丽娟", "海燕", "俊杰",
				     "家豪", "美玲", "永康", "淑芬", "子轩", "锦荣" };

struct demo_dept {
	const char *name;
	const char *abbr; /* as in document numbers: 肇市监罚〔2024〕12号 */
	const char *org; /* 8 characters of its organisation code */
	const char *violation;
	const char *basis;
	const char *license;
	/* In the department directory (depts.h): */
	const char *short_name;
	const char *sector;  /* 行业领域 */
	const char *contact;
};

static const struct demo_dept DEPTS[] = {
	{ "肇庆市市场监督管理局", "市监", "MB2C1234", "销售不符合食品安全标准的食品",
	  "《中华人民共和国食品安全法》第一百二十四条", "食品经营许可",
	  "市市场监管局", "食品", "0758-12315" },
	{ "肇庆市生态环境局", "环", "MB2C2345", "超标排放大气污染物",
	  "《中华人民共和国大气污染防治法》第九十九条", "排污许可",
	  "市生态环境局", "生态环境", "0758-12369" },
	{ "肇庆市应急管理局", "应急", "MB2C3456", "未按规定开展安全生产教育和培训",
	  "《中华人民共和国安全生产法》第九十七条", "危险化学品经营许可",
	  "市应急管理局", "安全生产", "0758-12350" },
	{ "肇庆市交通运输局", "交", "MB2C4567", "未取得道路运输经营许可擅自从事道路运输经营",
	  "《中华人民共和国道路运输条例》第六十三条", "道路运输经营许可",
	  "市交通运输局", "交通运输", "0758-12328" },
	{ "肇庆市住房和城乡建设局", "建", "MB2C5678", "未取得施工许可证擅自施工",
	  "《建设工程质量管理条例》第五十七条", "建筑工程施工许可",
	  "市住房城乡建设局", "住房城乡建设", "0758-12319" },
	{ "肇庆市卫生健康局", "卫", "MB2C6789", "未取得卫生许可证从事公共场所经营",
	  "《公共场所卫生管理条例实施细则》第三十五条", "公共场所卫生许可",
	  "市卫生健康局", "卫生健康", "0758-12320" },
};

#define NDEPTS (sizeof DEPTS / sizeof *DEPTS)

/* The departments that submit the two non-public categories.  Not in DEPTS: penalties
 * and licences pick from that table, and growing it would change their data. */
static const struct demo_dept HRSS = { "肇庆市人力资源和社会保障局", "人社", "MB2C7890", "", "", "",
				       "市人力资源社会保障局", "人力资源社会保障", "0758-12333" };
static const struct demo_dept NDRC = { "肇庆市发展和改革局", "发改", "MB2C8901", "", "", "",
				       "市发展改革局", "发展改革", "0758-12345" };

static const char *const UTILITIES[] = { "水费", "电费", "燃气费" };
static const char *const PROVIDERS[] = { "肇庆市供水有限公司", "广东电网有限责任公司肇庆供电局",
					 "肇庆市燃气有限公司" };
#define PICK(rng, arr) (arr[rng_next(rng) % (sizeof arr / sizeof *arr)])


/* A valid USCC: authority and type, division, organisation code, check characters. */
static void demo_uscc(const char *prefix2, const char *division, const char *org8, char out[19])
{
	memcpy(out, prefix2, 2);
	memcpy(out + 2, division, 6);
	memcpy(out + 8, org8, 8);
	out[16] = code_org_check_char(org8);
	out[17] = code_uscc_check_char(out);
	out[18] = '\0';
}

static void demo_company_code(uint64_t *rng, const char *division, char out[19])
{
	static const char digits[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	char org[9];
	int i;

	org[0] = "MLNP"[rng_next(rng) % 4];
	for (i = 1; i < 8; i++)
		org[i] = digits[rng_next(rng) % 10 + (i < 3 ? rng_next(rng) % 21 : 0)];
	org[8] = '\0';
	demo_uscc("91", division, org, out);
}

static void demo_dept_code(const struct demo_dept *d, char out[19])
{
	demo_uscc("11", "441200", d->org, out);
}

static void demo_person_id(uint64_t *rng, const char *division, char out[19])
{
	struct date birth = date_from_days(-5000 + (long)(rng_next(rng) % 14000));

	snprintf(out, 19, "%s%04d%02d%02d%03d", division, birth.y % 10000, birth.m % 100,
		 birth.d % 100, (int)(rng_next(rng) % 1000));
	out[17] = code_resident_id_check_char(out);
	out[18] = '\0';
}

/* A date between `from` days ago and `to` days ago. */
static void demo_date_back(uint64_t *rng, long today, long from, long to, char out[11])
{
	long span = from > to ? from - to : 1;

	date_format(date_from_days(today - to - (long)(rng_next(rng) % (uint64_t)span)), out);
}

struct demo_subject {
	char code[19];
	char name[160];
	char legal_rep[32];
	int person;
	int division;
};

static void demo_make_subject(uint64_t *rng, struct demo_subject *s, int person)
{
	s->division = (int)(rng_next(rng) % 8);
	s->person = person;
	snprintf(s->legal_rep, sizeof s->legal_rep, "%s%s", PICK(rng, SURNAMES), PICK(rng, GIVEN));
	if (person) {
		demo_person_id(rng, DIVISIONS[s->division], s->code);
		snprintf(s->name, sizeof s->name, "%s", s->legal_rep);
		return;
	}
	demo_company_code(rng, DIVISIONS[s->division], s->code);
	snprintf(s->name, sizeof s->name, "肇庆市%s%s%s%s", PLACES[s->division],
		 PICK(rng, TRADE_NAMES), PICK(rng, TRADES), PICK(rng, FORMS));
}

static const char PENALTY_HEADER[] =
	"行政相对人名称,行政相对人类别,行政相对人代码_1(统一社会信用代码),法定代表人,证件类型,证件号码,"
	"行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,罚款金额（万元）,"
	"处罚决定日期,公示截止期,处罚机关,处罚机关统一社会信用代码,数据来源单位,"
	"数据来源单位统一社会信用代码\n";

static void demo_penalty_row(struct buf *b, uint64_t *rng, const struct demo_subject *s,
			     long seq, long today)
{
	const struct demo_dept *d = &DEPTS[rng_next(rng) % NDEPTS];
	int fine = rng_next(rng) % 4 != 0;
	long fine_yuan = 500 * (1 + (long)(rng_next(rng) % 200));
	char dept_code[19], date[11];

	demo_dept_code(d, dept_code);
	demo_date_back(rng, today, 365 * 5, 1, date);
	buf_printf(b, "%s,%s,%s,%s,%s,%s,", s->name, s->person ? "自然人" : "法人及非法人组织",
		   s->person ? "" : s->code, s->person ? "" : s->legal_rep,
		   s->person ? "身份证" : "", s->person ? s->code : "");
	buf_printf(b, "肇%s罚〔%.4s〕%ld号,%s,", d->abbr, date, seq, d->violation);
	buf_printf(b, "\"经查，当事人于%s存在%s的行为，违反了相关规定。\",%s,%s,", date,
		   d->violation, d->basis, fine ? "警告;罚款" : "警告");
	buf_printf(b, "\"%s\",", fine ? "警告，并处罚款" : "警告");
	if (fine)
		buf_printf(b, "%ld.%04ld", fine_yuan / 10000, fine_yuan % 10000);
	buf_printf(b, ",%s,,%s,%s,%s,%s\n", date, d->name, dept_code, d->name, dept_code);
}

int demo_write_penalties(FILE *out, long rows, unsigned long seed, struct err *e)
{
	uint64_t rng = seed * 2654435761ULL + 0x9E3779B97F4A7C15ULL;
	struct date today;
	char today_s[11];
	struct demo_subject subj;
	struct buf b;
	long i;

	clock_today(today_s);
	date_parse_iso(today_s, &today);
	buf_init(&b, 1 << 20);
	fputs(PENALTY_HEADER, out);
	memset(&subj, 0, sizeof subj);
	for (i = 0; i < rows; i++) {
		if (i % 3 == 0)
			demo_make_subject(&rng, &subj, rng_next(&rng) % 20 == 0);
		buf_reset(&b);
		demo_penalty_row(&b, &rng, &subj, i + 1, date_to_days(today));
		if (fwrite(b.data, 1, b.len, out) != b.len) {
			buf_free(&b);
			return err_set(e, "file.unreadable", "写入失败");
		}
	}
	buf_free(&b);
	return 0;
}

static const char REGISTRATION_HEADER[] =
	"主体名称,统一社会信用代码,主体类型,法定代表人,成立日期,注册资本（万元）,住所,经营范围,"
	"登记机关,登记状态,数据来源单位,数据来源单位统一社会信用代码\n";

static const char LICENSE_HEADER[] =
	"行政相对人名称,行政相对人类别,行政相对人代码_1（统一社会信用代码）,法定代表人,"
	"行政许可决定文书名称,行政许可决定文书号,许可类别,许可证书名称,许可编号,许可内容,"
	"许可决定日期,有效期自,有效期至,许可机关,许可机关统一社会信用代码,当前状态,数据来源单位,"
	"数据来源单位统一社会信用代码\n";

static void demo_registration_row(struct buf *b, uint64_t *rng, const struct demo_subject *s,
				  long today)
{
	const struct demo_dept *d = &DEPTS[0];
	char dept_code[19], date[11];

	demo_dept_code(d, dept_code);
	demo_date_back(rng, today, 365 * 25, 400, date);
	buf_printf(b, "%s,%s,有限责任公司,%s,%s,%d,广东省肇庆市%s区某路%d号,\"%s相关产品的研发、生产、销售\","
		   "%s,存续,%s,%s\n",
		   s->name, s->code, s->legal_rep, date, 10 * (1 + (int)(rng_next(rng) % 500)),
		   PLACES[s->division], 1 + (int)(rng_next(rng) % 300), PICK(rng, TRADES),
		   d->name, d->name, dept_code);
}

static void demo_license_row(struct buf *b, uint64_t *rng, const struct demo_subject *s,
			     long seq, long today)
{
	const struct demo_dept *d = &DEPTS[rng_next(rng) % NDEPTS];
	char dept_code[19], date[11], until[11];
	int open_ended = rng_next(rng) % 5 == 0;
	struct date dd;

	demo_dept_code(d, dept_code);
	demo_date_back(rng, today, 365 * 5, 1, date);
	date_parse_iso(date, &dd);
	date_format(date_add_months(dd, 12 * (1 + (int)(rng_next(rng) % 5))), until);
	buf_printf(b, "%s,法人及非法人组织,%s,%s,%s决定书,肇%s许〔%.4s〕%ld号,普通,%s证,"
		   "ZQ%.4s%06ld,准予%s,%s,%s,%s,%s,%s,有效,%s,%s\n",
		   s->name, s->code, s->legal_rep, d->license, d->abbr, date, seq, d->license,
		   date, seq, d->license, date, date, open_ended ? "2099-12-31" : until, d->name,
		   dept_code, d->name, dept_code);
}

static const char ABNORMAL_HEADER[] =
	"企业名称,统一社会信用代码,法定代表人,列入经营异常名录原因,列入日期,作出决定机关,"
	"移出经营异常名录原因,移出日期,移出作出决定机关,数据来源单位,数据来源单位统一社会信用代码\n";

static const char DISHONEST_HEADER[] =
	"主体名称,主体类别,统一社会信用代码,法定代表人,名单类型,列入事由,列入依据,认定文书号,列入日期,"
	"有效期至,认定部门,认定部门统一社会信用代码,数据来源单位,数据来源单位统一社会信用代码\n";

/* About half of the listed companies have since been removed from the list. */
static void demo_abnormal_row(struct buf *b, uint64_t *rng, const struct demo_subject *s,
			      long today)
{
	const struct demo_dept *d = &DEPTS[0];
	char dept_code[19], listed[11], removed[11] = "";
	int out = rng_next(rng) % 2 == 0;

	demo_dept_code(d, dept_code);
	demo_date_back(rng, today, 365 * 4, 200, listed);
	if (out)
		demo_date_back(rng, today, 190, 1, removed);
	buf_printf(b, "%s,%s,%s,通过登记的住所或者经营场所无法联系,%s,%s,%s,%s,%s,%s,%s\n", s->name,
		   s->code, s->legal_rep, listed, d->name, out ? "已在原住所恢复经营并可联系" : "",
		   removed, out ? d->name : "", d->name, dept_code);
}

static void demo_dishonest_row(struct buf *b, uint64_t *rng, const struct demo_subject *s,
			       long seq, long today)
{
	const struct demo_dept *d = &DEPTS[rng_next(rng) % NDEPTS];
	char dept_code[19], listed[11], until[11];
	struct date ld;

	demo_dept_code(d, dept_code);
	demo_date_back(rng, today, 365 * 2, 30, listed);
	date_parse_iso(listed, &ld);
	date_format(date_add_months(ld, 36), until);
	buf_printf(b, "%s,法人及非法人组织,%s,%s,严重违法失信名单,\"%s，情节严重\","
		   "《严重违法失信名单管理办法》,肇%s认〔%.4s〕%ld号,%s,%s,%s,%s,%s,%s\n",
		   s->name, s->code, s->legal_rep, d->violation, d->abbr, listed, seq, listed,
		   until, d->name, dept_code, d->name, dept_code);
}

static const char SOCIAL_INSURANCE_HEADER[] =
	"用人单位名称,统一社会信用代码,欠缴所属期,欠缴金额（万元）,认定日期,认定机关\n";

static const char UTILITY_HEADER[] =
	"缴费主体名称,缴费主体类别,统一社会信用代码,证件类型,证件号码,缴费类别,统计期间,缴费情况,"
	"供应单位,报送日期\n";

/* Social insurance arrears (shared among government departments): months of unpaid
 * contributions, established within the last two years, so still in publicity. */
static void demo_social_insurance_row(struct buf *b, uint64_t *rng, const struct demo_subject *s,
				      long today)
{
	char determined[11];
	long yuan = 2000 * (1 + (long)(rng_next(rng) % 150)) + (long)(rng_next(rng) % 2000);
	struct date d, from, to;

	demo_date_back(rng, today, 365 * 2, 20, determined);
	date_parse_iso(determined, &d);
	to = date_add_months(d, -1);
	from = date_add_months(to, -(int)(rng_next(rng) % 12));
	buf_printf(b, "%s,%s,%d年%d月至%d年%d月,%ld.%04ld,%s,%s\n", s->name, s->code, from.y, from.m,
		   to.y, to.m, yuan / 10000, yuan % 10000, determined, HRSS.name);
}

/* Utility payments (shown only to the subject and whom it authorizes): one row per
 * utility for the year before the report, mostly paid on time.  A person is named by its
 * ID number. */
static void demo_utility_rows(struct buf *b, uint64_t *rng, const struct demo_subject *s,
			      long today)
{
	size_t first = rng_next(rng) % 3, n = 1 + rng_next(rng) % 3, k;

	for (k = 0; k < n; k++) {
		size_t u = (first + k) % 3;
		unsigned roll = (unsigned)(rng_next(rng) % 20);
		char reported[11];
		struct date d;

		demo_date_back(rng, today, 365 * 2, 1, reported);
		date_parse_iso(reported, &d);
		buf_printf(b, "%s,%s,%s,%s,%s,%s,%d年度,%s,%s,%s\n", s->name,
			   s->person ? "自然人" : "法人及非法人组织", s->person ? "" : s->code,
			   s->person ? "身份证" : "", s->person ? s->code : "", UTILITIES[u], d.y - 1,
			   roll < 16 ? "按时足额缴纳" : roll < 19 ? "存在逾期" : "存在欠费", PROVIDERS[u],
			   reported);
	}
}

/* Writes the demo files into dir; `dept` is the submitting department (NULL: DEPTS[0]). */
static const struct demo_file {
	const char *category;
	const char *file;
	const char *header;
	const struct demo_dept *dept;
} DEMO_FILES[] = {
	{ "registration", "registration.csv", REGISTRATION_HEADER, NULL },
	{ "license", "license.csv", LICENSE_HEADER, NULL },
	{ "penalty", "penalty.csv", PENALTY_HEADER, NULL },
	{ "abnormal_list", "abnormal_list.csv", ABNORMAL_HEADER, NULL },
	{ "dishonest_list", "dishonest_list.csv", DISHONEST_HEADER, NULL },
	{ "social_insurance_arrears", "social_insurance_arrears.csv", SOCIAL_INSURANCE_HEADER,
	  &HRSS },
	{ "utility_payment", "utility_payment.csv", UTILITY_HEADER, &NDRC },
	/* Later the same department re-sends some penalties corrected (their earlier
	 * content stays in each record's history), and another department sends a few of
	 * them as its own: refused, record.other_dept. */
	{ "penalty", "penalty-corrections.csv", PENALTY_HEADER, NULL },
	{ "penalty", "penalty-other-dept.csv", PENALTY_HEADER, &DEPTS[1] },
};
#define DEMO_CORRECTIONS 7
#define DEMO_OTHER_DEPT 8

/* A penalty row as re-sent after review: the same decision, its facts corrected. */
static void demo_corrected_row(struct buf *out, const char *row, size_t len)
{
	static const char from[] = "违反了相关规定。";
	const char *at = memmem(row, len, from, sizeof from - 1);

	if (!at) {
		buf_append(out, row, len);
		return;
	}
	buf_append(out, row, (size_t)(at - row));
	buf_puts(out, "违反了相关规定（经复核更正违法事实）。");
	at += sizeof from - 1;
	buf_append(out, at, len - (size_t)(at - row));
}

#define NFILES (sizeof DEMO_FILES / sizeof *DEMO_FILES)

static int demo_write_files(const char *dir, const struct demo_options *opts)
{
	uint64_t rng = opts->seed * 2654435761ULL + 0x9E3779B97F4A7C15ULL;
	/* Lists draw from their own generator, so that adding them changed none of the
	 * other demo data (documentation shows some of it). */
	uint64_t lists_rng = opts->seed * 40503ULL + 0x632BE59BD9B4E019ULL;
	/* And so do the non-public categories, added later still, and the re-sent rows. */
	uint64_t shared_rng = opts->seed * 69069ULL + 0xD1B54A32D192ED03ULL;
	uint64_t resend_rng = opts->seed * 1103515245ULL + 0x2545F4914F6CDD1DULL;
	FILE *f[NFILES];
	struct demo_subject subj;
	struct date today;
	char path[4096], today_s[11];
	struct buf b, row;
	long t, seq = 0;
	size_t k;
	int i, n, rc = 0;

	clock_today(today_s);
	date_parse_iso(today_s, &today);
	t = date_to_days(today);
	for (k = 0; k < NFILES; k++) {
		snprintf(path, sizeof path, "%s/%s", dir, DEMO_FILES[k].file);
		if (!(f[k] = fopen(path, "w")))
			rc = -1;
		else
			fputs(DEMO_FILES[k].header, f[k]);
	}
	buf_init(&b, 1 << 20);
	buf_init(&row, 0);
	for (i = 0; rc == 0 && i < opts->subjects; i++) {
		int person = i % 20 == 19;

		demo_make_subject(&rng, &subj, person);
		buf_reset(&b);
		if (!person) {
			demo_registration_row(&b, &rng, &subj, t);
			fwrite(b.data, 1, b.len, f[0]);
			buf_reset(&b);
			for (n = (int)(rng_next(&rng) % 3); n > 0; n--)
				demo_license_row(&b, &rng, &subj, ++seq, t);
			fwrite(b.data, 1, b.len, f[1]);
			buf_reset(&b);
		}
		/* About one subject in three has penalties, as in real archives. */
		for (n = rng_next(&rng) % 3 == 0 ? 1 + (int)(rng_next(&rng) % 3) : 0; n > 0; n--) {
			uint64_t pick = rng_next(&resend_rng) % 30;

			buf_reset(&row);
			demo_penalty_row(&row, &rng, &subj, ++seq, t);
			fwrite(row.data, 1, row.len, f[2]);
			buf_reset(&b);
			if (pick < 3) {
				demo_corrected_row(&b, row.data, row.len);
				fwrite(b.data, 1, b.len, f[DEMO_CORRECTIONS]);
			} else if (pick == 3) {
				fwrite(row.data, 1, row.len, f[DEMO_OTHER_DEPT]);
			}
		}
		/* About one subject in four, persons too, has utility payment records. */
		buf_reset(&b);
		if (rng_next(&shared_rng) % 4 == 0) {
			demo_utility_rows(&b, &shared_rng, &subj, t);
			fwrite(b.data, 1, b.len, f[6]);
		}
		if (person)
			continue;
		/* About one company in ten owes social insurance contributions. */
		buf_reset(&b);
		if (rng_next(&shared_rng) % 10 == 0) {
			demo_social_insurance_row(&b, &shared_rng, &subj, t);
			fwrite(b.data, 1, b.len, f[5]);
		}
		buf_reset(&b);
		if (rng_next(&lists_rng) % 25 == 0) {
			demo_abnormal_row(&b, &lists_rng, &subj, t);
			fwrite(b.data, 1, b.len, f[3]);
		}
		buf_reset(&b);
		if (rng_next(&lists_rng) % 80 == 0) {
			demo_dishonest_row(&b, &lists_rng, &subj, ++seq, t);
			fwrite(b.data, 1, b.len, f[4]);
		}
	}
	buf_free(&b);
	buf_free(&row);
	for (k = 0; k < NFILES; k++)
		if (f[k] && fclose(f[k]) != 0)
			rc = -1;
	return rc;
}

/* Names the demo's departments in the department directory (depts.h), all of them in
 * one transaction.  The codes are those the demo files are submitted under. */
static int demo_register_depts(struct store *s, struct err *e)
{
	const struct demo_dept *all[NDEPTS + 2];
	struct dept d;
	size_t i;

	for (i = 0; i < NDEPTS; i++)
		all[i] = &DEPTS[i];
	all[NDEPTS] = &HRSS;
	all[NDEPTS + 1] = &NDRC;
	if (store_begin(s, e) < 0)
		return -1;
	for (i = 0; i < NDEPTS + 2; i++) {
		memset(&d, 0, sizeof d);
		demo_dept_code(all[i], d.code);
		snprintf(d.name, sizeof d.name, "%s", all[i]->name);
		snprintf(d.short_name, sizeof d.short_name, "%s", all[i]->short_name);
		snprintf(d.region_code, sizeof d.region_code, "441200");
		snprintf(d.contact, sizeof d.contact, "%s", all[i]->contact);
		snprintf(d.sector, sizeof d.sector, "%s", all[i]->sector);
		if (depts_put(s, &d, NULL, e) < 0) {
			store_rollback(s);
			return -1;
		}
	}
	return store_commit(s, e);
}

int demo_generate(struct store *s, const struct demo_options *opts, json_t **summary,
		  struct err *e)
{
	char dir[] = "/tmp/xinyong-demo-XXXXXX", path[4096], dept[19];
	json_t *batches;
	size_t k;
	int rc = 0;
	struct principal who;

	*summary = NULL;
	/* Demo data is loaded from the console, and recorded as such. */
	principal_cli(&who, NULL);
	if (demo_register_depts(s, e) < 0)
		return -1;
	if (!mkdtemp(dir))
		return err_set(e, "file.unreadable", "无法创建临时目录");
	if (demo_write_files(dir, opts) < 0)
		rc = err_set(e, "file.unreadable", "无法写入演示数据文件（%s）", dir);
	batches = json_array();
	for (k = 0; k < NFILES && rc == 0; k++) {
		struct ingest_request req = { DEMO_FILES[k].category, dept, path, DEMO_FILES[k].file,
					      READER_CSV, NULL, &who };
		json_t *one;

		demo_dept_code(DEMO_FILES[k].dept ? DEMO_FILES[k].dept : &DEPTS[0], dept);
		snprintf(path, sizeof path, "%s/%s", dir, DEMO_FILES[k].file);
		rc = batches_ingest(s, &req, &one, e);
		if (rc == 0) {
			json_object_set_new(one, "category", json_string(DEMO_FILES[k].category));
			json_array_append_new(batches, one);
		}
	}
	for (k = 0; k < NFILES; k++) {
		snprintf(path, sizeof path, "%s/%s", dir, DEMO_FILES[k].file);
		unlink(path);
	}
	rmdir(dir);
	if (rc < 0) {
		json_decref(batches);
		return -1;
	}
	*summary = json_pack("{s:i, s:o}", "subjects", opts->subjects, "batches", batches);
	if (demo_generate_cases(s, *summary, e) < 0) {
		json_decref(*summary);
		*summary = NULL;
		return -1;
	}
	return 0;
}
