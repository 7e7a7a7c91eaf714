// case_common.js - what the pages that show cases share (the public subject page, 我的申请
// and the console): the Chinese names of grounds, outcomes, actions and statuses, the
// checks on attachments before they are sent, and the parts of a case every page draws
// (its state, history, attachments and outcome).  Everything from the API goes in as
// text (api.js el()), never as HTML.

import { el, formatTime } from './api.js';

// An objection's grounds (POST /api/v1/cases "grounds").
export const GROUNDS = [
	{ id: 'error', name: '信息错误' },
	{ id: 'omission', name: '信息遗漏' },
	{ id: 'duplicate', name: '信息重复' },
	{ id: 'past_publicity', name: '超过公示期限' },
	{ id: 'wrongly_listed', name: '不应列入名单' },
	{ id: 'other', name: '其他' },
];

// A decision's outcomes (the decide action's "outcome").
export const OUTCOMES = [
	{ id: 'correct', name: '更正' },
	{ id: 'supplement', name: '补充' },
	{ id: 'delete', name: '删除' },
	{ id: 'stop_publicity', name: '停止公示' },
	{ id: 'remove_from_list', name: '移出名单' },
	{ id: 'reject', name: '驳回异议' },
];

// A repair decision's outcomes (the decide action's "outcome" on a repair case).
export const REPAIR_OUTCOMES = [
	{ id: 'approve', name: '准予信用修复' },
	{ id: 'reject', name: '不予信用修复' },
];

// The kinds of case (POST /api/v1/cases "kind").
export const KINDS = { objection: '异议', repair: '信用修复' };

export function kindName(c) {
	return KINDS[(c && c.kind) || 'objection'] || (c && c.kind) || '—';
}

export function isRepair(c) {
	return Boolean(c) && c.kind === 'repair';
}

// The name of a decision's outcome on case `c` (the two kinds share "reject").
export function outcomeName(c, id) {
	return nameOf(isRepair(c) ? REPAIR_OUTCOMES : OUTCOMES, id);
}

// Outcomes that change fields of the record: the decision lists them.
export const FIELD_OUTCOMES = new Set(['correct', 'supplement']);

// The actions of the objection rules (data/rules/objection.json) and the steps of a
// case's history that are not actions (filing it).
export const ACTIONS = {
	file: '提交申请',
	accept: '受理',
	refuse: '不予受理',
	forward: '转办',
	decide: '作出决定',
	review: '申请复核',
	withdraw: '撤回',
	resubmit: '信息提供单位重新报送',
	revoke: '撤销修复',
};

// Status names for the history (a case carries the name of its current status only).
export const STATUSES = {
	submitted: '待受理',
	accepted: '已受理',
	forwarded: '部门核查中',
	decided: '已办结',
	refused: '不予受理',
	withdrawn: '已撤回',
	// Credit repair (data/rules/repair.json) shares the others; a decided repair is
	// called by its outcome (caseStatusName).
	revoked: '已撤销',
};

// Statuses in which nobody need act any more (a decided case may still be reviewed, an
// approved repair revoked).
export const ENDED = new Set(['decided', 'refused', 'withdrawn', 'revoked']);

export const CHANNELS = { online: '网上提交', window: '窗口受理' };

// The catalog's categories (data/catalog/*.json "name").
const CATEGORIES = {
	penalty: '行政处罚',
	license: '行政许可',
	abnormal_list: '经营异常名录',
	dishonest_list: '严重失信主体名单',
	registration: '法人登记注册基本信息',
	social_insurance_arrears: '社会保险费欠缴信息',
	utility_payment: '公用事业缴费信息',
};

export function nameOf(list, id) {
	const found = list.find((x) => x.id === id);
	return found ? found.name : id || '—';
}

export function categoryName(id) {
	return CATEGORIES[id] || id || '—';
}

// A repair's statuses by the repair rules' names where they differ (data/rules/repair.json).
const REPAIR_STATUSES = { forwarded: '认定部门审核中', revoked: '已撤销修复' };

export function statusName(id, c) {
	return (isRepair(c) && REPAIR_STATUSES[id]) || STATUSES[id] || id || '—';
}

// What a case's status is called where it is shown: a decided repair by its outcome
// (已修复 or 未通过), any other by the name the server gives it.
export function caseStatusName(c) {
	if (isRepair(c) && c.status === 'decided' && c.outcome)
		return c.outcome.outcome === 'approve' ? '已修复' : '未通过';
	return c.status_name || statusName(c.status, c);
}

export function actionName(id) {
	return ACTIONS[id] || id;
}

// "user:acme" -> "acme"; the console's own actor and a walk-in's channel by name.
export function actorName(actor) {
	if (!actor) return '—';
	if (actor === 'console' || actor.startsWith('cli:')) return '平台（运维命令行）';
	const m = /^(user|token):(.*)$/.exec(actor);
	return m ? m[2] : actor;
}

// What the case waits for, as shown in lists: { text, cls } for a badge.
export function caseProgress(c) {
	if (ENDED.has(c.status)) return { text: '已办结', cls: 'badge--ended' };
	if (c.due) return { text: `办理期限 ${c.due}`, cls: 'badge--due' };
	return { text: '等待您的操作', cls: 'badge--waiting' };
}

export function statusBadge(c) {
	const cls = ENDED.has(c.status) ? 'badge--ended' : 'badge--status';
	return el('span', { class: 'badge ' + cls, text: caseStatusName(c) });
}

// Overdue is said in words, not only in colour.
export function overdueBadge(c) {
	return c.overdue ? el('span', { class: 'badge badge--overdue', text: '已逾期' }) : null;
}

// ---- attachments --------------------------------------------------------------------

export const ATTACHMENT_TYPES = new Map([
	['application/pdf', 'PDF'],
	['image/jpeg', 'JPEG'],
	['image/png', 'PNG'],
]);
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const ATTACHMENT_MAX_FILES = 5;

export function formatSize(bytes) {
	if (!(bytes >= 0)) return '';
	if (bytes < 1024) return `${bytes} 字节`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} KB`;
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// The type a file will be sent as: the browser's, else guessed from its name.
export function fileType(file) {
	if (ATTACHMENT_TYPES.has(file.type)) return file.type;
	const ext = /\.([a-z0-9]+)$/i.exec(file.name || '');
	const byExt = { pdf: 'application/pdf', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };
	return (ext && byExt[ext[1].toLowerCase()]) || file.type || '';
}

// What is wrong with the chosen files, in Chinese, or '' when they may be sent.  The
// server checks again (by content, not by name).
export function checkFiles(files) {
	if (files.length > ATTACHMENT_MAX_FILES)
		return `最多可上传 ${ATTACHMENT_MAX_FILES} 个文件，您选择了 ${files.length} 个，请删去一些。`;
	for (const file of files) {
		if (!ATTACHMENT_TYPES.has(fileType(file)))
			return `“${file.name}”不是 PDF、JPEG 或 PNG 文件，请转换后再上传。`;
		if (file.size > ATTACHMENT_MAX_BYTES)
			return `“${file.name}”大小为 ${formatSize(file.size)}，超过 10 MB，请压缩后再上传。`;
		if (file.size === 0) return `“${file.name}”是空文件，请重新选择。`;
	}
	return '';
}

// The file as it is to be uploaded: a Blob with the type fileType() chose.
export function uploadable(file) {
	const type = fileType(file);
	if (type === file.type) return file;
	return new File([file], file.name, { type });
}

export function attachmentHref(c, a) {
	return `/api/v1/cases/${encodeURIComponent(c.id)}/attachments/${encodeURIComponent(a.digest)}`;
}

export function renderAttachments(c) {
	const list = c.attachments || [];
	if (list.length === 0) return el('p', { class: 'muted', text: '未上传材料。' });
	const ul = el('ul', { class: 'attachments' });
	for (const a of list) {
		const kind = ATTACHMENT_TYPES.get(a.type) || a.type || '';
		ul.append(el('li', {},
			el('a', { href: attachmentHref(c, a), download: a.name || '', text: a.name || `材料 ${a.id}` }),
			el('span', { class: 'muted attachments__meta', text: [kind, formatSize(a.size)].filter(Boolean).join('，') })));
	}
	return ul;
}

// Statuses in which a case takes no more attachments (docs/api.md "Attachments"); a
// repair takes none once it is decided either.
const CLOSED = new Set(['refused', 'withdrawn', 'revoked']);

// A small form to add files to case `c` now (they belong to its current step), sent with
// `upload` (api.js); `uploaded(count, failure)` once some went.  Null when the case
// takes none.
export function attachForm(c, upload, uploaded) {
	if (CLOSED.has(c.status) || (isRepair(c) && c.status === 'decided')) return null;
	const id = `attach-${c.id}`;
	const input = el('input', {
		id, class: 'field__input field__input--file', type: 'file', multiple: '',
		accept: '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png', 'aria-describedby': id + '-hint',
	});
	const error = el('p', { class: 'flag flag--error', role: 'alert', hidden: '' });
	const submit = el('button', { type: 'submit', class: 'button button--secondary', text: '上传' });
	const form = el('form', { class: 'form form--wide attach-form', novalidate: '' },
		el('div', { class: 'field' },
			el('label', { class: 'field__label', for: id, text: '补充证明材料' }),
			input,
			el('p', { id: id + '-hint', class: 'field__hint', text: `PDF、JPEG 或 PNG，每个不超过 10 MB；每个办理环节最多 ${ATTACHMENT_MAX_FILES} 个。` })),
		error,
		el('div', { class: 'form__actions' }, submit));
	const say = (text) => {
		error.textContent = text;
		error.hidden = !text;
	};
	input.addEventListener('change', () => say(checkFiles([...input.files])));
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		const files = [...input.files];
		if (files.length === 0) {
			say('请先选择要上传的文件。');
			input.focus();
			return;
		}
		const bad = checkFiles(files);
		if (bad) {
			say(bad);
			input.focus();
			return;
		}
		say('');
		submit.disabled = true;
		let done = 0;
		let failure = '';
		try {
			for (const file of files) {
				submit.textContent = `正在上传（${done + 1}/${files.length}）…`;
				await upload(`/cases/${encodeURIComponent(c.id)}/attachments`, uploadable(file));
				done++;
			}
		} catch (e) {
			failure = `“${files[done].name}”未能上传：${e.message}`;
			say(failure);
		} finally {
			submit.disabled = false;
			submit.textContent = '上传';
		}
		// What was uploaded is shown (the caller draws the case again); a failure after
		// some files is told with them.
		if (done) uploaded(done, failure);
	});
	return form;
}

// ---- history and outcome ------------------------------------------------------------

export function renderHistory(c) {
	const steps = c.history || [];
	if (steps.length === 0) return el('p', { class: 'muted', text: '暂无办理记录。' });
	const ol = el('ol', { class: 'timeline' });
	for (const h of steps) {
		const what = el('p', { class: 'timeline__what' },
			el('strong', { text: actionName(h.action) }));
		if (h.to && h.from === h.to) what.append(document.createTextNode(`（${statusName(h.to, c)}，状态不变）`));
		else if (h.to) what.append(document.createTextNode(`（${h.from ? statusName(h.from, c) + ' → ' : ''}${statusName(h.to, c)}）`));
		const item = el('li', { class: 'timeline__item' },
			el('p', { class: 'timeline__when' },
				el('time', { datetime: h.at, text: formatTime(h.at) }),
				el('span', { class: 'timeline__who', text: actorName(h.actor) })),
			what);
		if (h.action === 'resubmit' && Array.isArray(h.fields) && h.fields.length)
			item.append(el('p', { class: 'timeline__note', text: `变更的信息项：${h.fields.join('、')}` }));
		if (h.outcome) item.append(el('p', { class: 'timeline__note', text: '处理结果：' + outcomeName(c, h.outcome) }));
		if (h.note) item.append(el('p', { class: 'timeline__note', text: h.note }));
		if (h.reason) item.append(el('p', { class: 'timeline__note', text: '理由：' + h.reason }));
		const files = (h.attachments || []).length;
		if (files) item.append(el('p', { class: 'muted timeline__files', text: `附材料 ${files} 份` }));
		ol.append(item);
	}
	return ol;
}

// The catalog's Chinese names of a category's fields, as the public page shows them,
// asked anonymously (credentials omitted): the names are public even where a record is
// not, and a logged-in department user would otherwise need a purpose.  Best effort: a
// field without a name is shown by its id.
const labelSets = new Map();

export function fieldLabels(subject, category) {
	const key = subject + '\u001f' + category;
	if (!labelSets.has(key)) {
		labelSets.set(key, (async () => {
			try {
				const r = await fetch('/api/v1/subjects/' + encodeURIComponent(subject),
					{ credentials: 'omit', headers: { Accept: 'application/json' } });
				if (!r.ok) return {};
				const doc = await r.json();
				const group = (doc.categories || []).find((g) => g.category === category);
				return (group && group.labels) || {};
			} catch {
				return {};
			}
		})());
	}
	return labelSets.get(key);
}

// The decision, or null when there is none yet; `labels` name the changed fields.
export function renderOutcome(c, labels = {}) {
	const o = c.outcome;
	if (!o) return null;
	const box = el('div', { class: 'outcome' + (o.outcome === 'reject' || c.status === 'revoked' ? ' outcome--reject' : '') },
		el('p', { class: 'outcome__title' },
			document.createTextNode('处理结果：'),
			el('strong', { text: outcomeName(c, o.outcome) })));
	if (isRepair(c) && o.outcome === 'approve')
		box.append(el('p', { text: c.status === 'revoked'
			? '该修复决定已被撤销，记录恢复公示。'
			: '本条记录已停止公示，公众和其他部门不再能查看。' }));
	const fields = o.fields && typeof o.fields === 'object' ? Object.entries(o.fields) : [];
	if (fields.length) {
		const dl = el('dl', { class: 'outcome__fields' });
		for (const [id, value] of fields)
			dl.append(el('div', {}, el('dt', { text: labels[id] || id, title: id, 'data-field': id }),
				el('dd', { text: value === null ? '（清空）' : String(value) })));
		box.append(el('p', { class: 'outcome__label', text: '更改的信息项：' }), dl);
	}
	if (o.reason) box.append(el('p', {}, el('span', { class: 'muted', text: '理由：' }), document.createTextNode(o.reason)));
	const by = [o.decided_at ? formatTime(o.decided_at) : '', o.by ? actorName(o.by) : ''].filter(Boolean).join('，');
	if (by) box.append(el('p', { class: 'muted outcome__by', text: '决定时间及人员：' + by }));
	return box;
}

// ---- the steps of a repair ----------------------------------------------------------

// A repair goes 提交申请 → 平台受理 → 转认定部门 → 认定部门决定 (data/rules/repair.json): each
// step done (with its time), the step under way (with its due date: the case's `due`,
// and for the decision also `result_due`), or one still to come (the decision with
// `result_due`).  A case that ended early (不予受理, 撤回) says so at the step it ended.
const REPAIR_STEPS = [
	{ id: 'file', name: '提交申请', actions: ['file'] },
	{ id: 'accept', name: '平台受理', actions: ['accept', 'refuse'], at: 'submitted' },
	{ id: 'forward', name: '转认定部门', actions: ['forward'], at: 'accepted' },
	{ id: 'decide', name: '认定部门决定', actions: ['decide'], at: 'forwarded' },
];

export function renderSteps(c) {
	const history = c.history || [];
	const last = (actions) => [...history].reverse().find((h) => actions.includes(h.action));
	const ol = el('ol', { class: 'steps', 'aria-label': '办理进度' });
	const ended = ['refused', 'withdrawn'].includes(c.status);
	for (const step of REPAIR_STEPS) {
		const done = step.id === 'file' ? (last(['file']) || { action: 'file', at: c.created_at }) : last(step.actions);
		const current = !done && step.at === c.status;
		let state;
		let note;
		if (done) {
			state = done.action === 'refuse' ? 'stopped' : 'done';
			note = `${done.action === 'refuse' ? '不予受理' : '已完成'} ${formatTime(done.at)}`;
		} else if (current && c.status !== 'withdrawn') {
			state = 'current';
			note = c.due ? `办理中，期限 ${c.due}` : '办理中';
			if (step.id === 'decide' && c.result_due && c.result_due !== c.due) note += `；结果期限 ${c.result_due}`;
		} else if (ended) {
			state = 'skipped';
			note = c.status === 'withdrawn' ? '已撤回，不再办理' : '不再办理';
		} else {
			state = 'todo';
			note = step.id === 'decide' && c.result_due ? `结果期限 ${c.result_due}` : '尚未开始';
		}
		ol.append(el('li', { class: `steps__item steps__item--${state}` },
			el('span', { class: 'steps__name', text: step.name }),
			el('span', { class: 'steps__note', text: note })));
	}
	const revoked = last(['revoke']);
	if (revoked)
		ol.append(el('li', { class: 'steps__item steps__item--stopped' },
			el('span', { class: 'steps__name', text: '撤销修复' }),
			el('span', { class: 'steps__note', text: `已撤销 ${formatTime(revoked.at)}` })));
	return ol;
}
