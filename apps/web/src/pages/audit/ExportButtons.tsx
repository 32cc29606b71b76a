/**
 * The auditor's exports (GET /api/audit/export) downloaded with the session cookie through the typed client: the
 * answer is read as a stream so that a long export shows that it is being prepared and how much has arrived, and can
 * be cancelled. Reads only.
 */
import { DownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Checkbox, Flex, Progress, Select, Space, Spin, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '../../api/client';
import { formatNumber } from '../../format';
import type { ScopeKind } from './labels';

type Format = 'json' | 'csv';
type Delimiter = 'comma' | 'semicolon';

interface Progressing {
  format: Format;
  phase: 'preparing' | 'receiving';
  received: number;
  total: number | null;
}

function kilobytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${formatNumber(bytes / 1024, 0)} КБ` : `${formatNumber(bytes / 1024 / 1024, 1)} МБ`;
}

/** The file name the server gives (Content-Disposition), or one of ours. */
function fileNameOf(response: Response, fallback: string): string {
  const header = response.headers.get('content-disposition') ?? '';
  const exact = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (exact) {
    try {
      return decodeURIComponent(exact[1]);
    } catch {
      // fall through to the ASCII name
    }
  }
  const ascii = /filename="([^"]+)"/i.exec(header);
  return ascii ? ascii[1] : fallback;
}

function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportButtons({ scope, id }: { scope: ScopeKind; id: string }) {
  const [progress, setProgress] = useState<Progressing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const [delimiter, setDelimiter] = useState<Delimiter>('semicolon');
  const [includeHistories, setIncludeHistories] = useState(false);
  const abort = useRef<AbortController | null>(null);

  // Leaving the page (or choosing another scope) stops a download in progress.
  useEffect(() => () => abort.current?.abort(), [scope, id]);

  async function download(format: Format) {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setError(null);
    setDone(null);
    setCancelled(false);
    setProgress({ format, phase: 'preparing', received: 0, total: null });
    try {
      const { response, error: failure } = await api.GET('/api/audit/export', {
        params: {
          query: {
            scope,
            id,
            format,
            ...(format === 'csv' ? { delimiter } : { includeHistories }),
          },
        },
        parseAs: 'stream',
        signal: controller.signal,
      });
      // openapi-fetch has already read a refusal's body: the API's Russian message is in `failure`.
      if (!response.ok) throw new ApiError(response.status, errorMessage(failure, response.status));
      // A compressed answer's Content-Length counts the compressed bytes, while the reader yields the decompressed
      // ones: only an uncompressed length is a total to show progress against.
      const encoding = response.headers.get('content-encoding');
      const length = Number(response.headers.get('content-length'));
      const total = (!encoding || encoding === 'identity') && Number.isFinite(length) && length > 0 ? length : null;
      const chunks: BlobPart[] = [];
      let received = 0;
      setProgress({ format, phase: 'receiving', received, total });
      if (response.body) {
        const reader = response.body.getReader();
        for (;;) {
          const { done: finished, value } = await reader.read();
          if (finished) break;
          chunks.push(value);
          received += value.byteLength;
          setProgress({ format, phase: 'receiving', received, total });
        }
      }
      const type = format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json';
      const name = fileNameOf(response, `audit-${scope}-${id}.${format}`);
      saveBlob(new Blob(chunks, { type }), name);
      setDone(`Файл «${name}» сохранён (${kilobytes(received)})`);
    } catch (err) {
      if (controller.signal.aborted) return;
      setError(errorMessage(err));
    } finally {
      if (abort.current === controller) {
        abort.current = null;
        setProgress(null);
      }
    }
  }

  function cancel() {
    abort.current?.abort();
    abort.current = null;
    setProgress(null);
    setCancelled(true);
  }

  const busy = progress !== null;
  return (
    <Flex vertical gap={8}>
      <Flex wrap gap={12} align="center">
        <Space wrap>
          <Button icon={<DownloadOutlined />} loading={progress?.format === 'json'} disabled={busy} onClick={() => void download('json')}>
            Выгрузить JSON
          </Button>
          <Checkbox checked={includeHistories} disabled={busy} onChange={(e) => setIncludeHistories(e.target.checked)}>
            с историями процессов
          </Checkbox>
        </Space>
        <Space wrap>
          <Button icon={<DownloadOutlined />} loading={progress?.format === 'csv'} disabled={busy} onClick={() => void download('csv')}>
            Выгрузить CSV
          </Button>
          <Select<Delimiter>
            aria-label="Разделитель CSV"
            value={delimiter}
            disabled={busy}
            onChange={setDelimiter}
            style={{ width: 230 }}
            options={[
              { value: 'semicolon', label: 'точка с запятой (для Excel)' },
              { value: 'comma', label: 'запятая' },
            ]}
          />
        </Space>
      </Flex>
      {progress && (
        <div role="status" aria-live="polite">
          <Flex gap={12} align="center" wrap>
            <Spin size="small" />
            <Typography.Text>
              {progress.phase === 'preparing'
                ? `Выгрузка ${progress.format.toUpperCase()} готовится на сервере…`
                : `Получено ${kilobytes(progress.received)}${progress.total ? ` из ${kilobytes(progress.total)}` : ''}`}
            </Typography.Text>
            <Button size="small" onClick={cancel}>
              Отменить
            </Button>
          </Flex>
          {progress.total !== null && (
            <Progress
              percent={Math.min(100, Math.round((progress.received / progress.total) * 100))}
              status="active"
              aria-label="Ход выгрузки"
            />
          )}
        </div>
      )}
      {error && <Alert type="error" showIcon title="Выгрузка не удалась" description={error} closable onClose={() => setError(null)} />}
      {cancelled && !busy && <Typography.Text role="status">Выгрузка отменена; файл не сохранён.</Typography.Text>}
      {done && !busy && (
        <Typography.Text type="success" role="status">
          {done}
        </Typography.Text>
      )}
    </Flex>
  );
}
