// account.test.mjs - the account pages in a real browser: logging in (and a wrong
// password), the HttpOnly session cookie, a subject granting an authorization, a
// department user reading the subject's archive with a purpose and the subject seeing
// that read in its access log, revoking, logging out, activating an account with its
// one-time code and changing the password.
//
//   node tests/e2e/account.test.mjs BUILD/xinyong SOURCE_ROOT
//
// Drives Debian's /usr/bin/chromium through playwright-core (no bundled browser).  Fills
// a fresh database with `xinyong demo`, creates the accounts with `xinyong user add`,
// starts `xinyong serve --rate-limit 0` with XINYONG_NOW fixed, then uses the pages as
// people would.  The tests run in order and share the subject's browser context (one
// story); each prints a line, then `N passed, M failed`; exits non-zero on any failure.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS, accessibilityProblems, assert, startServer, stopServer, openPage, noProblems, logIn, stopServerClean } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const binary = path.resolve(process.argv[2] ?? path.join(here, '../../build/xinyong'));
const srcRoot = path.resolve(process.argv[3] ?? path.join(here, '../..'));
const NOW = '2026-03-05T10:00:00';
const NOW_SHOWN = '2026-03-05 10:00';

// The department that reads the subject's archive, and is granted its authorization.
const DEPT = '11440300MB2C874540';
const SUBJECT_USER = 'xinghe';
const SUBJECT_PASSWORD = 'Star-River-2026';
const ADMIN = 'guanli';
const ADMIN_PASSWORD = 'Admin-Desk-2026x';
const SUBMITTER = 'baosong';
const SUBMITTER_PASSWORD = 'Upload-Desk-2026';
const DEPT_USER = 'shenpi';
const DEPT_PASSWORD = 'Review-Desk-2026';
const NEW_USER = 'mingzhu';
const NEW_PASSWORD = 'Bright-Pearl-2026';
const NEWER_PASSWORD = '明珠-pearl-2027';
const PURPOSE_READ = '行政许可审查';
const PURPOSE_GRANT = '贷款审批';

// ---- fixtures -----------------------------------------------------------------------

function xinyong(args, env, input) {
	const r = spawnSync(binary, args, { env, encoding: 'utf8', input });
	if (r.status !== 0)
		throw new Error(`xinyong ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
	return r.stdout;
}

// `xinyong user add`; returns its JSON (with the activation code when no password).
function addUser(db, env, name, flags, password) {
	const args = ['user', 'add', name, '--db', db, ...flags];
	if (password) args.push('--password-stdin');
	return JSON.parse(xinyong(args, env, password ? password + '\n' : undefined));
}

// ---- a tiny runner ------------------------------------------------------------------

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// The refusals these tests provoke on purpose (401 for a wrong password or /me after
// logging out, 403 without a purpose, 400 and 422 for a bad code or a weak password) are
// expected in the console; anything else is a problem.
const REFUSALS = /Failed to load resource: the server responded with a status of 4(00|01|03|09|22)/;
const openAccountPage = (context) => openPage(context, REFUSALS);

// ---- tests --------------------------------------------------------------------------

// Shared by the story below: the subject's browser and the company it stands for.
const story = { context: null, page: null, company: null };

test('anonymous home page: a 登录 link, and no /api/v1/me request', async ({ browser, base }) => {
	const context = await browser.newContext();
	try {
		const page = await openAccountPage(context);
		const meCalls = [];
		page.on('request', (r) => { if (r.url().includes('/api/v1/me')) meCalls.push(r.url()); });
		await page.goto(base + '/');
		await page.getByRole('heading', { name: '公共信用信息查询' }).waitFor();
		const link = page.getByRole('navigation', { name: '账户' }).getByRole('link');
		assert((await link.textContent()).trim() === '登录', 'header link: ' + (await link.textContent()));
		assert((await link.getAttribute('href')) === '/login.html', 'href: ' + (await link.getAttribute('href')));
		await page.waitForLoadState('networkidle');
		assert(meCalls.length === 0, 'anonymous page asked /me: ' + meCalls.join(' '));
		noProblems(page);

		// The account page sends an anonymous visitor to the login page.
		await page.goto(base + '/me.html');
		await page.waitForURL(base + '/login.html');
		await page.getByRole('heading', { level: 1, name: '登录' }).waitFor();
		noProblems(page);
	} finally {
		await context.close();
	}
});

test('a wrong password shows the Chinese error message', async ({ browser, base }) => {
	const context = await browser.newContext();
	try {
		const page = await openAccountPage(context);
		await page.goto(base + '/login.html');
		assert((await page.title()) === '登录 - 信用信息查询', 'title: ' + (await page.title()));
		await page.getByRole('button', { name: '登录', exact: true }).click();
		await page.getByRole('alert').filter({ hasText: '请填写用户名' }).waitFor();
		await page.getByLabel('用户名').first().fill(SUBJECT_USER);
		await page.getByLabel('密码', { exact: true }).fill('Wrong-Password-1');
		await page.getByRole('button', { name: '登录', exact: true }).click();
		const alert = page.getByRole('alert').filter({ hasText: '用户名或密码不正确' });
		await alert.waitFor();
		assert(page.url() === base + '/login.html', 'left the login page: ' + page.url());
		assert((await page.getByLabel('密码', { exact: true }).inputValue()) === '',
			'the wrong password was left in the field');
		assert((await context.cookies()).every((c) => c.name !== 'xy_session'), 'a session cookie was set');
		noProblems(page);
	} finally {
		await context.close();
	}
});

test('the subject logs in; the session cookie is HttpOnly', async ({ browser, base, shots }) => {
	story.context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await openAccountPage(story.context);
	story.page = page;
	await logIn(page, base, SUBJECT_USER, SUBJECT_PASSWORD);
	// The wrong password of the test before is told now, to the owner, once.
	const notice = page.locator('#login-notice');
	assert(await notice.isVisible() && (await notice.textContent()).includes('有 1 次登录失败'),
		'since-last-login notice: ' + (await notice.textContent()));
	await page.reload();
	await page.getByRole('status').filter({ hasText: '已登录' }).waitFor();
	assert(!(await notice.isVisible()), 'the notice is shown again after a reload');
	const info = await page.locator('#user-info').textContent();
	assert(info.includes(SUBJECT_USER) && info.includes('信用主体') && info.includes(story.company.code),
		'account details: ' + info);
	const cookies = await story.context.cookies();
	const session = cookies.find((c) => c.name === 'xy_session');
	assert(session, 'no xy_session cookie: ' + JSON.stringify(cookies));
	assert(session.httpOnly === true, 'xy_session is not HttpOnly');
	assert(session.sameSite === 'Strict', 'SameSite: ' + session.sameSite);
	const visible = await page.evaluate(() => document.cookie);
	assert(!visible.includes('xy_session'), 'document.cookie exposes the session: ' + visible);
	const link = page.locator('#account-link');
	assert((await link.textContent()).trim() === SUBJECT_USER, 'header: ' + (await link.textContent()));
	await page.getByRole('heading', { name: '查询记录' }).waitFor();
	await page.getByRole('heading', { name: '查询授权' }).waitFor();
	assert(await page.getByText('暂无查询记录。').isVisible(), 'access log not empty at first');
	await page.screenshot({ path: path.join(shots, 'me-subject.png'), fullPage: true });
	noProblems(page);
});

test('the home page header shows the logged-in name', async ({ base }) => {
	const page = await openAccountPage(story.context);
	try {
		await page.goto(base + '/');
		const link = page.getByRole('navigation', { name: '账户' }).getByRole('link', { name: new RegExp(SUBJECT_USER) });
		await link.waitFor();
		assert((await link.textContent()).trim() === SUBJECT_USER, 'header: ' + (await link.textContent()));
		assert((await link.getAttribute('href')) === '/me.html', 'href: ' + (await link.getAttribute('href')));
		noProblems(page);
	} finally {
		await page.close();
	}
});

test('the subject grants an authorization through the form', async ({ base }) => {
	const page = story.page;
	// Its own archive is one click away.
	const archive = page.getByRole('link', { name: '本主体的信用信息' });
	assert((await archive.getAttribute('href')) === '/#/subject/' + story.company.code, 'archive link');
	// A grantee is found by its name in the department directory, which fills its code.
	const directory = await page.evaluate(async () => (await (await fetch('/api/v1/depts')).json()).depts);
	const env = directory.find((d) => d.name === '肇庆市生态环境局');
	assert(env, 'the demo directory lacks 肇庆市生态环境局');
	await page.getByLabel('按名称查找').focus();
	await page.waitForFunction(() => document.querySelectorAll('#grant-depts option').length > 0);
	await page.getByLabel('按名称查找').fill('肇庆市生态环境局');
	await page.getByLabel('按名称查找').dispatchEvent('change');
	await page.waitForFunction((code) => document.getElementById('grant-grantee').value === code, env.code);
	await page.getByLabel('按名称查找').fill('');
	await page.getByLabel('被授权机构代码').fill('');
	await page.getByLabel('用途').fill(PURPOSE_GRANT);
	await page.getByRole('button', { name: '授权', exact: true }).click();
	await page.getByRole('alert').filter({ hasText: '请填写被授权机构' }).waitFor();
	await page.getByLabel('被授权机构代码').fill('12345');
	await page.getByRole('button', { name: '授权', exact: true }).click();
	await page.getByRole('alert').filter({ hasText: '应为 18 位统一社会信用代码' }).waitFor();
	// A wrong check character: the server's Chinese message is shown.
	await page.getByLabel('被授权机构代码').fill(DEPT.slice(0, 17) + 'X');
	await page.getByRole('button', { name: '授权', exact: true }).click();
	const bad = page.getByRole('alert').filter({ hasText: '校验位' });
	await bad.waitFor();

	await page.getByLabel('被授权机构代码').fill(DEPT.toLowerCase());
	await page.getByLabel('有效期').selectOption('90d');
	await page.getByRole('button', { name: '授权', exact: true }).click();
	const row = page.locator('#auth-rows tr').filter({ hasText: DEPT });
	await row.waitFor();
	const text = await row.textContent();
	assert(text.includes(PURPOSE_GRANT) && text.includes('有效'), 'row: ' + text);
	assert(text.includes('2026-06-03'), '90 days after 2026-03-05 not shown: ' + text);
	await page.getByRole('status').filter({ hasText: `已授权 ${DEPT}` }).waitFor();
	assert(await bad.isHidden(), 'the old error is still shown');
	assert((await page.getByLabel('被授权机构代码').inputValue()) === '', 'form not reset');
	// The list survives a reload: it comes from the server.
	await page.reload();
	await page.locator('#auth-rows tr').filter({ hasText: DEPT }).waitFor();
	noProblems(page);
});

test('a department user reads the archive; the subject sees it in its access log', async ({ browser, base, shots }) => {
	const context = await browser.newContext();
	try {
		const dept = await openAccountPage(context);
		await logIn(dept, base, DEPT_USER, DEPT_PASSWORD);
		const info = await dept.locator('#user-info').textContent();
		assert(info.includes(DEPT) && info.includes('业务经办人员'), 'department account: ' + info);
		assert(await dept.locator('#access-section').isHidden(), 'a department user sees an access log');
		assert(await dept.locator('#auth-section').isHidden(), 'a department user sees authorizations');
		// Without a purpose a government user is refused; with one the read is recorded.
		const read = await dept.evaluate(async ([code, purpose]) => {
			const refused = await fetch('/api/v1/subjects/' + code, { credentials: 'same-origin' });
			const r = await fetch(`/api/v1/subjects/${code}?purpose=${encodeURIComponent(purpose)}`,
				{ credentials: 'same-origin' });
			return { refused: refused.status, status: r.status, body: await r.json() };
		}, [story.company.code, PURPOSE_READ]);
		assert(read.refused === 403, 'read without a purpose: ' + read.refused);
		assert(read.status === 200 && read.body.subject.code === story.company.code,
			'read: ' + read.status + ' ' + JSON.stringify(read.body).slice(0, 200));
		noProblems(dept);
	} finally {
		await context.close();
	}

	const page = story.page;
	await page.reload();
	const row = page.locator('#access-rows tr').filter({ hasText: PURPOSE_READ });
	await row.waitFor();
	const cells = await row.locator('td').allTextContents();
	assert(cells.length === 4, 'cells: ' + cells.join(' | '));
	assert(cells[0].startsWith(NOW_SHOWN), '查询时间: ' + cells[0]);
	assert(cells[1].includes('政府部门') && cells[1].includes(DEPT), '查询机构: ' + cells[1]);
	assert(cells[2] === '业务经办人员', '身份: ' + cells[2]);
	assert(cells[3] === PURPOSE_READ, '查询事由: ' + cells[3]);
	const headers = await page.locator('#access-table thead th').allTextContents();
	assert(headers.join(',') === '查询时间,查询机构,身份,查询事由', 'columns: ' + headers.join(','));
	// The subject's own looks are not listed, and no staff member is named.
	assert(!(await page.locator('#access-table').textContent()).includes(DEPT_USER), 'staff member named');
	await page.screenshot({ path: path.join(shots, 'me-access-log.png'), fullPage: true });
	noProblems(page);
});

test('a department user chooses a 查询事由 on the subject page, kept for the session', async ({ browser, base, shots }) => {
	const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
	try {
		const page = await openAccountPage(context);
		await logIn(page, base, DEPT_USER, DEPT_PASSWORD);
		await page.goto(`${base}/#/subject/${story.company.code}`);
		const bar = page.locator('#purpose-bar');
		await bar.waitFor();
		assert((await page.locator('#purpose-state').textContent()).includes('公开信息'),
			'without a purpose: ' + await page.locator('#purpose-state').textContent());
		assert(await page.locator('#purpose-public').isHidden(), '只看公开信息 offered while public');
		// Nothing chosen: the page says what to do, and reads nothing more.
		await page.getByRole('button', { name: '查看共享信息' }).click();
		await page.locator('#purpose-error').filter({ hasText: '请先选择查询事由' }).waitFor();
		await page.selectOption('#purpose-select', 'other');
		await page.getByRole('button', { name: '查看共享信息' }).click();
		await page.locator('#purpose-error').filter({ hasText: '请填写查询事由' }).waitFor();
		await page.getByLabel('其他查询事由').fill('企业信用承诺核查');
		const read = page.waitForResponse((r) => r.url().includes('purpose=') && r.url().includes(story.company.code));
		await page.getByRole('button', { name: '查看共享信息' }).click();
		const answer = await read;
		assert(answer.status() === 200 && decodeURIComponent(answer.url()).includes('企业信用承诺核查'),
			'the purpose is sent: ' + answer.url());
		await page.locator('#purpose-state').filter({ hasText: '查询事由：企业信用承诺核查' }).waitFor();
		await page.screenshot({ path: path.join(shots, 'subject-purpose-390.png') });
		// Kept for the session: another visit sends it again without asking.
		await page.reload();
		await page.locator('#purpose-state').filter({ hasText: '企业信用承诺核查' }).waitFor();
		assert(await page.locator('#purpose-other').inputValue() === '企业信用承诺核查', 'the free text is kept');
		// And the public view is one click away.
		const pub = page.waitForResponse((r) => r.url().includes('view=public'));
		await page.getByRole('button', { name: '只看公开信息' }).click();
		await pub;
		await page.locator('#purpose-state').filter({ hasText: '公开信息' }).waitFor();
		noProblems(page);
	} finally {
		await context.close();
	}
});

// A department file with one good row and one whose decision date does not exist, in the
// catalog's own column names (data/catalog/penalty.json).
function uploadFile(dir) {
	const cat = JSON.parse(readFileSync(path.join(srcRoot, 'data/catalog/penalty.json'), 'utf8'));
	const good = {
		party_name: story.company.name, party_type: '法人及非法人组织', party_code: story.company.code,
		legal_rep: '陈志强', decision_no: '深市监罚〔2026〕7001号', violation_type: '虚假宣传',
		facts: '发布虚假广告', basis: '《中华人民共和国广告法》第五十五条', penalty_type: '罚款',
		content: '罚款人民币2万元', fine: '2', decision_date: '2026-03-01', authority: '深圳市市场监督管理局',
		authority_code: DEPT, source_dept: '深圳市市场监督管理局', source_dept_code: DEPT,
	};
	const bad = { ...good, decision_no: '深市监罚〔2026〕7002号', decision_date: '2026-02-30' };
	const line = (r) => cat.fields.map((f) => r[f.id] ?? '').join(',');
	const file = path.join(dir, '深圳市场监管-处罚.csv');
	writeFileSync(file, [cat.fields.map((f) => f.name).join(','), line(good), line(bad)].join('\r\n') + '\r\n');
	return file;
}

test('a submitter uploads a file: the category from its header, progress, summary and rejects', async ({ browser, base, shots }) => {
	const context = await browser.newContext();
	try {
		const page = await openAccountPage(context);
		await logIn(page, base, SUBMITTER, SUBMITTER_PASSWORD);
		await page.getByRole('link', { name: '数据报送' }).click();
		await page.waitForURL(base + '/upload.html');
		await page.getByRole('heading', { name: '上传文件' }).waitFor();
		await page.setInputFiles('#file', uploadFile(story.work));
		await page.locator('#suggestion').filter({ hasText: '根据表头推荐：行政处罚' }).waitFor();
		assert((await page.locator('#category').inputValue()) === 'penalty', 'the suggested category');
		await page.getByRole('button', { name: '上传并入库' }).click();
		await page.getByRole('heading', { name: '入库结果' }).waitFor();
		const summary = await page.locator('#summary').textContent();
		assert(/总行数2/.test(summary) && /入库1/.test(summary) && /拒收1/.test(summary), 'summary: ' + summary);
		const rows = await page.locator('#rejects tr').allTextContents();
		assert(rows.length >= 1 && rows.every((r) => r.startsWith('3')) && rows.some((r) => r.includes('处罚决定日期')),
			'rejects: ' + rows.join(' | '));
		assert((await page.locator('#progress').getAttribute('value')) === '100', 'progress bar');
		const csv = await page.evaluate(async (href) => {
			const r = await fetch(href, { credentials: 'same-origin' });
			return { type: r.headers.get('content-type'), text: await r.text() };
		}, await page.locator('#rejects-csv').getAttribute('href'));
		assert(csv.type.startsWith('text/csv') && csv.text.includes('date.'), 'rejects CSV: ' + JSON.stringify(csv).slice(0, 200));
		await page.screenshot({ path: path.join(shots, 'upload.png'), fullPage: true });
		const a11y = await accessibilityProblems(page);
		await page.goto(base + '/me.html');
		await page.getByRole('heading', { name: '账户信息' }).waitFor();
		a11y.push(...await accessibilityProblems(page));
		assert(a11y.length === 0, 'accessibility: ' + a11y.join(' | '));
		noProblems(page);
	} finally {
		await context.close();
	}
});

test('an administrator opens an account (its activation code shown once) and disables it', async ({ browser, base, shots }) => {
	const context = await browser.newContext();
	try {
		const page = await openAccountPage(context);
		page.on('dialog', (dialog) => dialog.accept());
		await logIn(page, base, ADMIN, ADMIN_PASSWORD);
		await page.getByRole('link', { name: '账户管理' }).click();
		await page.waitForURL(base + '/console/users.html');
		await page.locator(`#users tr[data-name="${SUBMITTER}"]`).waitFor();
		// Nothing chosen: the page says what is missing before asking the server.
		await page.getByLabel('用户名').fill('jingban2');
		await page.getByRole('button', { name: '开设' }).click();
		await page.locator('#create-error').filter({ hasText: '请至少选择一种身份' }).waitFor();
		await page.getByLabel('业务经办人员').check();
		await page.getByLabel('所属部门代码').fill(DEPT);
		await page.getByRole('button', { name: '开设' }).click();
		const created = page.locator('#created');
		await created.filter({ hasText: '已开设' }).waitFor();
		const code = await created.locator('.activation').textContent();
		assert(code && code.trim().length >= 8, 'activation code: ' + code);
		const row = page.locator('#users tr[data-name="jingban2"]');
		await row.waitFor();
		assert((await row.textContent()).includes('待激活'), 'new account state: ' + await row.textContent());
		assert((await page.getByLabel('用户名').inputValue()) === '', 'the form is reset');
		await page.screenshot({ path: path.join(shots, 'users.png'), fullPage: true });
		await row.getByRole('button', { name: '停用' }).click();
		await row.filter({ hasText: '已停用' }).waitFor();
		assert((await accessibilityProblems(page)).length === 0, 'accessibility of the users page');
		noProblems(page);
	} finally {
		await context.close();
	}
});

test('the subject revokes the authorization', async () => {
	const page = story.page;
	const button = page.getByRole('button', { name: new RegExp(`撤销对 ${DEPT} 的授权`) });
	let asked = '';
	page.once('dialog', (dialog) => { asked = dialog.message(); dialog.accept(); });
	await button.click();
	const row = page.locator('#auth-rows tr').filter({ hasText: DEPT });
	await row.filter({ hasText: '已撤销' }).waitFor();
	assert(asked.includes(DEPT), 'no confirmation asked: ' + asked);
	assert((await row.getByRole('button').count()) === 0, 'a revoked authorization still has a button');
	await page.getByRole('status').filter({ hasText: `已撤销对 ${DEPT} 的授权` }).waitFor();
	noProblems(page);
});

test('logging out goes back to the login page', async ({ base }) => {
	const page = story.page;
	await page.getByRole('button', { name: '退出登录' }).click();
	await page.waitForURL(base + '/login.html?from=logout');
	await page.getByText('您已退出登录。').waitFor();
	assert((await story.context.cookies()).every((c) => c.name !== 'xy_session' || c.value === ''),
		'the session cookie is still set');
	await page.goto(base + '/me.html');
	await page.waitForURL(/\/login\.html/);
	await page.goto(base + '/');
	const link = page.getByRole('navigation', { name: '账户' }).getByRole('link');
	assert((await link.textContent()).trim() === '登录', 'header after logout: ' + (await link.textContent()));
	noProblems(page);
	await story.context.close();
	story.context = story.page = null;
});

test('activating an account with its one-time code', async ({ browser, base, shots }) => {
	const context = await browser.newContext();
	try {
		const page = await openAccountPage(context);
		await page.goto(base + '/login.html');
		const form = page.locator('#activate-form');
		await form.getByLabel('用户名').fill(NEW_USER);
		await form.getByLabel('激活码').fill(story.activation);
		await form.getByLabel('新密码', { exact: true }).fill('short1A');
		await form.getByLabel('确认新密码').fill('short1A');
		const policy = await form.getByLabel('新密码', { exact: true }).getAttribute('aria-describedby');
		assert((await page.locator('#' + policy).textContent()).includes('至少 10 个字符'), 'policy not stated');
		await page.screenshot({ path: path.join(shots, 'login.png'), fullPage: true });
		await page.getByRole('button', { name: '激活并登录' }).click();
		await form.getByRole('alert').filter({ hasText: '密码过短' }).waitFor();
		await form.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD);
		await form.getByLabel('确认新密码').fill(NEW_PASSWORD + 'x');
		await page.getByRole('button', { name: '激活并登录' }).click();
		await form.getByRole('alert').filter({ hasText: '两次输入的新密码不一致' }).waitFor();
		await form.getByLabel('确认新密码').fill(NEW_PASSWORD);
		await page.getByRole('button', { name: '激活并登录' }).click();
		await page.waitForURL(base + '/me.html');
		await page.getByRole('status').filter({ hasText: '已登录' }).waitFor();
		assert((await page.locator('#user-info').textContent()).includes(NEW_USER), 'not logged in as the new user');
		noProblems(page);
	} finally {
		await context.close();
	}
});

test('changing the password ends the session; the new one logs in', async ({ browser, base }) => {
	const context = await browser.newContext();
	try {
		const page = await openAccountPage(context);
		await logIn(page, base, NEW_USER, NEW_PASSWORD);
		const form = page.locator('#password-form');
		await form.getByLabel('当前密码').fill('Not-The-Password-1');
		await form.getByLabel('新密码', { exact: true }).fill(NEWER_PASSWORD);
		await form.getByLabel('确认新密码').fill(NEWER_PASSWORD);
		await form.getByRole('button', { name: '修改密码' }).click();
		await form.getByRole('alert').filter({ hasText: '当前密码不正确' }).waitFor();
		await form.getByLabel('当前密码').fill(NEW_PASSWORD);
		await form.getByRole('button', { name: '修改密码' }).click();
		await page.waitForURL(base + '/login.html?from=password');
		await page.getByText('密码已修改').waitFor();
		await logIn(page, base, NEW_USER, NEWER_PASSWORD);
		noProblems(page);
	} finally {
		await context.close();
	}
});

test('small screen: the account page fits', async ({ browser, base, shots }) => {
	const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
	try {
		const page = await openAccountPage(context);
		await logIn(page, base, SUBJECT_USER, SUBJECT_PASSWORD);
		await page.locator('#access-rows tr').first().waitFor();
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert(overflow <= 0, `page wider than the screen by ${overflow}px`);
		await page.screenshot({ path: path.join(shots, 'me-mobile.png'), fullPage: true });
		noProblems(page);
	} finally {
		await context.close();
	}
});

// ---- main ---------------------------------------------------------------------------

async function main() {
	const work = mkdtempSync(path.join(tmpdir(), 'xinyong-e2e-account-'));
	const shots = mkdtempSync(path.join(tmpdir(), 'xinyong-e2e-shots-'));
	const db = path.join(work, 'e2e.db');
	const env = { ...process.env, XINYONG_NOW: NOW, TMPDIR: work };
	delete env.XINYONG_DB;
	let passed = 0;
	let failed = 0;
	let server;
	let browser;

	try {
		xinyong(['demo', '--db', db, '--subjects', '40'], env);
		// One demo company: the first company the search finds.
		const found = JSON.parse(xinyong(['search', '--db', db, '有限公司'], env));
		story.company = (found.results || []).find((r) => r.kind === 'uscc');
		if (!story.company) throw new Error('no demo company found: ' + JSON.stringify(found).slice(0, 300));
		addUser(db, env, SUBJECT_USER, ['--roles', 'subject', '--subject', story.company.code], SUBJECT_PASSWORD);
		addUser(db, env, DEPT_USER, ['--roles', 'handler', '--dept', DEPT], DEPT_PASSWORD);
		addUser(db, env, SUBMITTER, ['--roles', 'submitter', '--dept', DEPT], SUBMITTER_PASSWORD);
		addUser(db, env, ADMIN, ['--roles', 'admin'], ADMIN_PASSWORD);
		story.work = work;
		story.activation = addUser(db, env, NEW_USER, ['--roles', 'subject', '--subject', story.company.code])
			.activation_code;
		if (!story.activation) throw new Error('no activation code printed');
		server = await startServer(binary, srcRoot, db, env);
		browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
	} catch (error) {
		console.log('FAIL setup: ' + error.message);
		if (browser) await browser.close();
		if (server) await stopServer(server);
		console.log('0 passed, 1 failed');
		process.exitCode = 1;
		return;
	}

	for (const t of tests) {
		try {
			await t.fn({ browser, base: server.base, shots });
			passed++;
			console.log('ok   ' + t.name);
		} catch (error) {
			failed++;
			console.log('FAIL ' + t.name + ': ' + error.message.split('\n')[0]);
		}
	}
	console.log('     screenshots: ' + shots);

	if (story.context) await story.context.close();
	await browser.close();
	if (await stopServerClean(server)) passed++;
	else failed++;
	rmSync(work, { recursive: true, force: true });
	console.log(`${passed} passed, ${failed} failed`);
	process.exitCode = failed ? 1 : 0;
}

await main();
