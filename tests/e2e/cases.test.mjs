// cases.test.mjs - objections in a real browser, from filing to decision: a subject adds
// a statement to one of its records and files an objection against it on the public
// page (with an attachment); it follows the case in 我的申请 (cases.html); an operator
// accepts and forwards it in the console (/console/); a handler of the record's
// department reads the record and decides `correct`; the subject sees the outcome, and
// the public page no longer shows 异议处理中 but the corrected value.
//
//   node tests/e2e/cases.test.mjs BUILD/xinyong SOURCE_ROOT
//
// Drives Debian's /usr/bin/chromium through playwright-core.  Fills a fresh database
// with `xinyong demo`, creates the three accounts with `xinyong user add`, starts
// `xinyong serve --rate-limit 0` with XINYONG_NOW fixed, then uses the pages as people
// would.  The tests run in order (one story) and each prints a line, then
// `N passed, M failed`; exits non-zero on any failure.  Screenshots of every page at 1280
// and 390 pixels wide go to $XINYONG_E2E_SHOTS (default: a new temporary directory).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS, assert, startServer, stopServer, openPage, noProblems, logIn, fits, stopServerClean } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const binary = path.resolve(process.argv[2] ?? path.join(here, '../../build/xinyong'));
const srcRoot = path.resolve(process.argv[3] ?? path.join(here, '../..'));
const NOW = '2026-12-02T10:00:00';
const FILED_LONG_AGO = '2026-11-20T09:00:00';

const SUBJECT_USER = 'mingzhu';
const SUBJECT_PASSWORD = 'Bright-Pearl-2026';
const OPERATOR_USER = 'yunying';
const OPERATOR_PASSWORD = 'Platform-Desk-2026';
const HANDLER_USER = 'hechao';
const HANDLER_PASSWORD = 'Check-Desk-2026';
const STATEMENT = '本公司已于2026年4月缴清罚款并完成整改，经复查排放达标。';
const OBJECTION = '罚款金额有误：处罚决定书载明罚款 0.74 万元，公示为 7.4 万元，应更正为 0.74。';
const CONTACT = '0758-2345678';
const FIELD = 'fine';
const CORRECTED = '0.74';

const WIDE = { width: 1280, height: 900 };
// A 1x1 PNG: the signature, IHDR, one IDAT and IEND.
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const NARROW = { width: 390, height: 844 };

// ---- fixtures -----------------------------------------------------------------------

function xinyong(args, env, input) {
	const r = spawnSync(binary, args, { env, encoding: 'utf8', input });
	if (r.status !== 0)
		throw new Error(`xinyong ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
	return r.stdout;
}

function addUser(db, env, name, flags, password) {
	return JSON.parse(xinyong(['user', 'add', name, '--db', db, ...flags, '--password-stdin'], env, password + '\n'));
}

// A demo company with a published penalty record that holds the field to correct, and
// a published record of another company for a case filed at the window long ago.
// Companies the demo's own cases are about are left out, so that the story's are alone.
function findRecords(db, env) {
	const found = JSON.parse(xinyong(['search', '--db', db, '有限公司'], env));
	const busy = new Set((JSON.parse(xinyong(['case', '--db', db, 'list'], env)).cases || []).map((c) => c.subject));
	const out = {};
	for (const hit of found.results || []) {
		if (hit.kind !== 'uscc' || busy.has(hit.code)) continue;
		const doc = JSON.parse(xinyong(['subject', 'show', '--db', db, '--compact', hit.code], env));
		for (const group of doc.categories || []) {
			const published = (group.records || []).filter((r) => r.publicity && r.publicity.status === 'published');
			const record = published.find((r) => r.fields && r.fields[FIELD] && r.fields[FIELD] !== CORRECTED);
			if (!out.company && group.category === 'penalty' && record) {
				Object.assign(out, { company: doc.subject, record, labels: group.labels || {} });
				break;
			}
			if (out.company && !out.other && doc.subject.code !== out.company.code && published.length) {
				out.other = { company: doc.subject, record: published[0] };
				break;
			}
		}
		if (out.company && out.other) return out;
	}
	throw new Error('no demo companies with published records');
}

// ---- a tiny runner ------------------------------------------------------------------

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// Screenshots at both widths: `prepare(page)` brings a fresh page of the context to the
// state to show.
async function shoot(browser, story, name, prepare) {
	for (const [suffix, viewport] of [['1280', WIDE], ['390', NARROW]]) {
		const context = await browser.newContext({ viewport, locale: 'zh-CN', storageState: story.state ? await story.state() : undefined });
		try {
			const page = await openPage(context);
			await prepare(page);
			if (viewport === NARROW) await fits(page);
			await page.screenshot({ path: path.join(story.shots, `${name}-${suffix}.png`), fullPage: true });
			noProblems(page);
		} finally {
			await context.close();
		}
	}
}

// The record's card on the public subject page.
const recordCard = (page, id) => page.locator(`li.record[data-record="${id}"]`);

// ---- tests --------------------------------------------------------------------------

const story = { company: null, record: null, labels: {}, caseId: null, shots: '' };

test('anonymous visitors: no buttons on records, the console and 我的申请 ask to log in', async ({ browser, base }) => {
	const context = await browser.newContext({ locale: 'zh-CN' });
	try {
		const page = await openPage(context);
		await page.goto(`${base}/#/subject/${story.company.code}`);
		const card = recordCard(page, story.record.id);
		await card.waitFor();
		assert(await card.getByRole('button').count() === 0, 'an anonymous visitor sees buttons on a record');
		assert(!(await card.textContent()).includes('异议处理中'), 'a record is disputed before any objection');

		await page.goto(base + '/console/');
		const link = page.locator('#login-needed').getByRole('link', { name: '登录' });
		await link.waitFor();
		assert((await link.getAttribute('href')) === '/login.html?next=%2Fconsole%2F', 'console login link: ' + (await link.getAttribute('href')));
		await page.goto(base + '/cases.html');
		await page.locator('#login-needed').getByRole('link', { name: '登录' }).waitFor();
		noProblems(page);
	} finally {
		await context.close();
	}
});

test('the subject logs in through ?next= and adds a statement to its record', async ({ browser, base }) => {
	story.context = await browser.newContext({ viewport: WIDE, locale: 'zh-CN' });
	const page = await openPage(story.context);
	story.page = page;
	story.state = () => story.context.storageState();
	await page.goto(base + '/cases.html');
	await page.locator('#login-needed').getByRole('link', { name: '登录' }).click();
	await page.waitForURL(base + '/login.html?next=%2Fcases.html');
	await page.getByText('登录后将回到您刚才访问的页面').waitFor();
	await page.getByLabel('用户名').first().fill(SUBJECT_USER);
	await page.getByLabel('密码', { exact: true }).fill(SUBJECT_PASSWORD);
	await page.getByRole('button', { name: '登录', exact: true }).click();
	await page.waitForURL(base + '/cases.html');
	await page.getByText('您还没有提出过异议或信用修复申请。').waitFor();
	const nav = page.getByRole('navigation', { name: '账户' });
	assert(await nav.getByRole('link', { name: '我的申请' }).isVisible(), 'no 我的申请 in the header');

	await page.goto(base + '/me.html');
	await page.getByRole('link', { name: /我的申请（异议和信用修复办理进度）/ }).waitFor();
	assert(await page.getByRole('link', { name: '办理工作台' }).count() === 0, 'a subject is offered the console');

	await page.goto(`${base}/#/subject/${story.company.code}`);
	const card = recordCard(page, story.record.id);
	await card.getByRole('button', { name: '添加说明' }).click();
	const text = card.getByLabel('说明内容');
	await text.fill(STATEMENT);
	await card.getByText(`已输入 ${[...STATEMENT].length} / 500 字`).waitFor();
	assert((await text.getAttribute('maxlength')) === '500', 'the statement is not limited to 500');
	await card.getByRole('button', { name: '保存说明' }).click();
	await card.getByText('说明已保存').waitFor();
	const shown = card.locator('.statement');
	assert((await shown.textContent()).includes('主体说明') && (await shown.textContent()).includes(STATEMENT),
		'statement: ' + (await shown.textContent()));
	// It comes from the server: a reload and an anonymous visitor see it too.
	await page.reload();
	await recordCard(page, story.record.id).locator('.statement').filter({ hasText: STATEMENT }).waitFor();
	assert(await recordCard(page, story.record.id).getByRole('button', { name: '修改说明' }).isVisible(), 'no 修改说明 button');
	noProblems(page);
});

test('the subject files an objection with an attachment on the public page', async ({ base, work }) => {
	const page = story.page;
	const card = recordCard(page, story.record.id);
	await card.getByRole('button', { name: '提出异议' }).click();
	const form = card.locator('form');
	// Required fields are asked for in Chinese, before anything is sent.
	await form.getByRole('button', { name: '提交异议' }).click();
	await form.getByRole('alert').filter({ hasText: '请选择异议理由' }).waitFor();
	const grounds = await form.getByLabel('异议理由').locator('option').allTextContents();
	assert(grounds.join(',') === '请选择,信息错误,信息遗漏,信息重复,超过公示期限,不应列入名单,其他', 'grounds: ' + grounds.join(','));
	await form.getByLabel('异议理由').selectOption('error');
	await form.getByRole('button', { name: '提交异议' }).click();
	await form.getByRole('alert').filter({ hasText: '请填写异议内容' }).waitFor();
	await form.getByLabel('异议内容').fill(OBJECTION);
	await form.getByLabel('联系方式').fill(CONTACT);
	// A file of the wrong type is refused at once.
	const txt = path.join(work, '说明.txt');
	writeFileSync(txt, 'not a pdf');
	await form.getByLabel('证明材料（可选）').setInputFiles(txt);
	await form.getByRole('alert').filter({ hasText: '不是 PDF、JPEG 或 PNG 文件' }).waitFor();
	const pdf = path.join(work, '处罚决定书.pdf');
	writeFileSync(pdf, '%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
	await form.getByLabel('证明材料（可选）').setInputFiles(pdf);
	assert(await form.getByRole('alert').isHidden(), 'the error stays after a good file');
	await page.screenshot({ path: path.join(story.shots, 'subject-objection-form-1280.png'), fullPage: true });

	const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/cases') && r.request().method() === 'POST');
	await form.getByRole('button', { name: '提交异议' }).click();
	const answer = await (await created).json();
	const c = answer.case || answer;
	story.caseId = c.id;
	assert(Number.isInteger(c.id), 'no case id: ' + JSON.stringify(answer).slice(0, 200));
	const done = card.locator('.filed');
	await done.waitFor();
	await card.screenshot({ path: path.join(story.shots, 'subject-filed-1280.png') });
	const told = await done.textContent();
	assert(told.includes('异议已提交') && told.includes(String(c.id)), 'filed message: ' + told);
	if (c.due) assert(told.includes(c.due), 'due date not told: ' + told);
	assert(told.includes('已上传证明材料 1 份'), 'attachment not uploaded: ' + told);
	assert((await done.getByRole('link', { name: '前往我的申请' }).getAttribute('href')) === `/cases.html#${c.id}`, 'link to the case');
	// Until the platform accepts it, only the subject sees that it objected.
	await card.locator('.dispute--pending').filter({ hasText: '待受理' }).filter({ hasText: String(c.id) }).waitFor();
	assert(await card.locator('.badge--disputed').count() === 0, '异议处理中 before the case is accepted');

	// After a reload the subject's own cases tell the same; 提出异议 is gone, the case is
	// linked.
	await page.reload();
	const again = recordCard(page, story.record.id);
	await again.locator('.dispute--pending').filter({ hasText: String(c.id) }).waitFor();
	assert(await again.getByRole('button', { name: '提出异议' }).count() === 0, '提出异议 offered twice');
	assert(await again.getByRole('link', { name: '查看异议办理进度' }).isVisible(), 'no link to the case');
	noProblems(page);

	await shoot(story.browser, story, 'subject-form', async (p) => {
		await p.goto(`${base}/#/subject/${story.company.code}`);
		const other = p.locator('li.record').filter({ has: p.getByRole('button', { name: '提出异议' }) }).first();
		await other.getByRole('button', { name: '提出异议' }).click();
		await other.getByLabel('异议理由').selectOption('past_publicity');
		await other.getByRole('button', { name: '提交异议' }).click();
		await other.getByRole('alert').filter({ hasText: '请填写异议内容' }).waitFor();
		await other.scrollIntoViewIfNeeded();
	});
	await shoot(story.browser, story, 'subject', async (p) => {
		await p.goto(`${base}/#/subject/${story.company.code}`);
		await recordCard(p, story.record.id).locator('.dispute--pending').waitFor();
	});
});

test('我的申请 lists the case with its status, due date, history and attachments', async ({ base, work }) => {
	const page = story.page;
	await recordCard(page, story.record.id).getByRole('link', { name: '查看异议办理进度' }).click();
	await page.waitForURL(`${base}/cases.html#${story.caseId}`);
	const item = page.locator(`.case-item[data-id="${story.caseId}"]`);
	await item.waitFor();
	const text = await item.textContent();
	assert(text.includes('待受理') && text.includes('办理期限'), 'list item: ' + text);
	assert((await item.getAttribute('aria-current')) === 'true', 'the case of the link is not selected');
	const detail = page.locator('#case-detail');
	await detail.getByRole('heading', { name: `申请编号 ${story.caseId}` }).waitFor();
	assert((await detail.textContent()).includes(OBJECTION), 'the objection text is not shown');
	await detail.locator('.timeline').getByText('提交申请').waitFor();
	const link = detail.getByRole('link', { name: '处罚决定书.pdf' });
	assert((await link.getAttribute('href')).startsWith(`/api/v1/cases/${story.caseId}/attachments/`), 'attachment link');
	const file = await page.evaluate(async (href) => {
		const r = await fetch(href, { credentials: 'same-origin' });
		return { status: r.status, head: (await r.text()).slice(0, 5) };
	}, await link.getAttribute('href'));
	assert(file.status === 200 && file.head === '%PDF-', 'attachment download: ' + JSON.stringify(file));
	// More material later: a file whose content is not what its name says is refused by
	// the server, in Chinese, beside the form; a real PNG is added to the case.
	page.allowed = /Failed to load resource: the server responded with a status of 4(01|15)/;
	const fake = path.join(work, '营业执照.pdf');
	writeFileSync(fake, 'this is not a PDF');
	const attach = detail.locator('form.attach-form');
	await attach.getByLabel('补充证明材料').setInputFiles(fake);
	await attach.getByRole('button', { name: '上传' }).click();
	await attach.getByRole('alert').filter({ hasText: '营业执照.pdf' }).waitFor();
	const shownError = await attach.getByRole('alert').textContent();
	assert(/[\u4e00-\u9fff]/.test(shownError.replace('营业执照', '').replace('未能上传', '')), 'the server\'s reason is not shown: ' + shownError);
	const png = path.join(work, '缴款凭证.png');
	writeFileSync(png, Buffer.from(PNG_1X1, 'base64'));
	await attach.getByLabel('补充证明材料').setInputFiles(png);
	await attach.getByRole('button', { name: '上传' }).click();
	await detail.getByRole('link', { name: '缴款凭证.png' }).waitFor();
	await page.getByRole('status').filter({ hasText: '已上传 1 份材料' }).waitFor();
	page.allowed = /Failed to load resource: the server responded with a status of 401/;
	// The applicant may withdraw now (not tried: the story goes on).
	assert(await detail.getByRole('button', { name: '撤回申请' }).isVisible(), 'no 撤回 button');
	await disputedInPublic(story.browser, base, false);
	assert(await detail.getByRole('button', { name: '申请复核' }).count() === 0, '申请复核 offered before a decision');
	noProblems(page);
	await shoot(story.browser, story, 'cases', async (p) => {
		await p.goto(`${base}/cases.html#${story.caseId}`);
		await p.locator('#case-detail .timeline').waitFor();
	});
});

// The console's buttons, in order.
async function buttons(detail) {
	return (await detail.locator('.action-bar button').allTextContents()).map((t) => t.trim());
}

const ACTION_NAMES = { accept: '受理', refuse: '不予受理', forward: '转办', decide: '作出决定', review: '申请复核', withdraw: '撤回' };

// The console shows exactly the actions the API offers this user on the case, and those
// are `expected` (an online case: the operator does not act for its applicant).
async function sameButtons(page, detail, expected) {
	const offered = await page.evaluate(async (id) => (await (await fetch('/api/v1/cases/' + id)).json()).actions, story.caseId);
	const shown = await buttons(detail);
	assert(shown.join(',') === offered.map((a) => ACTION_NAMES[a] || a).join(','),
		`buttons ${shown.join(',')} for the actions ${offered.join(',')}`);
	assert(shown.join(',') === expected.join(','), `buttons ${shown.join(',')}, expected ${expected.join(',')}`);
}

// Whether an anonymous visitor sees the story's record marked 异议处理中.
async function disputedInPublic(browser, base, expected) {
	const context = await browser.newContext({ locale: 'zh-CN' });
	try {
		const page = await openPage(context);
		await page.goto(`${base}/#/subject/${story.company.code}`);
		const card = recordCard(page, story.record.id);
		await card.waitFor();
		const mark = card.locator('.dispute');
		if (expected) {
			await mark.waitFor();
			const text = await mark.textContent();
			assert(text.includes('异议处理中') && text.includes(`申请编号 ${story.caseId}`), 'public mark: ' + text);
			assert(await mark.getByRole('link').count() === 0, 'the public is linked to the case');
		} else {
			assert(!(await card.textContent()).includes('异议处理中'), 'the public page shows 异议处理中');
		}
		noProblems(page);
		return card;
	} finally {
		await context.close();
	}
}

test('an operator accepts and forwards the case in the console', async ({ browser, base }) => {
	const context = await browser.newContext({ viewport: WIDE, locale: 'zh-CN' });
	story.operator = context;
	const page = await openPage(context);
	await logIn(page, base, OPERATOR_USER, OPERATOR_PASSWORD);
	await page.getByRole('link', { name: '办理工作台' }).first().click();
	await page.waitForURL(base + '/console/');
	const item = page.locator(`#inbox .case-item[data-id="${story.caseId}"]`);
	await item.waitFor();
	assert((await item.textContent()).includes(story.company.name), 'inbox item: ' + (await item.textContent()));
	// By due date, the earliest first, cases without one last; every overdue case (the
	// window case filed long ago among them) says 已逾期 in words, and only those.
	const all = await page.evaluate(async () => (await (await fetch('/api/v1/cases?limit=500')).json()).cases);
	const overdue = new Set(all.filter((c) => c.overdue).map((c) => String(c.id)));
	assert(overdue.has(String(story.overdue.id)), 'the window case is not overdue: ' + JSON.stringify(story.overdue).slice(0, 200));
	const rows = await page.locator('#inbox .case-item').evaluateAll((as) => as.map((a) => ({
		id: a.dataset.id, text: a.textContent, due: (/办理期限 (\d{4}-\d{2}-\d{2})/.exec(a.textContent) || [])[1] || null,
	})));
	assert(rows.length === all.length, `inbox shows ${rows.length} of ${all.length} cases`);
	const dues = rows.map((r) => r.due);
	const sorted = [...dues].sort((a, b) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1));
	assert(dues.join() === sorted.join(), 'inbox not by due date: ' + dues.join(' '));
	for (const r of rows)
		assert(r.text.includes('已逾期') === overdue.has(r.id), `case ${r.id} overdue=${overdue.has(r.id)}: ${r.text}`);
	assert(!(await item.textContent()).includes('已逾期'), 'a new case is marked overdue');
	assert((await page.locator('#inbox-summary').textContent()).includes(`已逾期 ${overdue.size} 件`),
		'summary: ' + (await page.locator('#inbox-summary').textContent()));
	story.overdueCount = overdue.size;
	await item.click();
	const detail = page.locator('#detail');
	await detail.getByRole('heading', { name: `申请编号 ${story.caseId}` }).waitFor();
	let text = await detail.textContent();
	assert(text.includes(OBJECTION) && text.includes(CONTACT) && text.includes('信息错误'), 'case details missing');
	assert(await detail.getByRole('link', { name: '处罚决定书.pdf' }).isVisible(), 'no attachment link');
	await sameButtons(page, detail, ['受理', '不予受理']);

	// 不予受理 needs a reason: asked for before anything is sent.
	await detail.getByRole('button', { name: '不予受理', exact: true }).click();
	await detail.getByRole('button', { name: '确认不予受理' }).click();
	await detail.getByRole('alert').filter({ hasText: '请填写不予受理的理由' }).waitFor();
	await detail.getByRole('button', { name: '取消' }).click();

	await detail.getByRole('button', { name: '受理', exact: true }).click();
	await detail.getByLabel('受理意见（可选）').fill('材料齐全，予以受理。');
	await page.screenshot({ path: path.join(story.shots, 'console-accept-1280.png'), fullPage: true });
	await detail.getByRole('button', { name: '确认受理' }).click();
	await detail.locator('.detail__head').getByText('已受理').waitFor();
	await sameButtons(page, detail, ['不予受理', '转办', '作出决定']);
	// Accepted: now the public sees the record disputed, with the case number.
	await disputedInPublic(browser, base, true);
	await shoot(browser, { ...story, state: null }, 'subject-public-disputed', async (p) => {
		await p.goto(`${base}/#/subject/${story.company.code}`);
		await recordCard(p, story.record.id).locator('.badge--disputed').waitFor();
	});

	await detail.getByRole('button', { name: '转办', exact: true }).click();
	assert((await detail.locator('form.action-form').textContent()).includes(story.record.dept_code), 'forward does not name the department');
	await detail.getByRole('button', { name: '确认转办' }).click();
	await detail.locator('.detail__head').getByText('部门核查中').waitFor();
	await sameButtons(page, detail, []);
	assert(!(await buttons(detail)).includes('作出决定'), 'the operator may decide a forwarded case');
	text = await detail.locator('.timeline').textContent();
	assert(text.includes('受理') && text.includes('转办') && text.includes('材料齐全'), 'history: ' + text);
	await item.filter({ hasText: '部门核查中' }).waitFor();

	// The filters ask the server again.
	await page.getByLabel('状态').selectOption('submitted');
	await item.waitFor({ state: 'detached' });
	await page.getByLabel('状态').selectOption('');
	await item.waitFor();
	await page.getByLabel('仅看逾期').check();
	await item.waitFor({ state: 'detached' });
	await page.locator(`#inbox .case-item[data-id="${story.overdue.id}"]`).waitFor();
	const shown = await page.locator('#inbox .case-item').count();
	assert(shown === story.overdueCount, `仅看逾期 shows ${shown} cases, ${story.overdueCount} are overdue`);
	assert(await page.locator('#inbox .case-item--overdue').count() === shown, '仅看逾期 shows a case that is not overdue');
	await page.getByLabel('仅看逾期').uncheck();
	await item.waitFor();
	noProblems(page);
	story.operatorState = () => context.storageState();
});

test('a handler of the record\'s department reads the record and decides 更正', async ({ browser, base }) => {
	const context = await browser.newContext({ viewport: WIDE, locale: 'zh-CN' });
	story.handler = context;
	const page = await openPage(context);
	await logIn(page, base, HANDLER_USER, HANDLER_PASSWORD);
	await page.goto(`${base}/console/#${story.caseId}`);
	const detail = page.locator('#detail');
	await detail.getByRole('heading', { name: `申请编号 ${story.caseId}` }).waitFor();
	await page.locator(`#inbox .case-item[data-id="${story.caseId}"]`).waitFor();
	// The record as it is now, by the catalog's names.
	const record = detail.locator('.record-box');
	const label = story.labels[FIELD] || FIELD;
	const row = record.locator('tr').filter({ hasText: label }).first();
	await row.waitFor();
	assert((await row.textContent()).includes(String(story.record.fields[FIELD])), 'current value not shown: ' + (await row.textContent()));
	await sameButtons(page, detail, ['作出决定']);

	await detail.getByRole('button', { name: '作出决定' }).click();
	const form = detail.locator('form.action-form');
	const outcomes = await form.getByLabel('处理结果').locator('option').allTextContents();
	assert(outcomes.join(',') === '请选择,更正,补充,删除,停止公示,移出名单,驳回异议', 'outcomes: ' + outcomes.join(','));
	// 驳回异议 needs a reason.
	await form.getByLabel('处理结果').selectOption('reject');
	await form.getByRole('button', { name: '提交决定' }).click();
	await form.getByRole('alert').filter({ hasText: '驳回异议必须填写理由' }).waitFor();

	await form.getByLabel('处理结果').selectOption('correct');
	// A field the category does not have: the server's Chinese message beside the form.
	page.allowed = /Failed to load resource: the server responded with a status of 40[01]/;
	const pickOther = form.getByLabel('信息项', { exact: true });
	await pickOther.selectOption({ label: '其他信息项（输入字段代码）' });
	await form.getByLabel('其他信息项的字段代码').fill('no_such_field');
	await form.getByLabel('更正后的内容').fill('x');
	await form.getByRole('button', { name: '提交决定' }).click();
	await form.getByRole('alert').filter({ hasText: 'no_such_field' }).waitFor();
	page.allowed = /Failed to load resource: the server responded with a status of 401/;
	const pick = form.getByLabel('信息项', { exact: true });
	await pick.locator(`option[value="${FIELD}"]`).waitFor({ state: 'attached' });
	const choice = (await pick.locator(`option[value="${FIELD}"]`).textContent()).trim();
	assert(choice === `${label}（${FIELD}）`, 'the field is not offered by its name: ' + choice);
	await pick.selectOption(FIELD);
	await form.getByText(`当前内容：${story.record.fields[FIELD]}`).waitFor();
	await form.getByLabel('更正后的内容').fill(CORRECTED);
	await form.getByLabel('决定理由').fill('经核对处罚决定书，罚款金额应为 0.74 万元，予以更正。');
	await page.screenshot({ path: path.join(story.shots, 'console-decide-1280.png'), fullPage: true });
	await form.getByRole('button', { name: '提交决定' }).click();
	await detail.locator('.detail__head').getByText('已办结').waitFor();
	const outcome = await detail.locator('.outcome').textContent();
	assert(outcome.includes('更正') && outcome.includes(label) && outcome.includes(CORRECTED), 'outcome: ' + outcome);
	await sameButtons(page, detail, []);
	assert((await buttons(detail)).length === 0, 'the handler may still act');
	noProblems(page);
	// The public page from the console: a department's officer sees what the public sees.
	await page.getByRole('link', { name: '公示查询' }).click();
	await page.goto(`${base}/#/subject/${story.company.code}`);
	const card = recordCard(page, story.record.id);
	await card.waitFor();
	assert(await card.getByRole('button').count() === 0, 'buttons for a department officer');
	noProblems(page);
	story.handlerState = () => context.storageState();
	await shoot(browser, { ...story, state: story.handlerState }, 'console-handler', async (p) => {
		await p.goto(`${base}/console/#${story.caseId}`);
		await p.locator('#detail .outcome').waitFor();
		// The version the decision replaced, with the changed value marked.
		await p.locator('#detail details.version summary').first().click();
		await p.locator('#detail details.version tr.changed').first().waitFor();
	});
	await shoot(browser, { ...story, state: story.operatorState }, 'console-operator', async (p) => {
		await p.goto(`${base}/console/`);
		await p.locator(`#inbox .case-item[data-id="${story.caseId}"]`).click();
		await p.locator('#detail .timeline').waitFor();
	});
});

test('the subject sees the outcome; the public page shows the corrected record', async ({ browser, base }) => {
	const page = story.page;
	// The page shows this case already (a hash-only goto would not reload it).
	await page.goto(`${base}/cases.html#${story.caseId}`);
	await page.reload();
	const detail = page.locator('#case-detail');
	const outcome = detail.locator('.outcome');
	await outcome.waitFor();
	const text = await outcome.textContent();
	assert(text.includes('处理结果') && text.includes('更正') && text.includes(CORRECTED), 'outcome: ' + text);
	await outcome.getByText(story.labels[FIELD] || FIELD).waitFor();
	const item = page.locator(`.case-item[data-id="${story.caseId}"]`);
	assert((await item.textContent()).includes('已办结'), 'list item: ' + (await item.textContent()));
	const history = await detail.locator('.timeline').textContent();
	for (const step of ['提交申请', '受理', '转办', '作出决定'])
		assert(history.includes(step), `history lacks ${step}: ${history}`);
	assert(await detail.getByRole('button', { name: '撤回申请' }).count() === 0, '撤回 after the decision');
	if (await detail.getByRole('button', { name: '申请复核' }).count())
		assert((await detail.textContent()).includes('申请复核'), 'review offered without a word');
	noProblems(page);
	await shoot(browser, story, 'cases-decided', async (p) => {
		await p.goto(`${base}/cases.html#${story.caseId}`);
		await p.locator('#case-detail .outcome').waitFor();
	});

	const context = await browser.newContext({ locale: 'zh-CN' });
	try {
		const anon = await openPage(context);
		await anon.goto(`${base}/#/subject/${story.company.code}`);
		const card = recordCard(anon, story.record.id);
		await card.waitFor();
		const shown = await card.textContent();
		assert(!shown.includes('异议处理中'), 'the public page still shows 异议处理中');
		assert(shown.includes(CORRECTED), 'the corrected value is not shown: ' + shown);
		assert(shown.includes(STATEMENT), 'the statement is not shown to the public');
		assert(await card.getByRole('button').count() === 0, 'buttons for an anonymous visitor');
		noProblems(anon);
	} finally {
		await context.close();
	}
});

test('small screens: the login-needed console and the account page fit', async ({ browser, base }) => {
	await shoot(browser, { ...story, state: null }, 'console-anonymous', async (p) => {
		await p.goto(base + '/console/');
		await p.locator('#login-needed').waitFor();
	});
	await shoot(browser, story, 'me-subject', async (p) => {
		await p.goto(base + '/me.html');
		await p.getByRole('link', { name: /我的申请/ }).first().waitFor();
	});
});

// ---- main ---------------------------------------------------------------------------

async function main() {
	const work = mkdtempSync(path.join(tmpdir(), 'xinyong-e2e-cases-'));
	const shots = process.env.XINYONG_E2E_SHOTS || mkdtempSync(path.join(tmpdir(), 'xinyong-e2e-shots-'));
	mkdirSync(shots, { recursive: true });
	story.shots = shots;
	const db = path.join(work, 'e2e.db');
	const env = { ...process.env, XINYONG_NOW: NOW, TMPDIR: work };
	delete env.XINYONG_DB;
	let passed = 0;
	let failed = 0;
	let server;
	let browser;

	try {
		xinyong(['demo', '--db', db, '--subjects', '40'], env);
		Object.assign(story, findRecords(db, env));
		// Filed at the window eight working days ago and never accepted: overdue now.
		story.overdue = JSON.parse(xinyong(['case', '--db', db, 'file', '--record', String(story.other.record.id),
			'--grounds', 'past_publicity', '--text', '公示期已满，申请停止公示。', '--contact', '0758-2223333'],
		{ ...env, XINYONG_NOW: FILED_LONG_AGO }));
		addUser(db, env, SUBJECT_USER, ['--roles', 'subject', '--subject', story.company.code], SUBJECT_PASSWORD);
		addUser(db, env, OPERATOR_USER, ['--roles', 'operator'], OPERATOR_PASSWORD);
		addUser(db, env, HANDLER_USER, ['--roles', 'handler', '--dept', story.record.dept_code], HANDLER_PASSWORD);
		server = await startServer(binary, srcRoot, db, env);
		browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
		story.browser = browser;
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
			await t.fn({ browser, base: server.base, work });
			passed++;
			console.log('ok   ' + t.name);
		} catch (error) {
			failed++;
			console.log('FAIL ' + t.name + ': ' + error.message.split('\n')[0]);
		}
	}
	console.log('     screenshots: ' + shots);

	for (const c of [story.context, story.operator, story.handler]) if (c) await c.close();
	await browser.close();
	if (await stopServerClean(server)) passed++;
	else failed++;
	rmSync(work, { recursive: true, force: true });
	console.log(`${passed} passed, ${failed} failed`);
	process.exitCode = failed ? 1 : 0;
}

await main();
