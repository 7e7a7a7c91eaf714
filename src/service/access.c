/* access.c - the table of who may do what; see access.h. */
#include "access.h"

#include <string.h>

#include "core/err.h"
#include "core/role.h"
#include "principal.h"

/* Government bodies: department staff, platform staff other than the auditor. */
#define GOVERNMENT_ROLES (ROLES_DEPT | ROLE_OPERATOR | ROLE_ADMIN)
/* Platform staff who act for every department. */
#define PLATFORM_STAFF (ROLE_OPERATOR | ROLE_ADMIN)

/* One refusal shared by the three kinds of account, as the API has always said it. */
#define MANAGE_REFUSED \
	"无权管理该账号：部门管理员只能管理本部门的部门角色账号，运营人员只能开设信用主体账号"
#define TOKENS_REFUSED "只有平台管理员可以签发或吊销访问令牌"
#define AUTHORIZATIONS_REFUSED "只有信用主体本人或平台运营人员可以登记授权"
#define AUTHORIZATIONS_NOT_OWN "只能管理本主体的授权"

static const struct access_rule rules[] = {
	{ .action = ACCESS_USER_MANAGE_DEPT_USER, .name = "user.manage.dept",
	  .roles = ROLE_ADMIN | ROLE_DEPT_ADMIN, .console = 1, .owner = ACCESS_OWNER_DEPT,
	  .anywhere = ROLE_ADMIN, .refused = MANAGE_REFUSED },
	{ .action = ACCESS_USER_MANAGE_SUBJECT_USER, .name = "user.manage.subject",
	  .roles = ROLE_ADMIN | ROLE_OPERATOR, .console = 1, .refused = MANAGE_REFUSED },
	{ .action = ACCESS_USER_MANAGE_PLATFORM_USER, .name = "user.manage.platform",
	  .roles = ROLE_ADMIN, .console = 1, .refused = MANAGE_REFUSED },
	{ .action = ACCESS_USER_SET_PASSWORD, .name = "user.password.set", .roles = ROLE_ADMIN,
	  .console = 1, .refused = "只有管理员可以直接设置他人密码" },
	/* Not the console: it has no account of its own. */
	{ .action = ACCESS_USER_CHANGE_PASSWORD, .name = "user.password.change",
	  .roles = ROLES_ALL, .refused = "只有登录的用户可以修改自己的密码" },
	{ .action = ACCESS_USER_LIST, .name = "user.list", .roles = ROLE_ADMIN | ROLE_DEPT_ADMIN,
	  .console = 1, .owner = ACCESS_OWNER_DEPT, .anywhere = ROLE_ADMIN,
	  .refused = "只有管理员和部门管理员可以查看账号列表" },
	{ .action = ACCESS_TOKEN_ISSUE, .name = "token.issue", .roles = ROLE_ADMIN, .console = 1,
	  .refused = TOKENS_REFUSED },
	{ .action = ACCESS_TOKEN_REVOKE, .name = "token.revoke", .roles = ROLE_ADMIN, .console = 1,
	  .refused = TOKENS_REFUSED },
	{ .action = ACCESS_TOKEN_LIST, .name = "token.list", .roles = ROLE_ADMIN, .console = 1,
	  .refused = TOKENS_REFUSED },
	/* An operator records an authorization signed on paper, for any subject. */
	{ .action = ACCESS_AUTHORIZATION_GRANT, .name = "authorization.grant",
	  .roles = ROLE_SUBJECT | ROLE_OPERATOR, .console = 1, .owner = ACCESS_OWNER_SUBJECT,
	  .anywhere = ROLE_OPERATOR, .refused = AUTHORIZATIONS_REFUSED,
	  .not_own = AUTHORIZATIONS_NOT_OWN },
	{ .action = ACCESS_AUTHORIZATION_REVOKE, .name = "authorization.revoke",
	  .roles = ROLE_SUBJECT | ROLE_OPERATOR, .console = 1, .owner = ACCESS_OWNER_SUBJECT,
	  .anywhere = ROLE_OPERATOR, .refused = AUTHORIZATIONS_REFUSED,
	  .not_own = AUTHORIZATIONS_NOT_OWN },
	{ .action = ACCESS_AUTHORIZATION_LIST, .name = "authorization.list",
	  .roles = ROLE_SUBJECT | ROLE_OPERATOR, .console = 1, .owner = ACCESS_OWNER_SUBJECT,
	  .anywhere = ROLE_OPERATOR, .refused = AUTHORIZATIONS_REFUSED,
	  .not_own = AUTHORIZATIONS_NOT_OWN },
	/* A department submits its own data only; the console loads any department's. */
	{ .action = ACCESS_BATCH_SUBMIT, .name = "batch.submit", .roles = ROLE_SUBMITTER,
	  .dept_scopes = SCOPE_BATCHES_WRITE, .console = 1, .owner = ACCESS_OWNER_DEPT,
	  .refused = "只有报送员和有 batches:write 权限的令牌可以报送数据",
	  .not_own = "只能报送本部门的数据" },
	{ .action = ACCESS_BATCH_READ, .name = "batch.read", .roles = GOVERNMENT_ROLES,
	  .dept_scopes = SCOPE_BATCHES_READ, .console = 1, .owner = ACCESS_OWNER_DEPT,
	  .anywhere = PLATFORM_STAFF, .refused = "无权查看该批次" },
	{ .action = ACCESS_RECORD_HISTORY, .name = "record.history", .roles = GOVERNMENT_ROLES,
	  .dept_scopes = SCOPE_BATCHES_READ, .console = 1, .owner = ACCESS_OWNER_DEPT,
	  .anywhere = PLATFORM_STAFF, .refused = "无权查看该信用记录的历史" },
	{ .action = ACCESS_RECORD_TRANSFER, .name = "record.transfer", .roles = ROLE_OPERATOR,
	  .console = 1, .refused = "只有平台运营人员可以移交信用记录" },
	/* The disclosure rules of docs/security.md, composed by access_view_of. */
	{ .action = ACCESS_SUBJECT_READ_OWN, .name = "subject.read.own", .roles = ROLE_SUBJECT,
	  .console = 1, .owner = ACCESS_OWNER_SUBJECT,
	  .refused = "只有信用主体本人可以查看本主体的全部信息" },
	/* Whoever can hold an authorization: an organisation (a department, or an agency
	 * with a token); the authorization itself is looked up in the store. */
	{ .action = ACCESS_SUBJECT_READ_AUTHORIZED, .name = "subject.read.authorized",
	  .roles = ROLES_DEPT, .dept_scopes = SCOPE_SUBJECTS_READ,
	  .agency_scopes = SCOPE_SUBJECTS_READ,
	  .refused = "只有获得授权的部门或信用服务机构可以查看授权信息" },
	/* Agencies are not government bodies, and the auditor changes and reads nothing. */
	{ .action = ACCESS_SUBJECT_READ_SHARED, .name = "subject.read.shared",
	  .roles = GOVERNMENT_ROLES, .dept_scopes = SCOPE_SUBJECTS_READ, .console = 1,
	  .purpose = "查看非公开信息须说明查询事由：请在 purpose 参数中填写（如“行政许可审查”）；"
		     "只看公开信息请加 view=public",
	  .refused = "只有政府部门可以查看共享信息" },
	{ .action = ACCESS_SUBJECT_FULL_IDS, .name = "subject.full_ids", .roles = ROLE_HANDLER,
	  .dept_scopes = SCOPE_SUBJECTS_READ, .agency_scopes = SCOPE_SUBJECTS_READ, .console = 1,
	  .refused = "无权查看完整的个人身份信息" },
	{ .action = ACCESS_SUBJECT_FIND_PERSONS, .name = "subject.find_persons",
	  .roles = GOVERNMENT_ROLES, .dept_scopes = SCOPE_SUBJECTS_READ, .console = 1,
	  .purpose = "查找自然人须说明查询事由：请在 purpose 参数中填写（如“行政许可审查”）",
	  .refused = "只有政府部门可以查找自然人" },
	/* Case rules change deadlines for every department: only whoever holds the
	 * platform's database imports them. */
	{ .action = ACCESS_RULES_IMPORT, .name = "rules.import", .console = 1,
	  .refused = "只有平台运维人员可以在服务器上（xinyong rules import）导入办理规则" },
	/* The parties of a case (core/case_rules.h): who files, who acts for the applicant,
	 * the platform and the department.  An operator files and acts for a walk-in
	 * applicant (窗口受理). */
	{ .action = ACCESS_CASE_FILE, .name = "case.file", .roles = ROLE_SUBJECT | ROLE_OPERATOR,
	  .console = 1, .owner = ACCESS_OWNER_SUBJECT, .anywhere = ROLE_OPERATOR,
	  .refused = "只有信用主体本人或平台运营人员可以提出申请",
	  .not_own = "只能对本主体的信用记录提出申请" },
	{ .action = ACCESS_CASE_ACT_APPLICANT, .name = "case.act.applicant",
	  .roles = ROLE_SUBJECT, .console = 1, .owner = ACCESS_OWNER_SUBJECT,
	  .refused = "只有申请人可以执行该操作", .not_own = "只能办理本主体的申请" },
	{ .action = ACCESS_CASE_ACT_WALK_IN, .name = "case.act.walk_in", .roles = ROLE_OPERATOR,
	  .console = 1, .refused = "只有申请人或为其窗口受理的平台运营人员可以执行该操作" },
	{ .action = ACCESS_CASE_ACT_OPERATOR, .name = "case.act.operator", .roles = ROLE_OPERATOR,
	  .console = 1, .refused = "只有平台运营人员可以执行该操作" },
	{ .action = ACCESS_CASE_ACT_DEPT, .name = "case.act.dept", .roles = ROLE_HANDLER,
	  .console = 1, .owner = ACCESS_OWNER_DEPT,
	  .refused = "只有承办部门的经办人可以执行该操作", .not_own = "该申请不由本部门办理" },
	{ .action = ACCESS_CASE_LIST_ALL, .name = "case.list.all", .roles = PLATFORM_STAFF,
	  .console = 1, .refused = "只有平台运营人员可以查看全部申请" },
	{ .action = ACCESS_CASE_LIST_SUBJECT, .name = "case.list.subject", .roles = ROLE_SUBJECT,
	  .console = 1, .owner = ACCESS_OWNER_SUBJECT, .refused = "只有信用主体本人可以查看本主体的申请" },
	{ .action = ACCESS_CASE_LIST_DEPT, .name = "case.list.dept", .roles = ROLE_HANDLER,
	  .console = 1, .owner = ACCESS_OWNER_DEPT, .refused = "只有承办部门的经办人可以查看本部门承办的申请" },
	{ .action = ACCESS_STATEMENT_PUT, .name = "statement.put",
	  .roles = ROLE_SUBJECT | ROLE_OPERATOR, .console = 1, .owner = ACCESS_OWNER_SUBJECT,
	  .anywhere = ROLE_OPERATOR, .refused = "只有信用主体本人可以为信用记录添加说明",
	  .not_own = "只能为本主体的信用记录添加说明" },
};

#define RULE_COUNT (sizeof rules / sizeof rules[0])

const struct access_rule *access_table(size_t *count)
{
	*count = RULE_COUNT;
	return rules;
}

/* A scan: the table is short, and a row missing from it refuses rather than crashes
 * (tests/unit/test_access_table.c sees that none is). */
static const struct access_rule *access_rule_of(enum access_action act)
{
	size_t i;

	for (i = 0; i < RULE_COUNT; i++)
		if (rules[i].action == act)
			return &rules[i];
	return NULL;
}

static int access_names(const struct access_rule *r, const struct principal *who)
{
	switch (who->kind) {
	case PRINCIPAL_CLI:
		return r->console;
	case PRINCIPAL_USER:
		return (who->roles & r->roles) != 0;
	case PRINCIPAL_TOKEN:
		return (who->scopes & (who->agency_code[0] ? r->agency_scopes : r->dept_scopes)) != 0;
	case PRINCIPAL_ANONYMOUS:
	default:
		return 0;
	}
}

static int access_same(const char *mine, const char *theirs)
{
	return mine[0] && theirs && strcmp(mine, theirs) == 0;
}

static int access_owns(const struct access_rule *r, const struct principal *who,
		       const struct access_target *t)
{
	if (r->owner == ACCESS_OWNER_NONE || who->kind == PRINCIPAL_CLI ||
	    (who->kind == PRINCIPAL_USER && (who->roles & r->anywhere)))
		return 1;
	if (!t)
		return 0;
	if (r->owner == ACCESS_OWNER_SUBJECT)
		return access_same(who->subject_code, t->subject_code);
	return access_same(who->dept_code, t->dept_code);
}

enum access_verdict access_judge(const struct principal *who, enum access_action act,
				 const struct access_target *t)
{
	const struct access_rule *r = access_rule_of(act);

	if (!r || !access_names(r, who))
		return ACCESS_REFUSED;
	if (!access_owns(r, who, t))
		return ACCESS_NOT_OWN;
	/* The console holds the database: it owes no reason to itself. */
	if (r->purpose && who->kind != PRINCIPAL_CLI && !who->purpose[0])
		return ACCESS_NO_PURPOSE;
	return ACCESS_ALLOWED;
}

int access_may(const struct principal *who, enum access_action act,
	       const struct access_target *t)
{
	return access_judge(who, act, t) == ACCESS_ALLOWED;
}

int access_check(const struct principal *who, enum access_action act,
		 const struct access_target *t, struct err *e)
{
	const struct access_rule *r = access_rule_of(act);

	switch (access_judge(who, act, t)) {
	case ACCESS_ALLOWED:
		return 0;
	case ACCESS_NOT_OWN:
		return err_set(e, "auth.forbidden", "%s", r->not_own ? r->not_own : r->refused);
	case ACCESS_NO_PURPOSE:
		return err_set_field(e, "access.purpose_required", "purpose", "%s", r->purpose);
	case ACCESS_REFUSED:
	default:
		return err_set(e, "auth.forbidden", "%s",
			       r ? r->refused : "当前身份无权执行该操作");
	}
}
