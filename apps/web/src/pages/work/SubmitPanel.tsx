/**
 * Handing in a plan, programme, report, practice or a performed measure (POST /api/tasks/:id/submission): the step's
 * form rendered from its definition, the document when the step asks for one (uploaded first, with progress), and,
 * for a version returned for revision, an answer to every open remark. What is typed is kept in sessionStorage until
 * it is sent, so an error or a reload loses nothing.
 */
import { useMutation } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Radio, Space, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api, errorMessage, unwrap } from '../../api/client';
import { LoadError, Loading } from '../../components/states';
import { formatDateTime, formatTime, zoneLabel } from '../../format';
import { DocumentLink, DocumentPicker } from './DocumentPicker';
import type { FormDef } from './form-definition';
import { FormFields } from './FormFields';
import {
  clearDraft,
  namePathOf,
  parseProblem,
  readDraft,
  toApiValues,
  toFormValues,
  writeDraft,
  type Draft,
  type Values,
} from './form-values';
import { useAfterTaskAction, useStepForm, useVersions, type RemarkView, type SubmissionView, type TaskContext, type TaskDetail } from './queries';
import { uploadDocument } from './upload';

const COMMENT_MAX = 4000;
const DRAFT_DELAY_MS = 400;

const SUBMIT_LABEL: Partial<Record<TaskContext['action'], string>> = {
  submit: 'Отправить на рассмотрение',
  describe_practice: 'Отправить на рассмотрение',
  report: 'Отправить отчёт',
  perform: 'Отправить отчёт о выполнении',
};

interface FormState {
  form?: Values;
  answers?: Record<string, string>;
  comment?: string;
}

/** Loads what the submission needs (the form's definition, earlier versions and their remarks), then the form. */
export function SubmitPanel({ task, context }: { task: TaskDetail; context: TaskContext }) {
  const versions = useVersions(context);
  if (context.formId) return <WithForm task={task} context={context} versions={versions} />;
  if (versions.isPending) return <Loading label="Загрузка замечаний…" />;
  if (versions.isError) {
    return <LoadError error={versions.error} title="Не удалось загрузить прежние версии и замечания" onRetry={() => void versions.refetch()} />;
  }
  return <SubmitForm task={task} context={context} versions={versions.data.versions} remarks={versions.data.remarks} />;
}

function WithForm({ task, context, versions }: { task: TaskDetail; context: TaskContext; versions: ReturnType<typeof useVersions> }) {
  const step = useStepForm(context);
  if (step.isPending || versions.isPending) return <Loading label="Загрузка формы…" />;
  if (step.error || !step.form) {
    return <LoadError error={step.error ?? new Error('Форма задачи не найдена в шаблоне цикла')} title="Не удалось загрузить форму" onRetry={step.refetch} />;
  }
  if (versions.isError) {
    return <LoadError error={versions.error} title="Не удалось загрузить прежние версии и замечания" onRetry={() => void versions.refetch()} />;
  }
  return <SubmitForm task={task} context={context} form={step.form} versions={versions.data.versions} remarks={versions.data.remarks} />;
}

function SubmitForm({
  task,
  context,
  form: definition,
  versions,
  remarks,
}: {
  task: TaskDetail;
  context: TaskContext;
  form?: FormDef;
  versions: SubmissionView[];
  remarks: RemarkView[];
}) {
  const { message } = App.useApp();
  const [antForm] = Form.useForm<FormState>();
  const after = useAfterTaskAction(task.id);
  const fields = useMemo(() => definition?.fields ?? [], [definition]);
  const openRemarks = remarks.filter((r) => r.status === 'open');
  const previous = versions.at(-1);
  const documentMode = context.document ?? 'optional';

  // The draft of this task wins over the previous version: it is the newer work.
  const [draft, setDraft] = useState<Draft | undefined>(() => readDraft(task.id));
  const [draftFailed, setDraftFailed] = useState(false);
  const [initialValues] = useState<FormState>(() => {
    const stored = readDraft(task.id);
    return {
      form: toFormValues(fields, stored?.form ?? previous?.form ?? {}),
      answers: stored?.answers ?? {},
      comment: stored?.comment,
    };
  });

  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const saveDraft = () => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      const values = antForm.getFieldsValue(true);
      const stored = writeDraft(task.id, {
        form: toApiValues(fields, values.form, true),
        answers: values.answers,
        comment: values.comment,
      });
      setDraftFailed(!stored);
      if (stored) setDraft(stored);
    }, DRAFT_DELAY_MS);
  };

  const [file, setFile] = useState<File | undefined>();
  const [fileError, setFileError] = useState<string | undefined>();
  const [progress, setProgress] = useState<number | undefined>();
  const [keepPrevious, setKeepPrevious] = useState(Boolean(previous?.documentId));
  // A file already uploaded is not sent again when only the submission failed (a remark left unanswered, say).
  const uploaded = useRef<{ file: File; id: string } | undefined>(undefined);

  const submit = useMutation({
    mutationFn: async (values: FormState) => {
      let documentId: string | undefined;
      if (documentMode !== 'none') {
        if (keepPrevious && previous?.documentId) documentId = previous.documentId;
        else if (file) {
          if (uploaded.current?.file === file) documentId = uploaded.current.id;
          else {
            setProgress(0);
            const doc = await uploadDocument(file, task.assignee.id, setProgress);
            uploaded.current = { file, id: doc.id };
            documentId = doc.id;
          }
        }
      }
      const comment = values.comment?.trim();
      return unwrap(
        api.POST('/api/tasks/{id}/submission', {
          params: { path: { id: task.id } },
          body: {
            ...(definition ? { form: toApiValues(fields, values.form) } : {}),
            ...(documentId ? { documentId } : {}),
            ...(comment ? { comment } : {}),
            ...(openRemarks.length > 0
              ? { remarkAnswers: openRemarks.map((r) => ({ remarkId: r.id, answer: (values.answers?.[r.id] ?? '').trim() })) }
              : {}),
          },
        }),
      );
    },
    onSuccess: async (result) => {
      window.clearTimeout(timer.current);
      clearDraft(task.id);
      setDraft(undefined);
      void message.success(context.action === 'submit' || context.action === 'describe_practice' ? `Отправлено на рассмотрение: версия ${result.version}` : 'Отправлено, задача выполнена');
      await after();
    },
    onError: (error) => {
      setProgress(undefined);
      // The API's field problems («/measures/0/deadline: Поле «Срок» обязательно») go to their fields too.
      if (error instanceof ApiError && error.details.length > 0) {
        const problems = error.details.map(parseProblem).filter((p) => p !== undefined);
        if (problems.length > 0) {
          antForm.setFields(problems.map((p) => ({ name: namePathOf('form', p.path), errors: [p.message] })));
        }
      }
    },
  });

  const discardDraft = () => {
    window.clearTimeout(timer.current);
    clearDraft(task.id);
    setDraft(undefined);
    antForm.resetFields();
    antForm.setFieldsValue({ form: toFormValues(fields, previous?.form ?? {}), answers: {}, comment: undefined });
  };

  const long = fields.length > 0 || openRemarks.length > 0;

  return (
    <Form<FormState>
      form={antForm}
      layout="vertical"
      initialValues={initialValues}
      onValuesChange={saveDraft}
      onFinish={(values) => {
        if (documentMode === 'required' && !(keepPrevious && previous?.documentId) && !file) {
          setFileError('Приложите документ: без него задачу не принять');
          return;
        }
        submit.mutate(values);
      }}
      onFinishFailed={() => {
        if (documentMode === 'required' && !(keepPrevious && previous?.documentId) && !file) {
          setFileError('Приложите документ: без него задачу не принять');
        }
        void message.error('Проверьте поля, отмеченные красным');
      }}
      disabled={submit.isPending}
      scrollToFirstError={{ block: 'center' }}
      aria-label="Ответ на задачу"
      // Enter in a one-line field (a date, a number) confirms that field; it must not send a long form half-filled.
      onKeyDown={(event) => {
        if (event.key === 'Enter' && event.target instanceof HTMLInputElement) event.preventDefault();
      }}
    >
      {long && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title="Черновик сохраняется в этой вкладке браузера"
          description={
            <Space orientation="vertical" size={4}>
              <span>
                Всё, что вы вводите, сохраняется здесь, пока ответ не отправлен: при ошибке или перезагрузке страницы ничего не
                потеряется. Выбранный файл сохранить нельзя: после перезагрузки выберите его снова.
              </span>
              <span aria-live="polite">
                {draftFailed
                  ? 'Браузер не дал сохранить черновик (хранилище заполнено или отключено): не закрывайте страницу до отправки.'
                  : draft
                    ? `Черновик сохранён в ${formatTime(draft.savedAt, task.timeZone)} (${zoneLabel(task.timeZone, draft.savedAt)}).`
                    : 'Черновика пока нет.'}
              </span>
              {draft && (
                <Button size="small" onClick={discardDraft} disabled={submit.isPending}>
                  Удалить черновик и начать заново
                </Button>
              )}
            </Space>
          }
        />
      )}

      {openRemarks.length > 0 && (
        <section aria-label="Замечания к прежней версии" style={{ marginBottom: 24 }}>
          <Typography.Title level={3} style={{ fontSize: 17 }}>
            Замечания к версии {previous?.version ?? ''}: ответьте на каждое
          </Typography.Title>
          {openRemarks.map((remark, index) => (
            <Card size="small" key={remark.id} className="remark-card" title={`Замечание ${index + 1}`}>
              <Typography.Paragraph className="pre-wrap" style={{ marginBottom: 4 }}>
                {remark.text}
              </Typography.Paragraph>
              <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
                {remark.createdBy}, {formatDateTime(remark.createdAt, task.timeZone)}
              </Typography.Paragraph>
              <Form.Item
                label={`Ответ на замечание ${index + 1}`}
                name={['answers', remark.id]}
                rules={[{ required: true, whitespace: true, message: `Ответьте на замечание ${index + 1}` }]}
                style={{ marginBottom: 0 }}
              >
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 10 }} maxLength={COMMENT_MAX} showCount />
              </Form.Item>
            </Card>
          ))}
        </section>
      )}

      {definition && (
        <section aria-label={definition.title}>
          <Typography.Title level={3} style={{ fontSize: 17 }}>
            {definition.title}
          </Typography.Title>
          {previous && !draft && (
            <Typography.Paragraph type="secondary">Поля заполнены по версии {previous.version}; исправьте то, что нужно.</Typography.Paragraph>
          )}
          <FormFields fields={fields} name={['form']} />
        </section>
      )}

      {documentMode !== 'none' && (
        <>
          {previous?.documentId && (
            <Form.Item label="Документ версии" style={{ marginBottom: 8 }}>
              <Radio.Group
                value={keepPrevious}
                onChange={(e) => {
                  setKeepPrevious(e.target.value as boolean);
                  setFileError(undefined);
                }}
                options={[
                  { value: true, label: <span>Оставить документ версии {previous.version}</span> },
                  { value: false, label: 'Приложить новый' },
                ]}
              />
              <div style={{ marginTop: 4 }}>
                <DocumentLink id={previous.documentId} />
              </div>
            </Form.Item>
          )}
          {!(keepPrevious && previous?.documentId) && (
            <DocumentPicker
              required={documentMode === 'required'}
              file={file}
              error={fileError}
              progress={progress}
              onChange={(f, error) => {
                setFile(f);
                setFileError(error);
                setProgress(undefined);
              }}
            />
          )}
        </>
      )}

      <Form.Item label="Сопроводительный комментарий" name="comment" extra="Его увидят проверяющий и аудитор">
        <Input.TextArea rows={3} maxLength={COMMENT_MAX} showCount />
      </Form.Item>

      {submit.isError && (
        <Alert
          type="error"
          showIcon
          role="alert"
          style={{ marginBottom: 16 }}
          title="Не отправлено"
          description={
            <>
              <div>{errorMessage(submit.error)}</div>
              {long && <div>Введённое сохранено в черновике: исправьте и отправьте снова.</div>}
            </>
          }
        />
      )}
      <Button type="primary" htmlType="submit" loading={submit.isPending}>
        {progress !== undefined && progress < 100 ? `Отправка файла… ${progress}%` : SUBMIT_LABEL[context.action] ?? 'Отправить'}
      </Button>
    </Form>
  );
}
