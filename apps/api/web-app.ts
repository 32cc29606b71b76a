import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** Vite puts every hashed file under assets/: their names change with their content, so they may be cached for good. */
const ASSETS = '/assets/';
const YEAR_MS = 365 * 86_400_000;
/** index.html and unhashed files (favicon…): revalidated on every load, so a new build shows at once. */
const REVALIDATE = 'no-cache';

/** The URL's path as a file of `root`, or null when it names none (or tries to leave root, or a dotfile). */
function fileOf(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.split('/').some((segment) => segment.startsWith('.'))) return null;
  const file = path.resolve(root, `.${decoded}`);
  if (!file.startsWith(root + path.sep)) return null;
  try {
    return statSync(file).isFile() ? path.relative(root, file) : null;
  } catch {
    return null;
  }
}

/**
 * Serves the built web app from `distDir` at `/` when it holds an index.html: its files as they are, and index.html
 * for any other GET or HEAD outside /api, so deep links (/tasks/<id>) open the app, which routes them itself.
 * Left to the API's own 404 (JSON, Russian): anything under /api, and a missing file under /assets (a stale page
 * asking for a file of an older build must fail loudly, not receive HTML). Returns whether the app is served.
 *
 * The hashed files are a route of their own (`/assets/*`, cached for a year, immutable): a route gets the
 * response compression (@fastify/compress works per route), which matters for the app's JavaScript and CSS.
 * Everything else is answered only when no route matched (an `onRequest` hook on Fastify's 404), rather than
 * through a catch-all route: a wildcard would also catch the API's own misses, e.g. an over-long id that must stay
 * a 414. Register after the compression and security-header plugins.
 */
export async function serveWebApp(app: NestFastifyApplication, distDir: string): Promise<boolean> {
  const root = path.resolve(distDir);
  if (!existsSync(path.join(root, 'index.html'))) return false;
  // reply.sendFile for the hook below: no routes of its own.
  await app.register(fastifyStatic, { root, serve: false });
  if (existsSync(path.join(root, 'assets'))) {
    // A missing file answers through the 404 handler: the API's JSON 404.
    await app.register(fastifyStatic, {
      root: path.join(root, 'assets'),
      prefix: ASSETS,
      decorateReply: false,
      index: false,
      maxAge: YEAR_MS,
      immutable: true,
    });
  }
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!request.is404 || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      const urlPath = request.url.split('?')[0];
      // The assets route answered every file it has: what reaches the 404 under /assets is missing.
      if (urlPath === '/api' || urlPath.startsWith('/api/') || urlPath.startsWith(ASSETS)) return;
      const file = fileOf(root, urlPath);
      void reply.header('Cache-Control', REVALIDATE).sendFile(file ?? 'index.html', { cacheControl: false });
      // Answered here: Fastify stops before the 404 handler.
      return reply;
    });
  return true;
}
