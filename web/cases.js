// cases.js - 我的申请: the objections and credit repairs the logged-in subject filed (GET
// /api/v1/cases?kind=objection and ?kind=repair, shown together, newest first), each
// with its status, due date, history, attachments and outcome (GET /api/v1/cases/{id}),
// a repair also with its steps and the due date of each (提交申请, 平台受理, 部门核查,
// 作出决定: `due` for the step under way, `result_due` for the result), and the actions
// the case offers its applicant now: 撤回 (withdraw, after a confirmation) and 申请复核
// (review of an objection, with a note).
//
// The selected case is in the location hash (#12), so that a link from the subject page
// ("查看异议办理进度") or after filing opens it.  Nobody logged in: a link to log in
// that comes back here.

import { api, currentUser, displayName, el, formatTime, loginHref, showAccountLink, showMessage, upload, userSubject } from './api.js';
import {
	CHANNELS, GROUNDS, attachForm, caseProgress, categoryName, fieldLabels, isRepair, kindName, nameOf, overdueBadge,
	renderAttachments, renderHistory, renderOutcome, renderSteps, statusBadge,
} from './case_common.js';

const $ = (id) => document.getElementById(id);

// The actions an applicant takes on this page; any other is the platform's.
const APPLICANT_ACTIONS = ['review', 'withdraw'];

// The kinds listed, each with its own cursor (a kind the server does not know yet is
// left out).
const KIND_IDS = ['objection', 'repair'];
let cases = [];
let cursors = {};
let selected = null;
const hasMore = () => Object.values(cursors).some(Boolean);

function setStatus(text) {
	$('status').textContent = text;
}

// A call whose session has ended sends the visitor to log in again.
function failed(error, box) {
	if (error.status === 401) {
		location.replace(loginHref());
		return;
	}
	if (box) {
		box.textContent = error.message;
		box.hidden = false;
	} else {
		showMessage('page-error', error.message);
	}
}

async function busy(button, work) {
	button.disabled = true;
	try {
		await work();
	} finally {
		button.disabled = false;
	}
}

// ---- the list -----------------------------------------------------------------------

function caseItem(c) {
	const progress = caseProgress(c);
	const link = el('a', { class: 'case-item' + (c.overdue ? ' case-item--overdue' : ''), href: '#' + c.id, 'data-id': String(c.id) },
		el('span', { class: 'case-item__top' },
			el('span', { class: 'case-item__id', text: `申请编号 ${c.id}` }),
			statusBadge(c),
			overdueBadge(c)),
		el('span', { class: 'case-item__what', text: isRepair(c)
			? `信用修复 · ${categoryName(c.category)} · 记录 ${c.record}`
			: `异议 · ${categoryName(c.category)} · 记录 ${c.record} · ${nameOf(GROUNDS, c.grounds)}` }),
		el('span', { class: 'case-item__meta' },
			progress.text === (c.status_name || '') ? null : el('span', { class: 'badge ' + progress.cls, text: progress.text }),
			el('span', { class: 'muted', text: `提交于 ${formatTime(c.created_at).slice(0, 10)}` })));
	if (selected === c.id) link.setAttribute('aria-current', 'true');
	return el('li', {}, link);
}

function renderList() {
	$('case-list').replaceChildren(...cases.map(caseItem));
	$('case-empty').hidden = cases.length !== 0;
	$('case-more').hidden = !hasMore();
}

// Newest first (ids grow with time).
const byNewest = (a, b) => b.id - a.id;

async function loadKind(kind, more) {
	if (more && !cursors[kind]) return [];
	const data = await api('GET', `/cases?kind=${kind}&limit=50` + (more ? '&after=' + encodeURIComponent(cursors[kind]) : ''));
	cursors[kind] = data.next || null;
	return (data.cases || []).map((c) => ({ kind, ...c }));
}

async function loadCases(more) {
	if (!more) cursors = {};
	const got = [];
	for (const kind of KIND_IDS) {
		try {
			got.push(...(await loadKind(kind, more)));
		} catch (error) {
			// An older server without repairs answers 400 for that kind: the rest stands.
			if (kind !== 'objection' && error.status === 400) continue;
			failed(error);
			return false;
		}
	}
	cases = (more ? cases.concat(got) : got).sort(byNewest);
	renderList();
	return true;
}

$('case-more').addEventListener('click', (event) => busy(event.currentTarget, () => loadCases(true)));

// ---- one case -----------------------------------------------------------------------

function fact(label, value, cls) {
	if (value === null || value === undefined || value === '') return null;
	return el('div', { class: 'facts__item' }, el('dt', { text: label }),
		typeof value === 'string' ? el('dd', { class: cls, text: value }) : el('dd', { class: cls }, value));
}

function waitingText(c) {
	const progress = caseProgress(c);
	if (c.status === 'decided') {
		if ((c.actions || []).includes('review') && c.review_until)
			return `已办结。如对处理结果有异议，可在 ${c.review_until} 前申请复核（限一次）。`;
		return '已办结。';
	}
	if (progress.text === '已办结') return '已办结。';
	if (c.due) return `正在办理，办理期限 ${c.due}${c.overdue ? '，已逾期' : ''}。`;
	return '等待您的操作。';
}

function renderDetail(c) {
	const box = $('case-detail');
	const title = el('h2', { id: 'detail-title', class: 'panel__title', tabindex: '-1', text: `申请编号 ${c.id}` });
	const badges = el('p', { class: 'detail__badges' }, statusBadge(c), overdueBadge(c));
	const state = el('p', { class: 'detail__state' + (c.overdue ? ' detail__state--overdue' : ''), text: waitingText(c) });

	const repair = isRepair(c);
	const facts = el('dl', { class: 'facts' },
		fact('申请类型', kindName(c)),
		fact('信用记录', `${categoryName(c.category)}（记录 ${c.record}）`),
		repair ? null : fact('异议理由', nameOf(GROUNDS, c.grounds)),
		fact('提交时间', formatTime(c.created_at)),
		fact('提交方式', CHANNELS[c.channel] || c.channel),
		fact('办理期限', c.due || null),
		repair ? fact('结果期限', c.result_due || null) : null,
		repair ? fact('信用修复承诺', c.commitment === false ? '未签署' : '已签署') : null,
		fact('联系方式', c.contact));
	const parts = [title, badges, state];
	if (repair) parts.push(el('h3', { class: 'panel__subtitle', text: '办理进度' }), renderSteps(c));
	const outcome = renderOutcome(c);
	if (outcome) parts.push(outcome);
	parts.push(facts,
		el('h3', { class: 'panel__subtitle', text: repair ? '修复申请说明' : '异议内容' }),
		el('p', { class: 'prose', text: c.text || '—' }),
		el('h3', { class: 'panel__subtitle', text: '证明材料' }),
		renderAttachments(c));
	const more = attachForm(c, upload, (n, failure) => {
		setStatus(`已上传 ${n} 份材料。${failure}`);
		show(c.id);
	});
	if (more) parts.push(more);
	parts.push(el('h3', { class: 'panel__subtitle', text: '办理记录' }),
		renderHistory(c));
	const actions = (c.actions || []).filter((a) => APPLICANT_ACTIONS.includes(a));
	if (actions.length) parts.push(actionArea(c, actions));
	box.replaceChildren(...parts);
	// The decision's fields by their names, as the public page shows them.
	if (outcome && outcome.querySelector('dt[data-field]'))
		fieldLabels(c.subject, c.category).then((labels) => {
			for (const dt of outcome.querySelectorAll('dt[data-field]'))
				dt.textContent = labels[dt.dataset.field] || dt.dataset.field;
		});
}

function actionArea(c, actions) {
	const error = el('p', { class: 'flag flag--error', role: 'alert', hidden: '' });
	const bar = el('div', { class: 'form__actions' });
	const panel = el('div', { class: 'action-panel', hidden: '' });
	const area = el('section', { class: 'actions', 'aria-labelledby': 'actions-title' },
		el('h3', { id: 'actions-title', class: 'panel__subtitle', text: '您可以' }), bar, panel, error);

	const act = (action, body, button) => busy(button, async () => {
		error.hidden = true;
		let updated;
		try {
			updated = await api('POST', `/cases/${encodeURIComponent(c.id)}/actions/${action}`, body);
		} catch (e) {
			failed(e, error);
			return;
		}
		updated = updated.case || updated;
		setStatus(action === 'withdraw' ? `申请 ${c.id} 已撤回。` : `已提交复核申请（申请编号 ${c.id}）。`);
		await show(updated.id, updated);
		await loadCases(false);
	});

	if (actions.includes('review')) {
		const button = el('button', { type: 'button', class: 'button', 'aria-expanded': 'false', text: '申请复核' });
		button.addEventListener('click', () => {
			const opening = panel.hidden;
			panel.hidden = !opening;
			button.setAttribute('aria-expanded', String(opening));
			if (!opening) return;
			const note = el('textarea', { id: 'review-note', class: 'field__input', rows: '4', maxlength: '1000', 'aria-describedby': 'review-hint' });
			const submit = el('button', { type: 'submit', class: 'button', text: '提交复核申请' });
			const form = el('form', { class: 'form form--wide', novalidate: '' },
				el('div', { class: 'field' },
					el('label', { class: 'field__label', for: 'review-note', text: '复核理由' }),
					note,
					el('p', { id: 'review-hint', class: 'field__hint', text: `请说明您对处理结果的哪些方面有异议及理由。${c.review_until ? `复核须在 ${c.review_until} 前申请，` : ''}每件申请只能申请复核一次。` })),
				el('div', { class: 'form__actions' }, submit));
			form.addEventListener('submit', (event) => {
				event.preventDefault();
				if (!note.value.trim()) {
					error.textContent = '请填写复核理由。';
					error.hidden = false;
					note.focus();
					return;
				}
				act('review', { note: note.value.trim() }, submit);
			});
			panel.replaceChildren(form);
			note.focus();
		});
		bar.append(button);
	}
	if (actions.includes('withdraw')) {
		const button = el('button', { type: 'button', class: 'button button--danger', text: '撤回申请' });
		button.addEventListener('click', () => {
			if (!window.confirm(`确定撤回申请 ${c.id} 吗？撤回后本申请将终止办理，不能恢复。`)) return;
			act('withdraw', {}, button);
		});
		bar.append(button);
	}
	return area;
}

// Shows case `id` (asking the server unless `known` is given), and marks it in the list.
async function show(id, known) {
	selected = id;
	for (const a of document.querySelectorAll('.case-item'))
		if (a.dataset.id === String(id)) a.setAttribute('aria-current', 'true');
		else a.removeAttribute('aria-current');
	let c = known;
	if (!c) {
		try {
			c = await api('GET', '/cases/' + encodeURIComponent(id));
		} catch (error) {
			if (error.status === 404) error.message = `未找到申请 ${id}，或您无权查看。`;
			const box = $('case-detail');
			const msg = el('p', { class: 'flag flag--error', role: 'alert' });
			box.replaceChildren(el('h2', { id: 'detail-title', class: 'panel__title', tabindex: '-1', text: '申请详情' }), msg);
			failed(error, msg);
			return;
		}
		c = c.case || c;
	}
	if (selected !== id) return;
	renderDetail(c);
}

function route(focus) {
	const id = Number(location.hash.replace(/^#/, ''));
	if (!Number.isInteger(id) || id <= 0) return;
	show(id).then(() => {
		if (focus) $('detail-title').focus();
	});
}

window.addEventListener('hashchange', () => route(true));

async function start() {
	let user;
	try {
		user = await currentUser();
	} catch (error) {
		setStatus('');
		showMessage('page-error', error.message);
		return;
	}
	if (!user) {
		setStatus('');
		$('login-link').href = loginHref();
		$('login-needed').hidden = false;
		return;
	}
	showAccountLink(user);
	if (!(user.roles || []).includes('subject')) {
		setStatus('');
		$('not-subject').hidden = false;
		return;
	}
	document.title = `我的申请（${displayName(user)}） - 信用信息查询`;
	const code = userSubject(user);
	if (code) $('subject-link').href = '/#/subject/' + encodeURIComponent(code);
	$('cases').hidden = false;
	if (!(await loadCases(false))) {
		setStatus('');
		return;
	}
	setStatus(cases.length ? `共 ${cases.length}${hasMore() ? ' 件以上' : ' 件'}申请。` : '暂无申请。');
	route(false);
}

start();
