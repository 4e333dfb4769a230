/**
 * @module report/server
 * The local dashboard: a loopback HTTP server whose page is the static report's view, rebuilt
 * from storage on each request (`GET /?from=YYYY-MM-DD&to=YYYY-MM-DD`, defaults from the command
 * line). `GET /healthz` answers `ok`. Read-only: it never writes to storage.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Storage } from '../storage/storage.js';
import { describeError } from '../errors.js';
import { loadReportData } from './data.js';
import { renderReportHtml } from './html.js';
import type { RegistryEventSource } from './events.js';

export interface DashboardOptions {
  storage: Storage;
  championId: string;
  fromDate: string;
  toDate: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  events?: RegistryEventSource;
  now?: () => Date;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Starts the server; resolves with its URL and a close function. */
export async function startDashboard(options: DashboardOptions): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
    if (url.pathname === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    if (url.pathname !== '/') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    const from = url.searchParams.get('from') ?? options.fromDate;
    const to = url.searchParams.get('to') ?? options.toDate;
    if (!DATE.test(from) || !DATE.test(to) || to < from) {
      return void res.writeHead(400, { 'content-type': 'text/plain' }).end('from and to must be YYYY-MM-DD dates with from <= to');
    }
    loadReportData(options.storage, { fromDate: from, toDate: to, championId: options.championId, now: (options.now ?? (() => new Date()))(), events: options.events })
      .then((data) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(renderReportHtml(data));
      })
      .catch((err: unknown) => {
        res.writeHead(503, { 'content-type': 'text/plain' }).end(`could not read storage: ${describeError(err)}`);
      });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return { url: `http://${host}:${port}/`, server, close: () => new Promise((ok) => server.close(() => ok())) };
}
