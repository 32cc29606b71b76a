import { FileOutlined, UploadOutlined } from '@ant-design/icons';
import { Button, Form, Progress, Space, Typography, Upload } from 'antd';
import { useId } from 'react';
import { formatNumber } from '../../format';
import { useDocument } from './queries';
import { ACCEPTED_FILES, ACCEPTED_FILES_TEXT, MAX_FILE_BYTES } from './upload';

export function fileSizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${formatNumber(bytes / 1024 / 1024)} МБ` : `${formatNumber(Math.max(bytes, 1) / 1024)} КБ`;
}

/**
 * Choosing the file to attach; it is sent with the form (POST /api/documents first, with a progress bar), not on
 * selection, so a form that fails validation uploads nothing.
 */
export function DocumentPicker({
  label = 'Документ',
  required,
  file,
  onChange,
  error,
  progress,
  help,
}: {
  label?: string;
  required: boolean;
  file: File | undefined;
  onChange: (file: File | undefined, error?: string) => void;
  error?: string;
  /** 0–100 while the file is being sent. */
  progress?: number;
  help?: string;
}) {
  const id = useId();
  return (
    <Form.Item
      label={label}
      htmlFor={id}
      required={required}
      validateStatus={error ? 'error' : undefined}
      help={error ?? help ?? ACCEPTED_FILES_TEXT}
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Upload
          accept={ACCEPTED_FILES}
          maxCount={1}
          beforeUpload={(f) => {
            if (f.size > MAX_FILE_BYTES) {
              onChange(undefined, `Файл больше 20 МБ (${fileSizeText(f.size)}); уменьшите его или разделите на части`);
              return Upload.LIST_IGNORE;
            }
            onChange(f);
            return false;
          }}
          onRemove={() => onChange(undefined)}
          fileList={file ? [{ uid: 'file', name: `${file.name} (${fileSizeText(file.size)})`, status: 'done' }] : []}
        >
          <Button id={id} icon={<UploadOutlined />} aria-label={`${label}: выбрать файл`}>
            Выбрать файл
          </Button>
        </Upload>
        {progress !== undefined && (
          <Progress
            percent={progress}
            size="small"
            status={progress < 100 ? 'active' : 'success'}
            aria-label="Отправка файла"
            format={(p) => `${p ?? 0}%`}
          />
        )}
      </Space>
    </Form.Item>
  );
}

/** A link that downloads the document, with its name and size once known. */
export function DocumentLink({ id, label }: { id: string; label?: string }) {
  const meta = useDocument(id);
  const name = meta.data ? `${meta.data.fileName} (${fileSizeText(meta.data.sizeBytes)})` : (label ?? 'Скачать документ');
  return (
    <Typography.Link href={`/api/documents/${encodeURIComponent(id)}/content`} download>
      <FileOutlined /> {name}
    </Typography.Link>
  );
}
