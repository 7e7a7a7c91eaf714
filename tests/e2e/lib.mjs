// lib.mjs - what the browser tests share: Chromium's flags, starting and stopping a
// `xinyong serve` of their own, and the assertion they fail with.

import { spawn } from 'node:child_process';
import path from 'node:path';

// Debian's /usr/bin/chromium, headless and quiet: no network of its own beyond the page.
export const CHROMIUM_ARGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function assert(cond, message) {
	if (!cond) throw new Error(message);
}

// Starts `xinyong serve` on a free loopback port with the anonymous rate limit off (the
// tests search far more often than a person); resolves to { proc, base, log } once the
// server prints the address it serves.
export function startServer(binary, srcRoot, db, env) {
	return new Promise((resolve, reject) => {
		const proc = spawn(binary, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--web',
			path.join(srcRoot, 'web'), '--rate-limit', '0'],
			{ env, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		const timer = setTimeout(() => reject(new Error('server did not start: ' + err)), 30000);
		proc.stderr.on('data', (d) => { err += d; });
		proc.stdout.on('data', (d) => {
			out += d;
			const m = out.match(/serving (http:\/\/127\.0\.0\.1:(\d+))/);
			if (m) {
				clearTimeout(timer);
				resolve({ proc, base: m[1], log: () => err });
			}
		});
		proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}): ${err}`)); });
	});
}

// Stops the server with SIGINT (SIGKILL after 20 s); resolves to its exit code.
export function stopServer(server) {
	return new Promise((resolve) => {
		if (server.proc.exitCode !== null) return resolve(server.proc.exitCode);
		server.proc.removeAllListeners('exit');
		const timer = setTimeout(() => server.proc.kill('SIGKILL'), 20000);
		server.proc.on('exit', (code) => { clearTimeout(timer); resolve(code); });
		server.proc.kill('SIGINT');
	});
}
