// verify.js - the report verification page (verify.html): a report number and its
// verification code, typed from paper or carried by the report's QR code
// (verify.html?number=N&code=C), are checked with GET /api/v1/reports/{number}?code=.
//
// The answer says whether the code is the one the platform printed on that report
// (genuine), and, only to whoever holds the right code, whom the report is about and
// when it was made; the person compares those with the paper in front of them.  A wrong
// code and an unknown number are told apart: the first is a changed or forged report,
// the second may be a report of another platform.

import { api, el, formatTime } from './api.js';

const $ = (id) => document.getElementById(id);

const VIEWS = {
	public: '公开版（向社会公开的信息）',
	shared: '共享版（政府部门依职责查询）',
	own: '主体自查版（信用主体本人查询）',
};

// As people copy them from paper: spaces dropped, letters in upper case.
function tidy(value) {
	return value.replace(/\s+/g, '').toUpperCase();
}

function fact(label, value) {
	return el('div', { class: 'facts__item' }, el('dt', { text: label }), el('dd', { text: value }));
}

function showVerdict(...content) {
	$('verify-verdict').replaceChildren(...content);
	$('verify-result').hidden = false;
	$('verify-result-title').focus();
}

function genuine(answer) {
	const subject = answer.subject || {};
	return [
		el('p', { class: 'flag flag--success', 'data-verdict': 'genuine' },
			el('strong', { class: 'flag__title', text: '报告真实：' }),
			`该报告由${answer.issuer || '本平台'}出具，验证码与报告编号相符。`),
		el('dl', { class: 'facts' },
			fact('报告编号', answer.number),
			fact('信用主体', subject.name || '—'),
			fact('统一社会信用代码', subject.code || '—'),
			fact('生成时间', formatTime(answer.generated_at)),
			fact('报告类型', VIEWS[answer.view] || answer.view || '—'),
			fact('出具机构', answer.issuer || '—')),
		el('p', { class: 'muted', text: '请核对纸质或电子报告上的主体名称、统一社会信用代码和生成时间与上面一致；不一致的，报告已被改动。' }),
	];
}

function forged(answer) {
	return [
		el('p', { class: 'flag flag--error', 'data-verdict': 'forged' },
			el('strong', { class: 'flag__title', text: '核验未通过：' }),
			`验证码与报告编号 ${answer.number} 不符，该报告可能被改动或伪造。`),
		el('p', { text: '请逐位核对输入的验证码（印在报告首页的二维码旁）。确认无误仍不通过的，请勿采信该报告，可向报告提供方索取原件，或请对方重新下载报告。' }),
	];
}

function unknown(number) {
	return [
		el('p', { class: 'flag flag--warning', 'data-verdict': 'unknown' },
			el('strong', { class: 'flag__title', text: '未找到该报告：' }),
			`本平台未出具编号为 ${number} 的信用报告。`),
		el('p', { text: '请核对报告编号。报告由其他地区的信用平台出具的，请到出具平台核验。' }),
	];
}

async function check(number, code) {
	const error = $('verify-error');
	error.hidden = true;
	if (!/^\d{14}[0-9A-Z]{8}$/.test(number)) {
		error.textContent = '报告编号应为 22 位：前 14 位为数字（生成时间），后 8 位为数字或大写字母。请对照报告页眉重新输入。';
		error.hidden = false;
		$('verify-number').focus();
		return;
	}
	if (!code) {
		error.textContent = '请输入验证码：16 位字母和数字，印在报告首页的二维码旁。';
		error.hidden = false;
		$('verify-code').focus();
		return;
	}
	const form = $('verify-form');
	const button = form.querySelector('button[type="submit"]');
	button.disabled = true;
	form.setAttribute('aria-busy', 'true');
	try {
		const answer = await api('GET', '/reports/' + encodeURIComponent(number) + '?code=' + encodeURIComponent(code));
		showVerdict(...(answer.genuine ? genuine(answer) : forged(answer)));
	} catch (failure) {
		if (failure.status === 404) {
			showVerdict(...unknown(number));
		} else {
			error.textContent = failure.message;
			error.hidden = false;
		}
	} finally {
		button.disabled = false;
		form.removeAttribute('aria-busy');
	}
}

$('verify-form').addEventListener('submit', (event) => {
	event.preventDefault();
	const number = tidy($('verify-number').value);
	const code = tidy($('verify-code').value);
	$('verify-number').value = number;
	$('verify-code').value = code;
	check(number, code);
});

// The QR code's link carries both: check at once.
const params = new URLSearchParams(location.search);
if (params.get('number')) {
	$('verify-number').value = tidy(params.get('number'));
	$('verify-code').value = tidy(params.get('code') || '');
	check($('verify-number').value, $('verify-code').value);
}
