// console.js - the department and platform console (办理工作台), first page: the inbox of
// cases (GET /api/v1/cases: an operator sees all, a handler its department's), sorted by
// due date with the overdue ones first and marked 已逾期 in words, filtered by status and
// 仅看逾期; and the selected case (GET /api/v1/cases/{id}) with its record (GET
// /api/v1/records/{id}/history: the record's fields now and its earlier versions), its
// grounds, text and contact, attachments and history, and exactly the actions the case's
// `actions` array offers this user, each with its form (POST
// /api/v1/cases/{id}/actions/{action}).  The server decides who may do what; the page
// only shows what it is told.  The API's errors are shown, in its Chinese words, next to
// the form that caused them.
//
// Credit repairs (kind "repair") are in the same inbox, filtered by 类型: the operator's
// intake queue (待受理: accept or refuse within a working day, then forward to the
// deciding department), the deciding department's handlers' queue (修复待审核: decide
// approve or reject, with the applicant's statement and proof beside the record), and
// revocation of an approval by an operator.  A repair shows its steps with their due
// dates.
//
// The selected case is in the location hash (#12).  Nobody logged in: a link to log in
// that comes back here.

import { STAFF_ROLES, api, currentUser, displayName, el, formatTime, loginHref, showAccountLink, showMessage, upload } from '/api.js';
import {
	CHANNELS, ENDED, FIELD_OUTCOMES, GROUNDS, OUTCOMES, REPAIR_OUTCOMES, actionName, attachForm, actorName, caseStatusName, categoryName,
	fieldLabels, isRepair, kindName, nameOf, overdueBadge, renderAttachments, renderHistory, renderOutcome, renderSteps,
	statusBadge,
} from '/case_common.js';

const $ = (id) => document.getElementById(id);

let user = null;
let cases = [];
let nextCursor = null;
let selected = null;
// Record histories already fetched: a record's history read is recorded in the audit
// trail, so selecting a case again does not read it again.
const records = new Map();

function setStatus(text) {
	$('status').textContent = text;
}

function failedSession(error) {
	if (error.status !== 401) return false;
	location.replace(loginHref());
	return true;
}

async function busy(button, work) {
	button.disabled = true;
	try {
		await work();
	} finally {
		button.disabled = false;
	}
}

// ---- the inbox ----------------------------------------------------------------------

// Due date ascending, cases without one last; then the oldest first.
function byDue(a, b) {
	if (!a.due !== !b.due) return a.due ? -1 : 1;
	if (a.due && a.due !== b.due) return a.due < b.due ? -1 : 1;
	return a.id - b.id;
}

function dueText(c) {
	if (c.due) return `办理期限 ${c.due}`;
	if (ENDED.has(c.status)) return '已办结';
	return '等待申请人操作';
}

function inboxItem(c) {
	const link = el('a', { class: 'case-item' + (c.overdue ? ' case-item--overdue' : ''), href: '#' + c.id, 'data-id': String(c.id) },
		el('span', { class: 'case-item__top' },
			el('span', { class: 'case-item__id', text: `编号 ${c.id}` }),
			statusBadge(c),
			overdueBadge(c)),
		el('span', { class: 'case-item__name', text: c.subject_name || c.subject }),
		el('span', { class: 'case-item__what', text: isRepair(c)
			? `信用修复 · ${categoryName(c.category)} · 记录 ${c.record}`
			: `异议 · ${categoryName(c.category)} · 记录 ${c.record} · ${nameOf(GROUNDS, c.grounds)}` }),
		el('span', { class: 'case-item__due' + (c.overdue ? ' case-item__due--overdue' : ''), text: dueText(c) }));
	if (selected === c.id) link.setAttribute('aria-current', 'true');
	return el('li', {}, link);
}

function renderInbox() {
	cases.sort(byDue);
	$('inbox').replaceChildren(...cases.map(inboxItem));
	$('inbox-empty').hidden = cases.length !== 0;
	$('inbox-more').hidden = !nextCursor;
	const overdue = cases.filter((c) => c.overdue).length;
	$('inbox-summary').textContent = cases.length
		? `共 ${cases.length}${nextCursor ? ' 件以上' : ' 件'}${overdue ? `，其中已逾期 ${overdue} 件` : ''}。`
		: '';
}

function query(more) {
	const q = new URLSearchParams({ limit: '100' });
	const kind = $('filter-kind').value;
	if (kind) q.set('kind', kind);
	const status = $('filter-status').value;
	if (status) q.set('status', status);
	if ($('filter-overdue').checked) q.set('overdue', 'true');
	if (more && nextCursor) q.set('after', nextCursor);
	return '/cases?' + q.toString();
}

async function loadInbox(more) {
	showMessage('page-error', '');
	let data;
	try {
		data = await api('GET', query(more));
	} catch (error) {
		if (!failedSession(error)) showMessage('page-error', error.message);
		return false;
	}
	const got = data.cases || [];
	cases = more ? cases.concat(got) : got;
	nextCursor = data.next || null;
	renderInbox();
	return true;
}

$('filters').addEventListener('submit', (event) => event.preventDefault());
$('filter-status').addEventListener('change', () => loadInbox(false));
$('filter-kind').addEventListener('change', () => loadInbox(false));
// The two queues of credit repair, one click each: the operator's intake, the deciding
// department's review.
for (const button of document.querySelectorAll('[data-queue]')) {
	button.addEventListener('click', () => {
		const [kind, status] = button.dataset.queue.split(':');
		$('filter-kind').value = kind;
		$('filter-status').value = status;
		$('filter-overdue').checked = false;
		loadInbox(false).then((ok) => {
			if (ok) setStatus(`${button.textContent}：共 ${cases.length}${nextCursor ? ' 件以上' : ' 件'}。`);
		});
	});
}
$('filter-overdue').addEventListener('change', () => loadInbox(false));
$('refresh').addEventListener('click', (event) => busy(event.currentTarget, async () => {
	if (await loadInbox(false)) setStatus(`已刷新，共 ${cases.length} 件。`);
	if (selected) await show(selected);
}));
$('inbox-more').addEventListener('click', (event) => busy(event.currentTarget, () => loadInbox(true)));

// ---- the record ---------------------------------------------------------------------

function recordHistory(id) {
	if (!records.has(id)) {
		const p = api('GET', `/records/${encodeURIComponent(id)}/history`);
		records.set(id, p);
		p.catch(() => records.delete(id));
	}
	return records.get(id);
}

function display(value) {
	if (value === null || value === undefined || value === '') return '—';
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function fieldsTable(data, labels, caption, compare) {
	const rows = Object.keys(data || {}).map((id) => {
		const changed = compare && display(compare[id]) !== display(data[id]);
		return el('tr', { class: changed ? 'changed' : undefined },
			el('th', { scope: 'row' },
				el('span', { class: 'table__main', text: labels[id] || id }),
				labels[id] ? el('span', { class: 'table__sub code', text: id }) : null),
			el('td', {}, document.createTextNode(display(data[id])),
				changed ? el('span', { class: 'badge badge--changed', text: '与现值不同' }) : null));
	});
	return el('div', { class: 'table-wrap' },
		el('table', { class: 'table table--fields' },
			el('caption', { class: 'visually-hidden', text: caption }),
			el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: '信息项' }), el('th', { scope: 'col', text: '内容' }))),
			el('tbody', {}, ...rows)));
}

async function renderRecord(c, box) {
	box.replaceChildren(el('p', { class: 'muted', text: '正在读取信用记录…' }));
	let doc;
	let labels;
	try {
		[doc, labels] = await Promise.all([recordHistory(c.record), fieldLabels(c.subject, c.category)]);
	} catch (error) {
		if (failedSession(error)) return;
		box.replaceChildren(el('p', { class: 'flag flag--warning', text: `无法读取该记录的内容：${error.message}` }));
		return;
	}
	const r = doc.record || {};
	const data = r.data && typeof r.data === 'object' ? r.data : {};
	const facts = el('dl', { class: 'facts facts--compact' },
		factItem('记录编号', String(r.id ?? c.record)),
		factItem('类别', categoryName(r.category || c.category)),
		r.dept_name
			? factItem('信息提供单位', el('span', { title: `统一社会信用代码：${r.dept}` }, r.dept_name, ' ',
				el('small', { class: 'code muted', text: r.dept })))
			: factItem('信息提供单位', r.dept, 'code'),
		factItem('决定日期', r.decision_date),
		factItem('公示截止', r.publicity_end),
		factItem('最近更新', formatTime(r.updated_at)));
	const parts = [facts, el('h4', { class: 'record-box__title', text: '当前内容' }),
		fieldsTable(data, labels, `记录 ${r.id} 的当前内容`)];
	const versions = [...(doc.versions || [])].sort((a, b) => String(b.replaced_at).localeCompare(String(a.replaced_at)));
	if (versions.length) {
		parts.push(el('h4', { class: 'record-box__title', text: `历史版本（${versions.length} 个）` }));
		for (const v of versions) {
			const vdata = v.data && typeof v.data === 'object' ? v.data : {};
			parts.push(el('details', { class: 'version' },
				el('summary', { text: `${formatTime(v.valid_from)} 至 ${formatTime(v.replaced_at)}（批次 ${v.batch}）` }),
				fieldsTable(vdata, labels, `记录 ${r.id} 被替换前的内容`, data)));
		}
	} else {
		parts.push(el('p', { class: 'muted', text: '该记录没有历史版本。' }));
	}
	box.replaceChildren(...parts);
	box.dispatchEvent(new CustomEvent('record-loaded', { detail: { data, labels } }));
}

function factItem(label, value, cls) {
	if (value === null || value === undefined || value === '' || value === '—') return null;
	return el('div', { class: 'facts__item' + (cls === 'code' ? ' facts__item--code' : '') }, el('dt', { text: label }),
		typeof value === 'string' ? el('dd', { class: cls, text: value }) : el('dd', { class: cls }, value));
}

// ---- actions ------------------------------------------------------------------------

let uid = 0;

function textArea(label, { name = 'note', required = false, hint = '', max = 1000 } = {}) {
	const id = 'f' + ++uid;
	const input = el('textarea', { id, class: 'field__input', rows: '3', maxlength: String(max), required: required ? '' : undefined, 'data-name': name,
		'aria-describedby': hint ? id + '-hint' : undefined });
	const hintEl = hint ? el('p', { id: id + '-hint', class: 'field__hint', text: hint }) : null;
	const label_ = el('label', { class: 'field__label', for: id, text: label });
	return { input, hint: hintEl, node: el('div', { class: 'field' }, label_, input, hintEl) };
}

// The rows of a correction: field -> new value.  The field is chosen among the record's
// fields by their Chinese names, or typed as a field id ("其他信息项") for one the record
// does not hold yet (a supplement).
const OTHER = '\u0000other';

function fieldRows(record) {
	const rows = el('div', { class: 'field-rows' });
	const add = el('button', { type: 'button', class: 'button button--small button--secondary', text: '添加一项' });
	let known = { data: {}, labels: {} };

	const addRow = () => {
		const n = ++uid;
		const pick = el('select', { id: `fr-${n}-field`, class: 'field__input', 'data-name': rows.children.length ? undefined : 'fields' });
		const other = el('input', {
			id: `fr-${n}-other`, class: 'field__input code', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '64',
			placeholder: '字段代码，如 fine', 'aria-label': '其他信息项的字段代码', hidden: '',
		});
		const value = el('input', { id: `fr-${n}-value`, class: 'field__input', type: 'text', maxlength: '2000' });
		const now = el('p', { class: 'field__hint', id: `fr-${n}-now` });
		value.setAttribute('aria-describedby', now.id);
		const remove = el('button', { type: 'button', class: 'button button--small button--danger', text: '删除', 'aria-label': '删除此项' });
		const row = el('div', { class: 'field-row' },
			el('div', { class: 'field' }, el('label', { class: 'field__label', for: pick.id, text: '信息项' }), pick, other),
			el('div', { class: 'field' }, el('label', { class: 'field__label', for: value.id, text: '更正后的内容' }), value, now),
			el('div', { class: 'field-row__remove' }, remove));
		const id = () => (pick.value === OTHER ? other.value.trim() : pick.value);
		row.fill = () => {
			const was = pick.value;
			pick.replaceChildren(el('option', { value: '', text: '请选择信息项' }),
				...Object.keys(known.data).map((f) => el('option', { value: f, text: known.labels[f] ? `${known.labels[f]}（${f}）` : f })),
				el('option', { value: OTHER, text: '其他信息项（输入字段代码）' }));
			if ([...pick.options].some((o) => o.value === was)) pick.value = was;
			row.update();
		};
		row.update = () => {
			other.hidden = pick.value !== OTHER;
			const f = id();
			if (f && f in known.data) now.textContent = `当前内容：${display(known.data[f])}`;
			else if (f) now.textContent = '该记录目前没有此项，将作为新增内容。';
			else now.textContent = '';
		};
		row.pair = () => [id(), value.value];
		row.first = pick;
		pick.addEventListener('change', () => {
			row.update();
			if (pick.value === OTHER) other.focus();
		});
		other.addEventListener('input', row.update);
		remove.addEventListener('click', () => {
			row.remove();
			if (rows.children.length === 0) addRow();
			rows.firstElementChild.first.focus();
		});
		rows.append(row);
		row.fill();
		return row;
	};
	const learn = (detail) => {
		known = detail;
		for (const row of rows.children) row.fill();
	};
	add.addEventListener('click', () => addRow().first.focus());
	addRow();
	record.addEventListener('record-loaded', (event) => learn(event.detail));
	if (record.fieldsKnown) learn(record.fieldsKnown);
	const node = el('fieldset', { class: 'fieldset' },
		el('legend', { text: '更改的信息项' }),
		el('p', { class: 'field__hint', text: '选择要更改的信息项，并填写更正后的内容；可添加多项。记录中没有的信息项请选“其他信息项”。' }),
		rows, el('div', {}, add));
	return {
		node,
		values() {
			const out = {};
			for (const row of rows.children) {
				const [f, v] = row.pair();
				if (f) out[f] = v;
			}
			return out;
		},
		first: () => rows.firstElementChild.first,
	};
}

// The form of one action; `done(updatedCase)` after the server accepted it.
function actionForm(c, action, recordBox, done) {
	const error = el('p', { class: 'flag flag--error', role: 'alert', hidden: '' });
	const submit = el('button', { type: 'submit', class: 'button' });
	const parts = [];
	let collect = () => ({});
	let check = () => '';
	const note = (label, hint) => {
		const t = textArea(label, { hint });
		parts.push(t.node);
		return t.input;
	};

	if (action === 'accept') {
		parts.push(el('p', { class: 'form__intro', text: '受理后，请在办理期限内将申请转至信息提供单位核查，或直接作出决定。' }));
		const n = note('受理意见（可选）');
		collect = () => ({ note: n.value.trim() });
		submit.textContent = '确认受理';
	} else if (action === 'refuse') {
		const t = textArea('不予受理的理由', { name: 'reason', max: 500, required: true, hint: '理由将告知申请人，请写明依据，如“该信息不属于本平台公示范围”。' });
		parts.push(t.node);
		collect = () => ({ reason: t.input.value.trim() });
		check = () => (t.input.value.trim() ? '' : (t.input.focus(), '请填写不予受理的理由。'));
		submit.textContent = '确认不予受理';
		submit.classList.add('button--danger');
	} else if (action === 'forward' && isRepair(c)) {
		const authority = recordBox.fieldsKnown && recordBox.fieldsKnown.data && recordBox.fieldsKnown.data.authority_code;
		parts.push(el('p', { class: 'form__intro' },
			document.createTextNode('将本修复申请转至认定部门核查（谁认定谁修复）：处罚机关'),
			el('span', { class: 'code', text: authority || '—' }),
			document.createTextNode('已在本平台开通账号的转处罚机关，否则转信息提供单位'),
			el('span', { class: 'code', text: providerOf(c) || '—' }),
			document.createTextNode('。认定部门须在办理期限内作出决定。')));
		const n = note('转办说明（可选）', '如需提醒核查的重点，请在此说明。');
		collect = () => ({ note: n.value.trim() });
		submit.textContent = '确认转办';
	} else if (action === 'forward') {
		parts.push(el('p', { class: 'form__intro' },
			document.createTextNode('将本申请转至信息提供单位核查：'),
			el('span', { class: 'code', text: providerOf(c) || '—' }),
			document.createTextNode('。该单位须在办理期限内作出决定。')));
		const n = note('转办说明（可选）', '如需提醒核查的重点，请在此说明。');
		collect = () => ({ note: n.value.trim() });
		submit.textContent = '确认转办';
	} else if (action === 'decide' && isRepair(c)) {
		const id = 'f' + ++uid;
		const outcome = el('select', { id, class: 'field__input', required: '', 'data-name': 'outcome' },
			el('option', { value: '', text: '请选择' }),
			...REPAIR_OUTCOMES.map((o) => el('option', { value: o.id, text: o.name })));
		parts.push(el('p', { class: 'form__intro', text: '请对照信用记录，核查申请人提交的修复申请说明和证明材料。准予修复的，本条记录即停止公示，公众和其他部门不再能查看。' }),
			el('div', { class: 'field' }, el('label', { class: 'field__label', for: id, text: '处理结果' }), outcome));
		const reason = textArea('决定理由', { name: 'reason', max: 500, hint: '不予修复时必须写明理由，理由将告知申请人。' });
		parts.push(reason.node);
		collect = () => {
			const body = { outcome: outcome.value };
			if (reason.input.value.trim()) body.reason = reason.input.value.trim();
			return body;
		};
		check = () => {
			if (!outcome.value) return (outcome.focus(), '请选择处理结果。');
			if (outcome.value === 'reject' && !reason.input.value.trim()) return (reason.input.focus(), '不予信用修复必须填写理由。');
			return '';
		};
		submit.textContent = '提交决定';
	} else if (action === 'revoke') {
		parts.push(el('p', { class: 'form__intro', text: '撤销后，本条记录恢复公示；申请人一年内不得再就本条记录申请信用修复。撤销理由将告知申请人。' }));
		const t = textArea('撤销理由', { name: 'reason', max: 500, required: true, hint: '请写明撤销的依据，如“经核查，缴款凭证系伪造”。' });
		parts.push(t.node);
		collect = () => ({ reason: t.input.value.trim() });
		check = () => (t.input.value.trim() ? '' : (t.input.focus(), '请填写撤销理由。'));
		submit.textContent = '确认撤销修复';
		submit.classList.add('button--danger');
	} else if (action === 'decide') {
		const id = 'f' + ++uid;
		const outcome = el('select', { id, class: 'field__input', required: '', 'data-name': 'outcome' },
			el('option', { value: '', text: '请选择' }),
			...OUTCOMES.map((o) => el('option', { value: o.id, text: o.name })));
		parts.push(el('div', { class: 'field' }, el('label', { class: 'field__label', for: id, text: '处理结果' }), outcome));
		const rows = fieldRows(recordBox);
		rows.node.hidden = true;
		parts.push(rows.node);
		const reason = textArea('决定理由', { name: 'reason', max: 500, hint: '理由将告知申请人。驳回异议时必须填写。' });
		parts.push(reason.node);
		outcome.addEventListener('change', () => {
			rows.node.hidden = !FIELD_OUTCOMES.has(outcome.value);
			reason.hint.textContent = outcome.value === 'reject'
				? '驳回异议必须写明理由，理由将告知申请人。'
				: '理由将告知申请人。驳回异议时必须填写。';
		});
		collect = () => {
			const body = { outcome: outcome.value };
			if (FIELD_OUTCOMES.has(outcome.value)) body.fields = rows.values();
			if (reason.input.value.trim()) body.reason = reason.input.value.trim();
			return body;
		};
		check = () => {
			if (!outcome.value) return (outcome.focus(), '请选择处理结果。');
			if (FIELD_OUTCOMES.has(outcome.value)) {
				const fields = rows.values();
				if (Object.keys(fields).length === 0) return (rows.first().focus(), '请至少填写一项要更改的信息项及其内容。');
			}
			if (outcome.value === 'reject' && !reason.input.value.trim()) return (reason.input.focus(), '驳回异议必须填写理由。');
			return '';
		};
		submit.textContent = '提交决定';
	} else if (action === 'review') {
		if (c.channel !== 'window')
			parts.push(el('p', { class: 'form__intro', text: '本申请由申请人网上提交，申请人可自行申请复核。仅在申请人要求时代为申请，并在理由中写明申请人的要求。' }));
		const t = textArea('复核理由', { required: true });
		parts.push(t.node);
		collect = () => ({ note: t.input.value.trim() });
		check = () => (t.input.value.trim() ? '' : (t.input.focus(), '请填写复核理由。'));
		submit.textContent = '提交复核申请';
	} else if (action === 'withdraw') {
		parts.push(el('p', { class: 'form__intro', text: c.channel === 'window'
			? '撤回后本申请终止办理，不能恢复。'
			: '本申请由申请人网上提交。仅在申请人要求撤回时代为撤回，并在说明中写明申请人的要求及联系时间。' }));
		const n = note('撤回说明' + (c.channel === 'window' ? '（可选）' : ''));
		collect = () => ({ note: n.value.trim() });
		if (c.channel !== 'window')
			check = () => (n.value.trim() ? '' : (n.focus(), '代申请人撤回时，请写明申请人的要求。'));
		submit.textContent = '确认撤回';
		submit.classList.add('button--danger');
	} else {
		const n = note('说明（可选）');
		collect = () => ({ note: n.value.trim() });
		submit.textContent = `确认${actionName(action)}`;
	}

	const cancel = el('button', { type: 'button', class: 'button button--secondary', text: '取消' });
	const form = el('form', { class: 'form form--wide action-form', novalidate: '', 'data-action': action },
		el('h4', { class: 'form__title', text: actionName(action) }),
		...parts, error,
		el('div', { class: 'form__actions' }, submit, cancel));
	form.cancel = cancel;
	// A message about what was chosen before goes once the choice changes or the text is
	// edited: on input, not on change, which comes with the blur of a click on 提交 and
	// would move the button away under the pointer.
	form.addEventListener('input', () => { error.hidden = true; });

	form.addEventListener('submit', (event) => {
		event.preventDefault();
		error.hidden = true;
		const problem = check();
		if (problem) {
			error.textContent = problem;
			error.hidden = false;
			return;
		}
		if (action === 'withdraw' && !window.confirm(`确定撤回申请 ${c.id} 吗？撤回后不能恢复。`)) return;
		const body = collect();
		for (const k of Object.keys(body)) if (body[k] === '') delete body[k];
		busy(submit, async () => {
			let updated;
			try {
				updated = await api('POST', `/cases/${encodeURIComponent(c.id)}/actions/${encodeURIComponent(action)}`, body);
			} catch (e) {
				if (failedSession(e)) return;
				error.textContent = e.message;
				error.hidden = false;
				const target = e.field && form.querySelector(`[data-name="${CSS.escape(e.field)}"]`);
				if (target) target.focus();
				return;
			}
			done(updated.case || updated);
		});
	});
	return form;
}

function actionArea(c, recordBox) {
	const actions = c.actions || [];
	if (actions.length === 0) {
		return el('p', { class: 'muted detail__none', text: ENDED.has(c.status)
			? '本申请已办结，无需再办理。'
			: '本申请当前不需要您办理。' });
	}
	const bar = el('div', { class: 'action-bar' });
	const panel = el('div', { class: 'action-panel', hidden: '' });
	let open = null;
	const close = () => {
		panel.hidden = true;
		panel.replaceChildren();
		if (open) open.setAttribute('aria-expanded', 'false');
		const was = open;
		open = null;
		return was;
	};
	for (const action of actions) {
		const danger = action === 'refuse' || action === 'withdraw' || action === 'revoke';
		const button = el('button', {
			type: 'button', class: 'button' + (danger ? ' button--danger' : action === 'decide' || action === 'accept' ? '' : ' button--secondary'),
			'aria-expanded': 'false', 'data-action': action, text: actionName(action),
		});
		button.addEventListener('click', () => {
			if (open === button) {
				close();
				return;
			}
			close();
			open = button;
			button.setAttribute('aria-expanded', 'true');
			const form = actionForm(c, action, recordBox, async (updated) => {
				close();
				setStatus(`申请 ${c.id}：已${actionName(action)}。当前状态：${caseStatusName(updated)}。`);
				const i = cases.findIndex((x) => x.id === updated.id);
				if (i >= 0) cases[i] = { ...cases[i], ...updated };
				renderInbox();
				renderDetail(updated);
				$('detail-title').focus();
			});
			form.cancel.addEventListener('click', () => close().focus());
			panel.replaceChildren(form);
			panel.hidden = false;
			const first = form.querySelector('select, textarea, input');
			if (first) first.focus();
		});
		bar.append(button);
	}
	return el('section', { class: 'actions', 'aria-labelledby': 'actions-title' },
		el('h3', { id: 'actions-title', class: 'panel__subtitle', text: '办理' }), bar, panel);
}

// ---- one case -----------------------------------------------------------------------

// The department that provided the record (the case's `dept` is the department that
// handles it, set when it is forwarded).
function providerOf(c) {
	return c.record_dept || c.dept || '';
}

function stateLine(c) {
	const parts = [caseStatusName(c)];
	if (c.due) parts.push(`办理期限 ${c.due}`);
	else if (!ENDED.has(c.status)) parts.push('等待申请人操作');
	if (c.review_until && c.status === 'decided') parts.push(`申请人可于 ${c.review_until} 前申请复核`);
	if (isRepair(c) && c.result_due && !ENDED.has(c.status)) parts.push(`结果期限 ${c.result_due}`);
	return parts.join(' · ');
}

function renderDetail(c) {
	const box = $('detail');
	const recordBox = el('div', { class: 'record-box' });
	const subject = el('span', {}, el('span', { class: 'table__main', text: c.subject_name || '—' }),
		el('span', { class: 'table__sub code', text: c.subject }));
	const applicant = [actorName(c.applicant), CHANNELS[c.channel] || c.channel].filter(Boolean).join('，');
	const outcome = renderOutcome(c);
	const attach = (user.roles || []).some((r) => r === 'operator' || r === 'handler') ? attachForm(c, upload, (n, failure) => {
		setStatus(`申请 ${c.id}：已上传 ${n} 份材料。${failure}`);
		show(c.id);
	}) : null;
	if (isRepair(c)) {
		renderRepairDetail(c, { box, recordBox, subject, applicant, outcome, attach });
		return;
	}
	box.replaceChildren(...[
		el('div', { class: 'detail__head' },
			el('h2', { id: 'detail-title', class: 'panel__title', tabindex: '-1', text: `申请编号 ${c.id}` }),
			statusBadge(c), overdueBadge(c)),
		el('p', { class: 'detail__state' + (c.overdue ? ' detail__state--overdue' : ''),
			text: stateLine(c) + (c.overdue ? '（已逾期，请尽快办理）' : '') }),
		actionArea(c, recordBox),
		outcome,
		el('dl', { class: 'facts' },
			factItem('信用主体', subject),
			factItem('信用记录', `${categoryName(c.category)}（记录 ${c.record}）`),
			factItem('信息提供单位', providerOf(c), 'code'),
			factItem('承办部门', c.dept && c.dept !== providerOf(c) ? c.dept : null, 'code'),
			factItem('申请人', applicant),
			factItem('提交时间', formatTime(c.created_at)),
			factItem('最近办理', formatTime(c.updated_at)),
			factItem('复核次数', c.reviews ? String(c.reviews) : null)),
		el('h3', { class: 'panel__subtitle', text: '异议内容' }),
		el('dl', { class: 'facts' },
			factItem('异议理由', nameOf(GROUNDS, c.grounds)),
			factItem('联系方式', c.contact || '—')),
		el('p', { class: 'prose', text: c.text || '—' }),
		el('h3', { class: 'panel__subtitle', text: '证明材料' }),
		renderAttachments(c),
		// Admins read cases but take part in none: no files from them.
		attach,
		el('h3', { class: 'panel__subtitle', text: '办理记录' }),
		renderHistory(c),
		el('h3', { class: 'panel__subtitle', text: '信用记录' }),
		recordBox,
	].filter(Boolean));
	watchRecord(box, recordBox);
	renderRecord(c, recordBox);
}

function watchRecord(box, recordBox) {
	recordBox.addEventListener('record-loaded', (event) => {
		recordBox.fieldsKnown = event.detail;
		// The decision's fields by their names, once the names are known.
		for (const dt of box.querySelectorAll('.outcome dt[data-field]'))
			dt.textContent = event.detail.labels[dt.dataset.field] || dt.dataset.field;
	});
}

// A credit repair: its steps with their due dates, the actions, and the record to be
// repaired side by side with what the applicant says and proves (statement, commitment,
// contact, attachments), so that the deciding department compares them at a glance.
function renderRepairDetail(c, { box, recordBox, subject, applicant, outcome, attach }) {
	box.replaceChildren(...[
		el('div', { class: 'detail__head' },
			el('h2', { id: 'detail-title', class: 'panel__title', tabindex: '-1', text: `申请编号 ${c.id}` }),
			el('span', { class: 'badge badge--kind', text: kindName(c) }),
			statusBadge(c), overdueBadge(c)),
		el('p', { class: 'detail__state' + (c.overdue ? ' detail__state--overdue' : ''),
			text: stateLine(c) + (c.overdue ? '（已逾期，请尽快办理）' : '') }),
		renderSteps(c),
		actionArea(c, recordBox),
		outcome,
		el('dl', { class: 'facts' },
			factItem('信用主体', subject),
			factItem('申请类型', '信用修复'),
			factItem('信息提供单位', providerOf(c), 'code'),
			factItem('认定部门', c.dept || '转办时确定', c.dept ? 'code' : undefined),
			factItem('申请人', applicant),
			factItem('提交时间', formatTime(c.created_at)),
			factItem('结果期限', c.result_due || null),
			factItem('最近办理', formatTime(c.updated_at))),
		el('div', { class: 'repair-review' },
			el('section', { class: 'repair-review__col', 'aria-labelledby': 'repair-record-title' },
				el('h3', { id: 'repair-record-title', class: 'panel__subtitle', text: `信用记录（记录 ${c.record}）` }),
				recordBox),
			el('section', { class: 'repair-review__col repair-evidence', 'aria-labelledby': 'repair-evidence-title' },
				el('h3', { id: 'repair-evidence-title', class: 'panel__subtitle', text: '修复申请说明' }),
				el('p', { class: 'prose', text: c.text || '—' }),
				el('dl', { class: 'facts facts--compact' },
					factItem('信用修复承诺', c.commitment === false ? '未签署' : '已签署'),
					factItem('联系方式', c.contact || '—')),
				el('h3', { class: 'panel__subtitle', text: '证明材料' }),
				renderAttachments(c),
				attach)),
		el('h3', { class: 'panel__subtitle', text: '办理记录' }),
		renderHistory(c),
	].filter(Boolean));
	watchRecord(box, recordBox);
	renderRecord(c, recordBox);
}

async function show(id) {
	selected = id;
	for (const a of document.querySelectorAll('#inbox .case-item'))
		if (a.dataset.id === String(id)) a.setAttribute('aria-current', 'true');
		else a.removeAttribute('aria-current');
	let c;
	try {
		c = await api('GET', '/cases/' + encodeURIComponent(id));
	} catch (error) {
		if (failedSession(error)) return;
		if (selected !== id) return;
		$('detail').replaceChildren(
			el('h2', { id: 'detail-title', class: 'panel__title', tabindex: '-1', text: `申请编号 ${id}` }),
			el('p', { class: 'flag flag--error', role: 'alert', text: error.status === 404 ? `未找到申请 ${id}，或您无权查看。` : error.message }));
		return;
	}
	if (selected !== id) return;
	renderDetail(c.case || c);
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
	if (!(user.roles || []).some((r) => STAFF_ROLES.has(r))) {
		setStatus('');
		$('not-staff').hidden = false;
		return;
	}
	document.title = `办理工作台（${displayName(user)}） - 信用信息平台`;
	$('console').hidden = false;
	if (await loadInbox(false)) {
		const overdue = cases.filter((c) => c.overdue).length;
		setStatus(`已登录：${displayName(user)}。共 ${cases.length} 件申请${overdue ? `，已逾期 ${overdue} 件` : ''}。`);
	} else {
		setStatus('');
	}
	route(false);
}

start();
