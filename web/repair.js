// repair.js - credit repair (信用修复) on the subject's own page: under each negative
// record a 申请信用修复 button, greyed until the record may be repaired, with the day it
// becomes available or the reason it never will (GET /api/v1/records/{id}/repair), as
// 信用中国 does; once it may, the form: the repair statement, proof (uploaded as a case's
// attachments), the commitment text to accept and a contact.  Filing is POST
// /api/v1/cases {"kind": "repair", ...} and then the files one by one, as for objections.
//
// Everything from the API goes in as text (api.js el()), never as HTML.

import { api, el, upload } from './api.js';
import { ATTACHMENT_MAX_FILES, checkFiles, formatSize, uploadable } from './case_common.js';
import { busy, chars, checkContact, counter, failure, field, formError, setError } from './forms.js';

const REPAIR_TEXT_MAX = 2000;

// The subject's open repair case on a record (shown beside the record's badges).
export function repairMark(c) {
	return el('span', { class: 'dispute dispute--pending repair-mark' },
		el('span', { class: 'badge badge--waiting', text: `您的修复申请${c.status_name || '待受理'}` }),
		el('a', { class: 'dispute__case', href: '/cases.html#' + encodeURIComponent(c.id), text: `申请编号 ${c.id}` }));
}

function progressLink(caseId) {
	return el('a', {
		class: 'button button--small button--secondary repair-link',
		href: '/cases.html#' + encodeURIComponent(caseId),
		text: '查看修复办理进度',
	});
}

// The server's answer on whether the record may be repaired now: the same checks as
// filing, so the page never judges on its own.
function eligibility(record) {
	return api('GET', `/records/${encodeURIComponent(record.id)}/repair`);
}

// Why the button is greyed, in one line: the day it becomes available, then the
// server's explanations.
function unavailableText(check) {
	const messages = (check.messages || []).filter(Boolean);
	const parts = [];
	if (check.eligible_from && !messages.some((m) => m.includes(check.eligible_from)))
		parts.push(`自 ${check.eligible_from} 起可申请。`);
	parts.push(...messages);
	if (parts.length === 0) parts.push('本条记录目前不能申请信用修复。');
	return parts.join('');
}

// The button (or the link to the open case) and its note, for the record's action bar.
// `ctx`: { openCase, open(button, form), cancel(), close(), result (box), isOpenBy(button) }.
export function repairControls(record, group, item, ctx) {
	if (ctx.openCase) return [progressLink(ctx.openCase.id)];
	const noteId = `record-${record.id}-repair-note`;
	const button = el('button', {
		type: 'button', class: 'button button--small button--repair', 'aria-expanded': 'false',
		'aria-controls': `record-${record.id}-panel`, 'aria-describedby': noteId, text: '申请信用修复',
	});
	const note = el('span', { id: noteId, class: 'repair-note', text: '正在查询修复条件…' });
	let check = null;
	const grey = (text) => {
		check = null;
		button.setAttribute('aria-disabled', 'true');
		button.classList.add('button--unavailable');
		note.textContent = text;
		note.classList.add('repair-note--unavailable');
	};
	grey('正在查询修复条件…');

	if (record.publicity && record.publicity.status === 'repaired') {
		const on = record.publicity.repaired_on;
		grey(`本条记录已${on ? `于 ${on} ` : ''}完成信用修复，已停止公示。`);
	} else {
		eligibility(record).then((answer) => {
			if (!answer || !answer.eligible) {
				grey(unavailableText(answer || {}));
				return;
			}
			check = answer;
			button.removeAttribute('aria-disabled');
			button.classList.remove('button--unavailable');
			note.classList.remove('repair-note--unavailable');
			note.textContent = '已满足申请条件，可申请信用修复。';
		}, (error) => grey(`暂时无法查询修复条件：${failure(error)}`));
	}

	button.addEventListener('click', () => {
		if (!check) {
			note.focus();
			return;
		}
		if (ctx.isOpenBy(button)) return ctx.cancel();
		ctx.open(button, repairForm(record, group, check, ctx.cancel, (c, uploadNote) => {
			ctx.close();
			const head = item.querySelector('.record__head');
			if (!head.querySelector('.repair-mark')) head.append(repairMark(c));
			note.remove();
			button.replaceWith(progressLink(c.id));
			showRepairFiled(ctx.result, c, uploadNote);
		}));
	});
	note.tabIndex = -1;
	return [button, note];
}

function showRepairFiled(box, c, uploadNote) {
	const lines = [
		el('p', { class: 'flag__title', text: '信用修复申请已提交。' }),
		el('p', {}, document.createTextNode('申请编号：'), el('strong', { class: 'filed__id', text: String(c.id) }),
			document.createTextNode(c.due ? `；平台将于 ${c.due} 前决定是否受理。` : '。')),
	];
	if (uploadNote) lines.push(el('p', { class: 'filed__uploads', text: uploadNote }));
	lines.push(el('p', { text: `平台受理后转信息提供单位核查${c.result_due ? `，并于 ${c.result_due} 前作出决定` : ''}。准予修复的，本条记录将停止公示。` }));
	lines.push(el('p', {}, document.createTextNode('办理进度和结果可在“我的申请”中查看：'),
		el('a', { href: '/cases.html#' + encodeURIComponent(c.id), text: '前往我的申请' })));
	const flag = el('div', { class: 'flag flag--success filed', tabindex: '-1' }, ...lines);
	box.replaceChildren(flag);
	flag.focus();
}

function recordSummary(record, group) {
	const p = record.publicity || {};
	const f = record.fields || {};
	const title = f.decision_no || f.list_type || group.name;
	const facts = [p.severity_label ? `失信严重程度：${p.severity_label}` : '', p.until ? `公示至 ${p.until}` : '']
		.filter(Boolean).join('，');
	return `${group.name}：${title}${facts ? `（${facts}）` : ''}`;
}

function repairForm(record, group, check, cancel, filed) {
	const p = `rep-${record.id}`;
	const text = el('textarea', {
		id: p + '-text', class: 'field__input', rows: '5', maxlength: String(REPAIR_TEXT_MAX), required: '',
		'aria-describedby': `${p}-text-hint ${p}-text-count`,
	});
	const files = el('input', {
		id: p + '-files', class: 'field__input field__input--file', type: 'file', multiple: '', required: '',
		accept: '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png', 'aria-describedby': p + '-files-hint',
	});
	const chosen = el('ul', { class: 'files', id: p + '-chosen' });
	const commitmentText = check.commitment_text;
	const promise = el('input', { id: p + '-commit', type: 'checkbox', required: '', 'aria-describedby': p + '-commit-text' });
	const contact = el('input', {
		id: p + '-contact', class: 'field__input', type: 'text', maxlength: '100', autocomplete: 'tel',
		required: '', 'aria-describedby': p + '-contact-hint',
	});
	const error = formError(p + '-error');
	const submit = el('button', { type: 'submit', class: 'button', text: '提交修复申请' });
	const back = el('button', { type: 'button', class: 'button button--secondary', text: '取消' });
	back.addEventListener('click', cancel);

	files.addEventListener('change', () => {
		chosen.replaceChildren(...[...files.files].map((f) =>
			el('li', {}, document.createTextNode(f.name), el('span', { class: 'muted', text: ' ' + formatSize(f.size) }))));
		setError(error, checkFiles([...files.files]));
	});
	promise.addEventListener('change', () => {
		if (promise.checked && error.textContent.includes('承诺')) setError(error, '');
	});

	const form = el('form', { class: 'form form--wide repair-form', novalidate: '', 'aria-labelledby': p + '-title' },
		el('h4', { id: p + '-title', class: 'form__title', text: '申请信用修复' }),
		el('p', { class: 'muted form__intro', text: '已履行行政处罚决定规定的义务、纠正失信行为的，可申请信用修复。平台受理后转作出决定的部门核查；准予修复的，本条记录停止公示。' }),
		el('p', { class: 'repair-form__record' }, el('span', { class: 'muted', text: '修复的记录：' }),
			document.createTextNode(recordSummary(record, group))),
		field('修复申请说明', text,
			el('p', { id: p + '-text-hint', class: 'field__hint', text: '请说明履行处罚决定（如缴清罚款）和整改的情况。' }),
			counter(text, REPAIR_TEXT_MAX)),
		field('证明材料', files,
			el('p', { id: p + '-files-hint', class: 'field__hint', text: `请上传履行处罚决定和完成整改的证明，如罚款缴纳凭证、整改报告。PDF、JPEG、PNG 格式，每个文件不超过 10 MB，最多 ${ATTACHMENT_MAX_FILES} 个。` }),
			chosen),
		el('fieldset', { class: 'fieldset commitment' },
			el('legend', { text: '信用修复承诺' }),
			el('p', { id: p + '-commit-text', class: 'commitment__text', tabindex: '0', text: commitmentText }),
			el('label', { class: 'check', for: promise.id }, promise, el('span', { text: '本主体已阅读并作出上述承诺' }))),
		field('联系方式', contact,
			el('p', { id: p + '-contact-hint', class: 'field__hint', text: '手机号码、固定电话或电子邮箱，便于核查人员与您联系。' })),
		error,
		el('div', { class: 'form__actions' }, submit, back));

	form.addEventListener('submit', (event) => {
		event.preventDefault();
		setError(error, '');
		const said = text.value.trim();
		if (!said) {
			setError(error, '请填写修复申请说明：履行处罚决定和整改的情况。');
			return text.focus();
		}
		if (chars(said) > REPAIR_TEXT_MAX) {
			setError(error, `修复申请说明不能超过 ${REPAIR_TEXT_MAX} 字，当前 ${chars(said)} 字。`);
			return text.focus();
		}
		const list = [...files.files];
		if (list.length === 0) {
			setError(error, '请上传至少一份证明材料。');
			return files.focus();
		}
		const bad = checkFiles(list);
		if (bad) {
			setError(error, bad);
			return files.focus();
		}
		if (!promise.checked) {
			setError(error, '请阅读信用修复承诺，并勾选“本主体已阅读并作出上述承诺”。');
			return promise.focus();
		}
		const reach = contact.value.trim();
		if (checkContact(reach)) {
			setError(error, checkContact(reach));
			return contact.focus();
		}
		busy(submit, async () => {
			let c;
			try {
				c = await api('POST', '/cases', { kind: 'repair', record: record.id, text: said, commitment: true, contact: reach });
			} catch (e) {
				setError(error, failure(e));
				const target = { text, contact, commitment: promise }[e.field];
				if (target) target.focus();
				return;
			}
			c = c.case || c;
			// The case exists now: the proof follows file by file; one that fails does
			// not undo the application (it can be added in 我的申请).
			const failed = [];
			for (const file of list) {
				submit.textContent = `正在上传材料（${list.indexOf(file) + 1}/${list.length}）…`;
				try {
					await upload(`/cases/${encodeURIComponent(c.id)}/attachments`, uploadable(file));
				} catch (e) {
					failed.push(`“${file.name}”：${e.message}`);
				}
			}
			submit.textContent = '提交修复申请';
			let note = '';
			if (failed.length === 0) note = `已上传证明材料 ${list.length} 份。`;
			else note = `有 ${failed.length} 份材料未能上传（${failed.join('；')}），请在“我的申请”中补充。修复申请本身已提交。`;
			filed(c, note);
		});
	});
	return form;
}
