import fastifyCompress from '@fastify/compress';
import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The Content-Security-Policy the web app runs under (checked in Chromium by test/browser/content-security-policy.spec.ts):
 * - scripts only from the app's own origin: Vite emits module files under /assets and no inline script;
 * - styles from the origin and inline: Ant Design's CSS-in-JS and CodeMirror insert <style> elements at run time,
 *   with no nonce to give them (the app is a static index.html, and neither is configured with one), so
 *   'unsafe-inline' is what they need; style attributes set from script go through the CSSOM and need nothing;
 * - images and fonts from the origin and data: URIs (Ant Design's icons and placeholders);
 * - fetches only to the origin (the API); no plugins, no framing by any page, forms posting only to the origin.
 * `upgrade-insecure-requests` only when the app is served over https (on http it would break every asset).
 */
export function contentSecurityPolicy(https: boolean): Record<string, string[]> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    ...(https ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

export function helmetOptions(publicUrl: string): FastifyHelmetOptions {
  const https = publicUrl.startsWith('https:');
  return {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(https) },
    // Browsers remember HSTS for the host: sent only where the app really is on https, never on a plain-http install.
    strictTransportSecurity: https ? { maxAge: 365 * 86_400, includeSubDomains: false } : false,
    xFrameOptions: { action: 'deny' },
    // Task and cycle ids sit in the app's addresses: they do not leave with a link followed elsewhere.
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  };
}

/** API answers anyone may cache: health, the OpenAPI document and the documentation page's files. */
const CACHEABLE_API = /^\/api\/(?:health|openapi\.json|docs)(?:[/?#-]|$)/;

/**
 * Every /api answer but those above carries personal data (names, e-mails, tasks, documents) or a session: no
 * browser or proxy may keep a copy. Set on arrival, so a route may still choose otherwise.
 */
export async function noStoreOnApi(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const url = request.url;
  if ((url === '/api' || url.startsWith('/api/') || url.startsWith('/api?')) && !CACHEABLE_API.test(url)) {
    void reply.header('Cache-Control', 'no-store');
  }
}

/**
 * What compresses well: JSON, text (CSV exports, HTML), the app's JavaScript and CSS, SVG. Uploaded documents keep
 * their bytes as uploaded (PDF, images and office files are compressed already; `application/octet-stream` is
 * unknown), unlike the library's default, which compresses octet-stream too.
 */
const COMPRESSIBLE = /^(?:text\/(?!event-stream)|application\/(?:json|javascript|xml)|image\/svg\+xml)|\+json(?:;|$)|\+xml(?:;|$)/;

/**
 * Security headers (helmet) on every answer, /api marked no-store, and gzip/brotli answers for clients that accept
 * them. Registered before the routes and before the web app's hook, whose early answers skip later hooks.
 */
export async function registerSecurityHeadersAndCompression(app: NestFastifyApplication, publicUrl: string): Promise<void> {
  await app.register(fastifyHelmet, helmetOptions(publicUrl));
  app.getHttpAdapter().getInstance().addHook('onRequest', noStoreOnApi);
  await app.register(fastifyCompress, {
    global: true,
    // Only answers: a compressed request body would bypass the body size limit's intent (a small zip bomb).
    globalDecompression: false,
    encodings: ['br', 'gzip'],
    threshold: 1024,
    customTypes: COMPRESSIBLE,
  });
}
