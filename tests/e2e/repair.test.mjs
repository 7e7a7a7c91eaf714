// repair.test.mjs - credit repair (信用修复) in a real browser: on the subject's own page
// every negative record has 申请信用修复, greyed with the day it becomes available (a
// penalty decided last month) or the server's reason it never will (a revoked licence),
// enabled on a record past its minimum publicity; the subject files a repair with its
// statement, proof, the commitment and a contact; 我的申请 lists it beside an objection
// with its steps and due dates; an operator takes it from the intake queue, accepts and
// forwards it; a handler of the deciding department sees the record beside the evidence
// and approves; the record is gone from the public page and from a department officer's
// view, and the subject sees it 已修复; an operator's revocation publishes it again.
//
//   node tests/e2e/repair.test.mjs BUILD/xinyong SOURCE_ROOT
//
// Drives Debian's /usr/bin/chromium through playwright-core.  Fills a fresh database
// with `xinyong demo`, adds two penalties of its own with `xinyong ingest`, files an
// objection at the window with `xinyong case file`, creates the accounts with `xinyong
// user add`, starts `xinyong serve --rate-limit 0` with XINYONG_NOW fixed, then uses the
// pages as people would.  The tests run in order (one story) and each prints a line,
// then `N passed, M failed`; exits non-zero on any failure.  Screenshots at 1280 and 390
// pixels wide go to $XINYONG_E2E_SHOTS (default: a new temporary directory).

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
const TODAY = NOW.slice(0, 10);
// Decided last month: a 一般 penalty may be repaired three months after its decision.
const RECENT = '2026-11-20';
const RECENT_REPAIRABLE = '2027-02-20';
// A revoked licence: never repaired early (Order 58/36 no_early_repair).
const REVOKED_TYPE = '罚款;吊销许可证件';

const SUBJECT_USER = 'xiufu';
const SUBJECT_PASSWORD = 'Repair-Pearl-2026';
const OPERATOR_USER = 'chuangkou';
const OPERATOR_PASSWORD = 'Window-Desk-2026';
const HANDLER_USER = 'rending';
const HANDLER_PASSWORD = 'Decide-Desk-2026';
const REPAIR_TEXT = '本公司已于2026年4月缴清全部罚款，并完成污染治理设施整改，经复测排放达标。';
const CONTACT = '0758-2345000';
const REVOKE_REASON = '经核查，申请人提交的缴款凭证与银行记录不符，撤销修复决定。';

const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 390, height: 844 };

const PENALTY_COLUMNS = [
	'行政相对人名称', '行政相对人类别', '行政相对人代码_1(统一社会信用代码)', '法定代表人',
	'法定代表人证件类型', '法定代表人证件号码', '证件类型', '证件号码', '行政处罚决定书文号',
	'违法行为类型', '违法事实', '处罚依据', '处罚类别', '处罚内容', '罚款金额(万元)', '处罚决定日期',
	'处罚机关', '处罚机关统一社会信用代码', '数据来源单位', '数据来源单位统一社会信用代码',
];

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

// A resident ID number from its first 17 digits (GB 11643 check character).
function residentId(body17) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	const sum = [...body17].reduce((s, d, i) => s + Number(d) * w[i], 0);
	return body17 + '10X98765432'[sum % 11];
}

const csvCell = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

const NO_EARLY = ['吊销', '责令停产停业', '责令关闭', '限制开展生产经营活动', '限制从业', '降低资质等级'];

// A demo company, not one of the demo's own cases, with a published penalty that may be
// repaired today.
function findCompany(db, env) {
	const found = JSON.parse(xinyong(['search', '--db', db, '有限公司'], env));
	const busy = new Set((JSON.parse(xinyong(['case', '--db', db, 'list'], env)).cases || []).map((c) => c.subject));
	for (const hit of found.results || []) {
		if (hit.kind !== 'uscc' || busy.has(hit.code)) continue;
		const doc = JSON.parse(xinyong(['subject', 'show', '--db', db, '--compact', hit.code], env));
		const group = (doc.categories || []).find((g) => g.category === 'penalty');
		if (!group) continue;
		const ok = (group.records || []).filter((r) => r.publicity && r.publicity.status === 'published' &&
			r.publicity.repairable_from && r.publicity.repairable_from <= TODAY &&
			!NO_EARLY.some((t) => String(r.fields.penalty_type || '').includes(t)));
		if (ok.length >= 2) return { company: doc.subject, record: ok[0], objected: ok[1] };
	}
	throw new Error('no demo company with two repairable penalties');
}

// Two penalties of the company from the same department: one decided last month, one
// that revoked a licence.
function addPenalties(db, env, work, story) {
	const f = story.record.fields;
	const row = (no, type, date) => [story.company.name, '法人及非法人组织', story.company.code, f.legal_rep || '张三',
		'身份证', residentId('44120319800101123'), '', '', no, '超标排放大气污染物', '经查，当事人存在超标排放大气污染物的行为。',
		'《中华人民共和国大气污染防治法》第九十九条', type, '罚款人民币2万元', '2', date,
		f.authority || '肇庆市生态环境局', f.authority_code || story.record.dept_code,
		f.source_dept || f.authority || '肇庆市生态环境局', f.source_dept_code || f.authority_code || story.record.dept_code];
	const rows = [PENALTY_COLUMNS, row('肇环罚〔2026〕901号', '罚款', RECENT), row('肇环罚〔2026〕902号', REVOKED_TYPE, '2026-01-10')];
	const file = path.join(work, 'penalties.csv');
	writeFileSync(file, rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n');
	const doc = JSON.parse(xinyong(['ingest', '--db', db, '--category', 'penalty', '--dept', story.record.dept_code, file], env));
	if (doc.rejected !== 0 || doc.accepted !== 2) throw new Error('ingest: ' + JSON.stringify(doc));
	const shown = JSON.parse(xinyong(['subject', 'show', '--db', db, '--compact', story.company.code], env));
	const records = shown.categories.find((g) => g.category === 'penalty').records;
	story.recent = records.find((r) => r.fields.decision_no === '肇环罚〔2026〕901号');
	story.never = records.find((r) => r.fields.decision_no === '肇环罚〔2026〕902号');
	if (!story.recent || !story.never) throw new Error('the ingested penalties are not in the archive');
}

// ---- a tiny runner ------------------------------------------------------------------

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// Screenshots at both widths of `target(page)` (an element, else the whole page) after
// `prepare(page)` brought a fresh page of the context to the state to show.
async function shoot(browser, state, name, prepare, target) {
	for (const [suffix, viewport] of [['1280', WIDE], ['390', NARROW]]) {
		const context = await browser.newContext({ viewport, locale: 'zh-CN', storageState: state ? await state() : undefined });
		try {
			const page = await openPage(context);
			await prepare(page);
			if (viewport === NARROW) await fits(page);
			const file = path.join(story.shots, `${name}-${suffix}.png`);
			if (target) await target(page).screenshot({ path: file });
			else await page.screenshot({ path: file, fullPage: true });
			noProblems(page);
		} finally {
			await context.close();
		}
	}
}

const recordCard = (page, id) => page.locator(`li.record[data-record="${id}"]`);
const repairButton = (card) => card.getByRole('button', { name: '申请信用修复' });

// What the server says about repairing record `id`, asked from the page's session.
const eligibility = (page, id) => page.evaluate(async (rid) => (await fetch(`/api/v1/records/${rid}/repair`)).json(), id);

// ---- tests --------------------------------------------------------------------------

const story = { shots: '' };

test('the subject\'s page: severity and publicity end, 申请信用修复 greyed with its date or reason until eligible', async ({ browser, base }) => {
	story.context = await browser.newContext({ viewport: WIDE, locale: 'zh-CN' });
	const page = await openPage(story.context);
	story.page = page;
	story.state = () => story.context.storageState();
	await logIn(page, base, SUBJECT_USER, SUBJECT_PASSWORD);
	await page.goto(`${base}/#/subject/${story.company.code}`);

	// Decided last month: greyed, with the day it becomes available.
	const recent = recordCard(page, story.recent.id);
	const line = await recent.locator('.record__publicity').textContent();
	assert(line.includes(`失信严重程度：${story.recent.publicity.severity_label}`) && line.includes(`公示至 ${story.recent.publicity.until}`),
		'publicity line: ' + line);
	const early = repairButton(recent);
	await recent.locator('.repair-note').filter({ hasText: RECENT_REPAIRABLE }).waitFor();
	assert(await early.isDisabled(), 'repair offered before the minimum publicity');
	assert((await early.getAttribute('aria-describedby')) === `record-${story.recent.id}-repair-note`, 'the note does not describe the button');
	const answer = await eligibility(page, story.recent.id);
	assert(answer.eligible === false && answer.eligible_from === RECENT_REPAIRABLE, 'server: ' + JSON.stringify(answer));
	for (const m of answer.messages) assert((await recent.locator('.repair-note').textContent()).includes(m), 'message not shown: ' + m);
	await early.click({ force: true });
	assert(await recent.locator('form').count() === 0, 'a greyed button opens the form');

	// A revoked licence: greyed with the server's reason and no date to wait for.
	const never = recordCard(page, story.never.id);
	const why = await eligibility(page, story.never.id);
	assert(why.eligible === false && why.reasons.includes('repair.not_allowed'), 'server: ' + JSON.stringify(why));
	await never.locator('.repair-note').filter({ hasText: why.messages[0] }).waitFor();
	assert(await repairButton(never).isDisabled(), 'a record never repaired early is offered repair');

	// Past its minimum publicity: enabled.
	const ok = recordCard(page, story.record.id);
	await ok.locator('.repair-note').filter({ hasText: '可申请信用修复' }).waitFor();
	assert(await repairButton(ok).isEnabled(), 'an eligible record cannot be repaired');
	// Every negative record has the button; no other record has it.
	const negatives = await page.locator('li.record').evaluateAll((items) => items.length);
	const withButton = await page.locator('li.record').filter({ has: page.getByRole('button', { name: '申请信用修复' }) }).count();
	const penalties = await page.locator('section.category').filter({ has: page.getByRole('heading', { name: /行政处罚/ }) }).locator('li.record').count();
	assert(withButton >= penalties && withButton < negatives, `${withButton} buttons for ${penalties} penalties of ${negatives} records`);
	noProblems(page);

	// The public sees the severity and no buttons.
	const context = await browser.newContext({ locale: 'zh-CN' });
	try {
		const anon = await openPage(context);
		await anon.goto(`${base}/#/subject/${story.company.code}`);
		const card = recordCard(anon, story.recent.id);
		await card.locator('.record__publicity').filter({ hasText: '失信严重程度' }).waitFor();
		assert(await anon.getByRole('button', { name: '申请信用修复' }).count() === 0, 'the public is offered repair');
		noProblems(anon);
	} finally {
		await context.close();
	}
	await shoot(browser, story.state, 'repair-greyed', async (p) => {
		await p.goto(`${base}/#/subject/${story.company.code}`);
		const card = recordCard(p, story.recent.id);
		await card.locator('.repair-note').filter({ hasText: RECENT_REPAIRABLE }).waitFor();
		await card.locator('.record__own').scrollIntoViewIfNeeded();
	}, (p) => recordCard(p, story.recent.id));
});

test('filing: the statement, proof, the commitment and a contact, then the case and its proof', async ({ base, work }) => {
	const page = story.page;
	const card = recordCard(page, story.record.id);
	await repairButton(card).click();
	const form = card.locator('form.repair-form');
	await form.waitFor();
	const { commitment_text: commitment } = await eligibility(page, story.record.id);
	assert(commitment && (await form.locator('.commitment__text').textContent()) === commitment, 'commitment text not the server\'s');
	// Each missing part is asked for in Chinese before anything is sent.
	const submit = form.getByRole('button', { name: '提交修复申请' });
	const say = (text) => form.getByRole('alert').filter({ hasText: text }).waitFor();
	await submit.click();
	await say('请填写修复申请说明');
	await form.getByLabel('修复申请说明').fill(REPAIR_TEXT);
	await submit.click();
	await say('请上传至少一份证明材料');
	const pdf = path.join(work, '罚款缴纳凭证.pdf');
	writeFileSync(pdf, '%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
	await form.getByLabel('证明材料').setInputFiles(pdf);
	await submit.click();
	await say('请阅读信用修复承诺');
	await form.getByLabel('本主体已阅读并作出上述承诺').check();
	await submit.click();
	await say('请填写联系方式');
	await form.getByLabel('联系方式').fill(CONTACT);
	await page.screenshot({ path: path.join(story.shots, 'repair-form-1280.png'), fullPage: true });

	const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/cases') && r.request().method() === 'POST');
	await submit.click();
	const response = await created;
	assert(response.status() === 201, 'filing answered ' + response.status());
	const c = await response.json();
	const sent = JSON.parse(response.request().postData());
	assert(sent.kind === 'repair' && sent.record === story.record.id && sent.commitment === true && sent.contact === CONTACT &&
		sent.text === REPAIR_TEXT, 'filed: ' + JSON.stringify(sent));
	assert(c.kind === 'repair' && c.status === 'submitted' && Number.isInteger(c.id), 'case: ' + JSON.stringify(c).slice(0, 300));
	story.caseId = c.id;
	const done = card.locator('.filed');
	await done.waitFor();
	const told = await done.textContent();
	assert(told.includes('信用修复申请已提交') && told.includes(String(c.id)) && told.includes('已上传证明材料 1 份'), 'filed message: ' + told);
	if (c.due) assert(told.includes(c.due), 'due date not told: ' + told);
	await card.locator('.repair-mark').filter({ hasText: '待受理' }).filter({ hasText: String(c.id) }).waitFor();

	// After a reload: the case is linked, no second repair.
	await page.reload();
	const again = recordCard(page, story.record.id);
	await again.getByRole('link', { name: '查看修复办理进度' }).waitFor();
	assert(await repairButton(again).count() === 0, '申请信用修复 offered twice');
	assert((await eligibility(page, story.record.id)).reasons.includes('repair.pending'), 'the server does not see it pending');
	noProblems(page);

	await shoot(browser(), story.state, 'repair-form', async (p) => {
		await p.goto(`${base}/#/subject/${story.company.code}`);
		const other = p.locator('li.record').filter({ has: p.locator('.button--repair:not(.button--unavailable)') }).first();
		await other.locator('.repair-note').filter({ hasText: '可申请信用修复' }).waitFor();
		await repairButton(other).click();
		await other.getByLabel('修复申请说明').fill(REPAIR_TEXT);
		await other.getByRole('button', { name: '提交修复申请' }).click();
		await other.getByRole('alert').filter({ hasText: '请上传至少一份证明材料' }).waitFor();
	}, (p) => p.locator('form.repair-form'));
});

const browser = () => story.browser;

test('我的申请 lists the repair beside the objection, with its steps and due dates', async ({ base }) => {
	const page = story.page;
	await recordCard(page, story.record.id).getByRole('link', { name: '查看修复办理进度' }).click();
	await page.waitForURL(`${base}/cases.html#${story.caseId}`);
	const item = page.locator(`.case-item[data-id="${story.caseId}"]`);
	await item.waitFor();
	const text = await item.textContent();
	assert(text.includes('信用修复') && text.includes('待受理'), 'list item: ' + text);
	const objection = page.locator(`.case-item[data-id="${story.objection.id}"]`);
	assert((await objection.textContent()).includes('异议'), 'the objection is not listed: ' + (await page.locator('#case-list').textContent()));
	const detail = page.locator('#case-detail');
	await detail.getByRole('heading', { name: `申请编号 ${story.caseId}` }).waitFor();
	const c = await page.evaluate(async (id) => (await fetch('/api/v1/cases/' + id)).json(), story.caseId);
	const steps = await detail.locator('.steps__item').allTextContents();
	assert(steps.length === 4 && steps[0].includes('提交申请') && steps[0].includes('已完成'), 'steps: ' + steps.join(' | '));
	assert(steps[1].includes('平台受理') && (!c.due || steps[1].includes(c.due)), `step 2 without its due ${c.due}: ${steps[1]}`);
	assert(await detail.locator('.steps__item--current').count() === 1, 'not one step under way');
	assert((await detail.textContent()).includes(REPAIR_TEXT), 'the statement is not shown');
	await detail.getByRole('link', { name: '罚款缴纳凭证.pdf' }).waitFor();
	assert(await detail.getByRole('button', { name: '撤回申请' }).isVisible(), 'no 撤回 button');
	assert(await detail.getByRole('button', { name: '申请复核' }).count() === 0, '申请复核 offered on a repair');
	noProblems(page);
	await shoot(browser(), story.state, 'repair-cases', async (p) => {
		await p.goto(`${base}/cases.html#${story.caseId}`);
		await p.locator('#case-detail .steps').waitFor();
	});
});

async function buttons(detail) {
	return (await detail.locator('.action-bar button').allTextContents()).map((t) => t.trim());
}

test('an operator takes the repair from the intake queue, accepts and forwards it', async ({ base }) => {
	const context = await browser().newContext({ viewport: WIDE, locale: 'zh-CN' });
	story.operator = context;
	const page = await openPage(context);
	await logIn(page, base, OPERATOR_USER, OPERATOR_PASSWORD);
	await page.goto(base + '/console/');
	await page.locator('#inbox .case-item').first().waitFor();
	await page.getByRole('button', { name: '修复待受理' }).click();
	const item = page.locator(`#inbox .case-item[data-id="${story.caseId}"]`);
	await item.waitFor();
	await page.locator(`#inbox .case-item[data-id="${story.objection.id}"]`).waitFor({ state: 'detached' });
	for (const t of await page.locator('#inbox .case-item').allTextContents())
		assert(t.includes('信用修复') && t.includes('待受理'), 'intake queue holds ' + t);
	await item.click();
	const detail = page.locator('#detail');
	await detail.getByRole('heading', { name: `申请编号 ${story.caseId}` }).waitFor();
	await detail.locator('.repair-evidence').getByRole('link', { name: '罚款缴纳凭证.pdf' }).waitFor();
	assert((await detail.locator('.repair-evidence').textContent()).includes(REPAIR_TEXT), 'no statement beside the record');
	assert((await buttons(detail)).join(',') === '受理,不予受理', 'buttons: ' + (await buttons(detail)).join(','));
	await detail.getByRole('button', { name: '不予受理', exact: true }).click();
	await detail.getByRole('button', { name: '确认不予受理' }).click();
	await detail.getByRole('alert').filter({ hasText: '请填写不予受理的理由' }).waitFor();
	await detail.getByRole('button', { name: '取消' }).click();
	await detail.getByRole('button', { name: '受理', exact: true }).click();
	await detail.getByRole('button', { name: '确认受理' }).click();
	await detail.locator('.detail__head').getByText('已受理').waitFor();
	const accepted = await page.evaluate(async (id) => (await fetch('/api/v1/cases/' + id)).json(), story.caseId);
	if (accepted.result_due) await detail.locator('.detail__state').filter({ hasText: `结果期限 ${accepted.result_due}` }).waitFor();
	await detail.getByRole('button', { name: '转办', exact: true }).click();
	await detail.getByRole('button', { name: '确认转办' }).click();
	const forwarded = await page.evaluate(async (id) => (await fetch('/api/v1/cases/' + id)).json(), story.caseId);
	await detail.locator('.detail__head').getByText(forwarded.status_name).waitFor();
	assert(forwarded.status === 'forwarded' && forwarded.dept === story.record.dept_code, 'forwarded: ' + JSON.stringify(forwarded).slice(0, 300));
	assert((await buttons(detail)).length === 0, 'the operator may still act: ' + (await buttons(detail)).join(','));
	const steps = await detail.locator('.steps__item').allTextContents();
	assert(steps[2].includes('已完成') && (!forwarded.due || steps[3].includes(forwarded.due)), 'steps: ' + steps.join(' | '));
	noProblems(page);
	story.operatorPage = page;
});

test('a handler of the deciding department sees the record beside the evidence and approves', async ({ base }) => {
	const context = await browser().newContext({ viewport: WIDE, locale: 'zh-CN' });
	story.handler = context;
	const page = await openPage(context);
	await logIn(page, base, HANDLER_USER, HANDLER_PASSWORD);
	await page.goto(base + '/console/');
	await page.getByRole('button', { name: '修复待审核' }).click();
	const item = page.locator(`#inbox .case-item[data-id="${story.caseId}"]`);
	await item.waitFor();
	await item.click();
	const detail = page.locator('#detail');
	await detail.getByRole('heading', { name: `申请编号 ${story.caseId}` }).waitFor();
	// The record (its decision number, as stored) and the evidence side by side.
	const review = detail.locator('.repair-review');
	await review.locator('.record-box tr').filter({ hasText: story.record.fields.decision_no }).first().waitFor();
	await review.locator('.repair-evidence').getByRole('link', { name: '罚款缴纳凭证.pdf' }).waitFor();
	const [left, right] = await review.locator('.repair-review__col').evaluateAll((cols) => cols.map((c) => c.getBoundingClientRect()));
	assert(left && right && Math.abs(left.top - right.top) < 2 && right.left > left.right - 1, 'record and evidence are not side by side');
	assert((await buttons(detail)).join(',') === '作出决定', 'buttons: ' + (await buttons(detail)).join(','));
	await detail.getByRole('button', { name: '作出决定' }).click();
	const form = detail.locator('form.action-form');
	const outcomes = await form.getByLabel('处理结果').locator('option').allTextContents();
	assert(outcomes.join(',') === '请选择,准予信用修复,不予信用修复', 'outcomes: ' + outcomes.join(','));
	await form.getByLabel('处理结果').selectOption('reject');
	await form.getByRole('button', { name: '提交决定' }).click();
	await form.getByRole('alert').filter({ hasText: '不予信用修复必须填写理由' }).waitFor();
	await form.getByLabel('处理结果').selectOption('approve');
	await page.screenshot({ path: path.join(story.shots, 'repair-console-decide-1280.png'), fullPage: true });
	await form.getByRole('button', { name: '提交决定' }).click();
	// A decided repair is called by its outcome.
	await detail.locator('.detail__head').getByText('已修复').waitFor();
	const outcome = await detail.locator('.outcome').textContent();
	assert(outcome.includes('准予信用修复') && outcome.includes('停止公示'), 'outcome: ' + outcome);
	noProblems(page);
	await shoot(browser(), () => context.storageState(), 'repair-console-handler', async (p) => {
		await p.goto(`${base}/console/#${story.caseId}`);
		await p.locator('#detail .outcome').waitFor();
		await p.locator('#detail .record-box tr').first().waitFor();
	});
});

// Whether `page` (fresh or reloaded) shows the story's record on the company's page.
async function shownOnPage(page, base) {
	await page.goto(`${base}/#/subject/${story.company.code}`);
	await page.locator('li.record').first().waitFor();
	return (await recordCard(page, story.record.id).count()) === 1;
}

test('approval takes the record off the public page and a department\'s view; the subject sees it 已修复', async ({ base }) => {
	const context = await browser().newContext({ locale: 'zh-CN' });
	try {
		const anon = await openPage(context);
		assert(!(await shownOnPage(anon, base)), 'the public still sees the repaired record');
		assert(await recordCard(anon, story.recent.id).count() === 1, 'the subject\'s other records are gone too');
		noProblems(anon);
	} finally {
		await context.close();
	}
	const officer = await openPage(story.handler);
	assert(!(await shownOnPage(officer, base)), 'a department officer still sees the repaired record');
	noProblems(officer);

	const page = story.page;
	assert(await shownOnPage(page, base), 'the subject no longer sees its repaired record');
	const card = recordCard(page, story.record.id);
	await card.locator('.badge--repaired').filter({ hasText: '已修复' }).waitFor();
	assert(await repairButton(card).isDisabled(), 'a repaired record offers repair');
	const note = await card.locator('.repaired-note').textContent();
	assert(note.includes(`于 ${TODAY} 完成信用修复`) && note.includes(`申请编号 ${story.caseId}`), 'repaired note: ' + note);
	assert((await card.locator('.repaired-note').getByRole('link').getAttribute('href')) === `/cases.html#${story.caseId}`, 'no link to the repair');
	await page.goto(`${base}/cases.html#${story.caseId}`);
	await page.reload();
	const detail = page.locator('#case-detail');
	await detail.locator('.outcome').filter({ hasText: '准予信用修复' }).waitFor();
	assert((await page.locator(`.case-item[data-id="${story.caseId}"]`).textContent()).includes('已修复'), 'list item not 已修复');
	assert(await detail.locator('form.attach-form').count() === 0, 'a decided repair takes more files');
	assert(await detail.locator('.steps__item--done').count() === 4, 'not every step done: ' + (await detail.locator('.steps').textContent()));
	noProblems(page);
	await shoot(browser(), story.state, 'repair-subject-repaired', async (p) => {
		await p.goto(`${base}/#/subject/${story.company.code}`);
		await recordCard(p, story.record.id).locator('.badge--repaired').waitFor();
	}, (p) => recordCard(p, story.record.id));
});

test('an operator revokes the approval with a reason; the record is published again', async ({ base }) => {
	const page = story.operatorPage;
	await page.goto(`${base}/console/#${story.caseId}`);
	await page.reload();
	const detail = page.locator('#detail');
	await detail.locator('.outcome').waitFor();
	await detail.getByRole('button', { name: '撤销修复' }).click();
	await detail.getByRole('button', { name: '确认撤销修复' }).click();
	await detail.getByRole('alert').filter({ hasText: '请填写撤销理由' }).waitFor();
	await detail.getByLabel('撤销理由').fill(REVOKE_REASON);
	const answered = page.waitForResponse((r) => r.url().endsWith(`/cases/${story.caseId}/actions/revoke`));
	await detail.getByRole('button', { name: '确认撤销修复' }).click();
	const response = await answered;
	assert(response.status() === 200, 'revoke answered ' + response.status());
	const c = await response.json();
	assert(c.status === 'revoked', 'status: ' + c.status);
	await detail.locator('.detail__head').getByText(c.status_name).waitFor();
	assert((await detail.locator('.timeline').textContent()).includes(REVOKE_REASON), 'the reason is not in the history');
	noProblems(page);
	const context = await browser().newContext({ locale: 'zh-CN' });
	try {
		const anon = await openPage(context);
		assert(await shownOnPage(anon, base), 'the record is not published again');
		noProblems(anon);
	} finally {
		await context.close();
	}
});

// ---- main ---------------------------------------------------------------------------

async function main() {
	const work = mkdtempSync(path.join(tmpdir(), 'xinyong-e2e-repair-'));
	const shots = process.env.XINYONG_E2E_SHOTS || mkdtempSync(path.join(tmpdir(), 'xinyong-e2e-shots-'));
	mkdirSync(shots, { recursive: true });
	story.shots = shots;
	const db = path.join(work, 'e2e.db');
	const env = { ...process.env, XINYONG_NOW: NOW, TMPDIR: work };
	delete env.XINYONG_DB;
	let passed = 0;
	let failed = 0;
	let server;
	let chrome;

	try {
		xinyong(['demo', '--db', db, '--subjects', '40'], env);
		Object.assign(story, findCompany(db, env));
		addPenalties(db, env, work, story);
		// An objection of the same subject (filed at the window), for 我的申请 to list
		// beside the repair.
		story.objection = JSON.parse(xinyong(['case', '--db', db, 'file', '--record', String(story.objected.id),
			'--grounds', 'error', '--text', '处罚决定书文号有误。', '--contact', '0758-2223333'], env));
		addUser(db, env, SUBJECT_USER, ['--roles', 'subject', '--subject', story.company.code], SUBJECT_PASSWORD);
		addUser(db, env, OPERATOR_USER, ['--roles', 'operator'], OPERATOR_PASSWORD);
		addUser(db, env, HANDLER_USER, ['--roles', 'handler', '--dept', story.record.dept_code], HANDLER_PASSWORD);
		server = await startServer(binary, srcRoot, db, env);
		chrome = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
		story.browser = chrome;
	} catch (error) {
		console.log('FAIL setup: ' + error.message);
		if (chrome) await chrome.close();
		if (server) await stopServer(server);
		console.log('0 passed, 1 failed');
		process.exitCode = 1;
		return;
	}

	for (const t of tests) {
		try {
			await t.fn({ browser: chrome, base: server.base, work });
			passed++;
			console.log('ok   ' + t.name);
		} catch (error) {
			failed++;
			console.log('FAIL ' + t.name + ': ' + error.message.split('\n')[0]);
		}
	}
	console.log('     screenshots: ' + shots);

	for (const c of [story.context, story.operator, story.handler]) if (c) await c.close();
	await chrome.close();
	if (await stopServerClean(server)) passed++;
	else failed++;
	rmSync(work, { recursive: true, force: true });
	console.log(`${passed} passed, ${failed} failed`);
	process.exitCode = failed ? 1 : 0;
}

await main();
