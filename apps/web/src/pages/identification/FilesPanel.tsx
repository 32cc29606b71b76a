/**
 * The two identification files (results, social passports): each is uploaded as soon as it is chosen, with progress;
 * a refused file is shown cell by cell (row, column, the API's Russian message), and nothing of it is stored. Each
 * kind has its templates to download and its columns described.
 */
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Collapse, Flex, Progress, Table, Tag, Typography } from 'antd';
import { useId, useState } from 'react';
import { errorMessage } from '../../api/client';
import { countOf, formatDateTimeInZone } from '../../format';
import { FILE_TITLE } from './labels';
import {
  ACCEPTED_TABLES,
  downloadTemplate,
  FileRejected,
  identificationKeys,
  uploadIdentificationFile,
  useFileFormats,
  type CellError,
  type FileKind,
  type ImportSummary,
} from './queries';

const ROW_NOUN = { one: 'строка', few: 'строки', many: 'строк' };

function CellErrors({ cells, labelId }: { cells: CellError[]; labelId: string }) {
  return (
    <div role="region" aria-labelledby={labelId}>
    <Table<CellError & { key: number }>
      size="small"
      dataSource={cells.map((c, key) => ({ ...c, key }))}
      pagination={cells.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
      columns={[
        { title: 'Строка', dataIndex: 'row', width: 90, render: (row: number) => (row > 0 ? row : 'весь файл') },
        { title: 'Столбец', dataIndex: 'column', width: '30%', render: (column: string) => column || '—' },
        { title: 'Ошибка', dataIndex: 'message' },
      ]}
    />
    </div>
  );
}

function TemplateLinks({ kind }: { kind: FileKind }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState<'csv' | 'xlsx' | null>(null);
  const get = async (format: 'csv' | 'xlsx') => {
    setBusy(format);
    try {
      const name = await downloadTemplate(kind, format);
      void message.success(`Шаблон «${name}» сохранён`);
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  const title = FILE_TITLE[kind].toLowerCase();
  return (
    <Flex wrap gap={4} align="center">
      <Typography.Text type="secondary">Шаблон с примером:</Typography.Text>
      {(['xlsx', 'csv'] as const).map((format) => (
        <Button
          key={format}
          type="link"
          size="small"
          icon={<DownloadOutlined />}
          loading={busy === format}
          aria-label={`Скачать шаблон: ${title}, ${format.toUpperCase()}`}
          onClick={() => void get(format)}
        >
          {format.toUpperCase()}
        </Button>
      ))}
    </Flex>
  );
}

function FormatHelp({ kind }: { kind: FileKind }) {
  const formats = useFileFormats();
  const format = formats.data?.find((f) => f.kind === kind);
  if (!format) return null;
  return (
    <Collapse
      size="small"
      items={[
        {
          key: 'format',
          label: 'Какие столбцы нужны',
          children: (
            <Flex vertical gap={8}>
              <ul className="identification-reasons">
                {format.columns.map((c) => (
                  <li key={c.title}>
                    <strong>{c.title}</strong>
                    {c.required ? '' : ' (необязательный)'} — {c.description}
                    {c.aliases.length > 0 && <Typography.Text type="secondary"> Также: {c.aliases.join(', ')}.</Typography.Text>}
                  </li>
                ))}
              </ul>
              <ul className="identification-reasons">
                {format.rules.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            </Flex>
          ),
        },
      ]}
    />
  );
}

interface FileCardProps {
  cycleId: string;
  kind: FileKind;
  current: ImportSummary | null | undefined;
  timeZone: string;
  canUpload: boolean;
}

function FileCard({ cycleId, kind, current, timeZone, canUpload }: FileCardProps) {
  const inputId = useId();
  const errorsId = useId();
  const hintId = useId();
  const titleId = useId();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [progress, setProgress] = useState<number | null>(null);
  const [uploaded, setUploaded] = useState<ImportSummary | null>(null);
  const upload = useMutation({
    mutationFn: (file: File) => uploadIdentificationFile(cycleId, kind, file, setProgress),
    onMutate: () => setProgress(0),
    onSuccess: async (summary) => {
      setUploaded(summary);
      void message.success(`Файл «${summary.fileName}» загружен: ${countOf(summary.rowCount, ROW_NOUN)}`);
      await queryClient.invalidateQueries({ queryKey: identificationKeys.ranking(cycleId) });
    },
    onSettled: () => setProgress(null),
  });
  const shown = uploaded ?? current ?? null;
  const rejected = upload.error instanceof FileRejected ? upload.error : null;
  const title = FILE_TITLE[kind];

  return (
    <Card size="small" title={<span id={titleId}>{title}</span>} style={{ flex: '1 1 340px', minWidth: 0 }} role="region" aria-labelledby={titleId}>
      <Flex vertical gap={12}>
        {shown ? (
          <Typography.Text>
            <Tag color="green">загружен</Tag>«{shown.fileName}», {countOf(shown.rowCount, ROW_NOUN)};{' '}
            {formatDateTimeInZone(shown.importedAt, timeZone)}, {shown.importedBy}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">Файл ещё не загружен.</Typography.Text>
        )}
        {canUpload && (
          <div>
            {/* The browser's own file input is hidden (its words are in the browser's language) but stays focusable;
                its label is the button people see and click. */}
            <input
              id={inputId}
              className="visually-hidden identification-file-input"
              type="file"
              accept={ACCEPTED_TABLES}
              aria-describedby={hintId}
              disabled={upload.isPending}
              onChange={(event) => {
                const file = event.target.files?.[0];
                // Cleared at once, so that choosing the same corrected file again uploads it again.
                event.target.value = '';
                if (file) upload.mutate(file);
              }}
            />
            <label htmlFor={inputId} className={upload.isPending ? 'identification-file-button is-disabled' : 'identification-file-button'}>
              <UploadOutlined aria-hidden /> {shown ? 'Загрузить новый файл' : 'Загрузить файл'}
              <span className="visually-hidden"> ({title.toLowerCase()}, CSV или XLSX)</span>
            </label>
            <Typography.Text type="secondary" id={hintId} style={{ display: 'block', marginTop: 4, fontSize: 13 }}>
              CSV или XLSX. Файл загружается сразу после выбора. Файл с ошибками не сохраняется: исправьте все ячейки и загрузите его
              заново; новый файл заменяет прежний.
            </Typography.Text>
          </div>
        )}
        {progress !== null && (
          <div role="status" aria-live="polite">
            <Progress percent={progress} status="active" aria-label={`Загрузка файла: ${title.toLowerCase()}`} />
            <Typography.Text type="secondary">{progress < 100 ? 'Файл отправляется…' : 'Файл проверяется на сервере…'}</Typography.Text>
          </div>
        )}
        {upload.error && (
          <Flex vertical gap={8}>
            <Alert
              type="error"
              showIcon
              role="alert"
              title={rejected ? rejected.message : 'Файл не загружен'}
              description={rejected ? (rejected.cells.length === 0 ? rejected.details.join('. ') || undefined : undefined) : errorMessage(upload.error)}
            />
            {rejected && rejected.cells.length > 0 && (
              <>
                <Typography.Text strong id={errorsId}>
                  Ошибки в файле по строкам и столбцам
                </Typography.Text>
                <CellErrors cells={rejected.cells} labelId={errorsId} />
              </>
            )}
          </Flex>
        )}
        <TemplateLinks kind={kind} />
        <FormatHelp kind={kind} />
      </Flex>
    </Card>
  );
}

export function FilesPanel({
  cycleId,
  imports,
  timeZone,
  canUpload,
}: {
  cycleId: string;
  imports: { results: ImportSummary | null; social: ImportSummary | null } | undefined;
  timeZone: string;
  canUpload: boolean;
}) {
  return (
    <Flex wrap gap={16} align="start">
      <FileCard cycleId={cycleId} kind="results" current={imports?.results} timeZone={timeZone} canUpload={canUpload} />
      <FileCard cycleId={cycleId} kind="social" current={imports?.social} timeZone={timeZone} canUpload={canUpload} />
    </Flex>
  );
}
