// api.js - the small helper the account pages share: JSON calls (and raw file uploads)
// to /api/v1 with the session cookie, the CSRF header on state-changing calls, and errors
// as exceptions that carry the server's Chinese message.
//
// The session cookie (xy_session) is HttpOnly: no script can read it.  A state-changing
// call authenticated by it must also send the session's CSRF token in X-CSRF-Token
// (docs/security.md); the token comes in the login answer and again from GET /api/v1/me,
// and lives only in this module's memory, so every page asks /me once after loading.

const API = '/api/v1';

let csrfToken = '';

export class ApiError extends Error {
	constructor(status, code, message, field) {
		super(message);
		this.name = 'ApiError';
		this.status = status;
		this.code = code;
		this.field = field;
	}
}

// Remembers the CSRF token of the current session (from the login answer or /me).
export function setCsrfToken(token) {
	csrfToken = token || '';
}

// Calls `method path` (path relative to /api/v1) with `body` as JSON when given.
// Resolves to the parsed answer; rejects with an ApiError whose message is the server's
// (Chinese) message, or a Chinese message of our own when there is none.
export async function api(method, path, body) {
	const headers = { Accept: 'application/json' };
	const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
	if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	return send(path, init);
}

// Sends `file` (a File or Blob) as the raw body of `POST path`, with its name in
// X-File-Name (percent-encoded: header values are ASCII) and its type as Content-Type.
export async function upload(path, file) {
	const headers = {
		Accept: 'application/json',
		'Content-Type': file.type || 'application/octet-stream',
	};
	if (file.name) headers['X-File-Name'] = encodeURIComponent(file.name);
	return send(path, { method: 'POST', headers, body: file, credentials: 'same-origin', cache: 'no-store' });
}

// upload() with progress: onProgress(sent, total) while the body goes out (fetch cannot
// report it), then the same answer or ApiError.
export function uploadWithProgress(path, file, onProgress) {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', API + path);
		xhr.setRequestHeader('Accept', 'application/json');
		xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
		if (file.name) xhr.setRequestHeader('X-File-Name', encodeURIComponent(file.name));
		if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
		xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.total || file.size));
		xhr.addEventListener('error', () => reject(new ApiError(0, 'network', '无法连接服务器，请检查网络后重试。')));
		xhr.addEventListener('load', () => {
			let data = null;
			try {
				data = JSON.parse(xhr.responseText);
			} catch {
				data = null;
			}
			if (xhr.status >= 200 && xhr.status < 300) return resolve(data);
			const err = (data && data.error) || {};
			const details = Array.isArray(err.details) ? err.details : [];
			reject(new ApiError(xhr.status, err.code || 'http.' + xhr.status,
				err.message || `服务器返回错误（${xhr.status}），请稍后重试。`, err.field || (details[0] && details[0].field)));
		});
		xhr.send(file);
	});
}

async function send(path, init) {
	if (init.method !== 'GET' && init.method !== 'HEAD' && csrfToken) init.headers['X-CSRF-Token'] = csrfToken;
	let response;
	try {
		response = await fetch(API + path, init);
	} catch {
		throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试。');
	}
	let data = null;
	try {
		data = await response.json();
	} catch {
		data = null;
	}
	if (!response.ok) {
		const err = (data && data.error) || {};
		const details = Array.isArray(err.details) ? err.details : [];
		const field = err.field || (details[0] && details[0].field) || undefined;
		throw new ApiError(response.status, err.code || err.reason || 'http.' + response.status,
			err.message || `服务器返回错误（${response.status}），请稍后重试。`, field);
	}
	return data;
}

// The address of this page, for the login page to come back to (?next=).
export function loginHref() {
	return '/login.html?next=' + encodeURIComponent(location.pathname + location.search);
}

// A ?next= value is followed only when it is a path on this site ("/..." but not "//...",
// which would name another host), so that a link cannot send a user elsewhere after login.
export function safeNext(value) {
	if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\'))
		return '';
	return value;
}

// A hint, kept in localStorage, that this browser logged in and has not logged out: the
// public pages ask /me only when it is set, so that an anonymous visitor (most visitors)
// costs no request and gets no 401.  It holds no name and no secret; the cookie decides.
const SIGNED_IN_KEY = 'xy.signedIn';

export function markSignedIn(on) {
	try {
		if (on) localStorage.setItem(SIGNED_IN_KEY, '1');
		else localStorage.removeItem(SIGNED_IN_KEY);
	} catch {
		// Storage may be disabled; the hint is only an optimisation.
	}
}

export function maybeSignedIn() {
	try {
		return localStorage.getItem(SIGNED_IN_KEY) === '1';
	} catch {
		return true;
	}
}

// The logged-in user's document, or null when nobody is logged in (401).  Remembers the
// session's CSRF token on the way.
export async function currentUser() {
	try {
		const me = await api('GET', '/me');
		if (me.kind !== 'user') return null;
		setCsrfToken(me.csrf_token);
		markSignedIn(true);
		return me.user;
	} catch (error) {
		if (error.status === 401) {
			markSignedIn(false);
			return null;
		}
		throw error;
	}
}

// Turns the header's account link (#account-link) into the user's name, linking to the
// account page; or back into "登录" when `user` is null.  A subject's header also links
// to its applications (我的申请), a department's or the platform's staff to the console.
export function showAccountLink(user) {
	const link = document.getElementById('account-link');
	if (!link) return;
	if (user) {
		link.textContent = displayName(user);
		link.href = '/me.html';
		link.setAttribute('aria-label', `我的账户：${displayName(user)}`);
	} else {
		link.textContent = '登录';
		link.href = '/login.html';
		link.removeAttribute('aria-label');
	}
	const nav = link.parentElement;
	for (const extra of nav.querySelectorAll('.site-nav__extra')) extra.remove();
	if (!user) return;
	const roles = user.roles || [];
	const here = location.pathname;
	const add = (href, text) => {
		const a = el('a', { class: 'site-nav__link site-nav__extra', href, text });
		if (here === href) a.setAttribute('aria-current', 'page');
		nav.insertBefore(a, link);
	};
	if (roles.includes('subject')) add('/cases.html', '我的申请');
	if (roles.includes('submitter')) add('/upload.html', '数据报送');
	if (roles.includes('admin') || roles.includes('dept_admin')) add('/console/users.html', '账户管理');
	if (roles.some((r) => STAFF_ROLES.has(r))) add('/console/', '办理工作台');
}

// The roles that work on cases in the console (/console/).
export const STAFF_ROLES = new Set(['handler', 'dept_admin', 'operator', 'admin']);

// The credit subject a user's account stands for, if any.
export function userSubject(user) {
	return (user && (user.subject || user.subject_code)) || '';
}

// What the pages call a user: its display name, else its login name.
export function displayName(user) {
	return (user && (user.display_name || user.name)) || '';
}

// Builds an element; text always goes in through textContent, never as HTML.
export function el(tag, props = {}, ...children) {
	const node = document.createElement(tag);
	for (const [key, value] of Object.entries(props)) {
		if (value === undefined || value === null || value === false) continue;
		if (key === 'class') node.className = value;
		else if (key === 'text') node.textContent = value;
		else node.setAttribute(key, value === true ? '' : value);
	}
	for (const child of children) {
		if (child !== null && child !== undefined) node.append(child);
	}
	return node;
}

// "2026-03-05T10:00:00+08:00" -> "2026-03-05 10:00:00" (the server's local time).
export function formatTime(ts) {
	if (!ts) return '—';
	const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)/.exec(ts);
	return m ? `${m[1]} ${m[2]}` : ts;
}

// Shows `message` in the box with id `id` (a .flag element) or hides it when empty.
export function showMessage(id, message) {
	const box = document.getElementById(id);
	if (!box) return;
	box.textContent = message || '';
	box.hidden = !message;
}
