// forms.js - what the subject's forms on the public page share (objection, statement,
// credit repair): labelled fields, a live character count, the error box under a form,
// a button busy while its call runs, and failures in words the subject can act on.

import { el } from './api.js';

export const chars = (text) => [...text].length;

// A live "已输入 N / MAX 字" under a text area.
export function counter(textarea, max) {
	const out = el('p', { class: 'field__hint counter', id: textarea.id + '-count' });
	const update = () => {
		const n = chars(textarea.value);
		out.textContent = `已输入 ${n} / ${max} 字`;
		out.classList.toggle('counter--over', n > max);
	};
	textarea.addEventListener('input', update);
	update();
	return out;
}

export function formError(id) {
	return el('p', { id, class: 'flag flag--error', role: 'alert', hidden: '' });
}

export function setError(box, message) {
	box.textContent = message || '';
	box.hidden = !message;
}

export function field(label, input, ...extra) {
	return el('div', { class: 'field' }, el('label', { class: 'field__label', for: input.id, text: label }), input, ...extra);
}

export async function busy(button, work) {
	button.disabled = true;
	try {
		await work();
	} finally {
		button.disabled = false;
	}
}


// A failed call in words the subject can act on.
export function failure(error) {
	if (error.status === 401) return '登录已失效，请重新登录后再试。';
	return error.message || '操作未能完成，请稍后重试。';
}

// What is wrong with a contact (a telephone number or an e-mail address), or ''.
export function checkContact(value) {
	if (!value) return '请填写联系方式（手机号码、固定电话或电子邮箱）。';
	if (!/^[0-9+\-() ]{7,20}$/.test(value) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))
		return '联系方式应为电话号码或电子邮箱，请检查。';
	return '';
}
