/**
 * Document upload (POST /api/documents: the body is the file itself, its name in X-File-Name) with progress. `fetch`
 * cannot report upload progress, so the typed client is given a fetch of its own for this one request, backed by
 * XMLHttpRequest: the client still builds the request (path, query, headers, the CSRF header from its middleware) and
 * reads the answer, and only the sending is different.
 */
import { api, unwrap, type Schemas } from '../../api/client';

export type DocumentView = Schemas['DocumentView'];

/** What the API accepts (415 lists the same), and its size limit. */
export const ACCEPTED_FILES = '.pdf,.png,.jpg,.jpeg,.txt,.csv,application/pdf,image/png,image/jpeg,text/plain,text/csv';
export const ACCEPTED_FILES_TEXT = 'PDF, PNG, JPEG, TXT или CSV, не больше 20 МБ';
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

function parseHeaders(raw: string): Headers {
  const headers = new Headers();
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const at = line.indexOf(':');
    if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return headers;
}

export function xhrFetch(file: File, onProgress: (percent: number) => void, signal?: AbortSignal) {
  return (request: Request): Promise<Response> =>
    new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(request.method, request.url);
      xhr.withCredentials = true;
      request.headers.forEach((value, name) => {
        if (name.toLowerCase() !== 'content-length') xhr.setRequestHeader(name, value);
      });
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) onProgress(Math.round((event.loaded / event.total) * 100));
      };
      xhr.onload = () => {
        const status = xhr.status;
        const body = status === 204 || status === 205 || status === 304 ? null : xhr.responseText;
        resolve(new Response(body, { status, statusText: xhr.statusText, headers: parseHeaders(xhr.getAllResponseHeaders()) }));
      };
      // The same error fetch gives, so the client's message («Нет связи с сервером…») applies.
      xhr.onerror = () => reject(new TypeError('Failed to fetch'));
      xhr.onabort = () => reject(new DOMException('Отправка файла отменена', 'AbortError'));
      signal?.addEventListener('abort', () => xhr.abort());
      xhr.send(file);
    });
}

/** Uploads the file as the organisation's document and answers its stored description. */
export function uploadDocument(
  file: File,
  organizationId: string,
  onProgress: (percent: number) => void = () => undefined,
): Promise<DocumentView> {
  return unwrap(
    api.POST('/api/documents', {
      params: { header: { 'X-File-Name': encodeURIComponent(file.name) }, query: { organizationId } },
      headers: { 'Content-Type': file.type || 'application/octet-stream' },
      // The typed body is a binary string; the serializer hands the File itself to the request.
      body: '',
      bodySerializer: () => file,
      fetch: xhrFetch(file, onProgress),
    }),
  );
}
