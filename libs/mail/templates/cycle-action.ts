import type { RenderedMail } from './task-notification';

/** What the e-mail tells of a four-eyes request: that it waits (to the confirmers), or its outcome (to the requester). */
export type CycleActionMailEventName = 'requested' | 'confirmed' | 'refused' | 'expired';

export interface CycleActionMailView {
  event: CycleActionMailEventName;
  /** «Запуск цикла по шаблону …» (libs/domain/cycle-actions.ts). */
  description: string;
  cycleId: string;
  requestedByName: string;
  requestedByEmail: string;
  /** The requester's reason, when the command takes one (a cancellation, an extension). */
  reason: string | null;
  /** '03.12.2026 18:00' in the ministry's zone. */
  expiresLocal: string;
  timeZone: string;
  /** Who confirmed or refused. */
  decidedByName: string | null;
  /** Why it was refused. */
  decisionReason: string | null;
  /** The web app's «Подтверждения» page. */
  confirmationsUrl: string;
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function lines(view: CycleActionMailView): { subject: string; paragraphs: string[] } {
  const until = `${view.expiresLocal} (${view.timeZone})`;
  switch (view.event) {
    case 'requested':
      return {
        subject: `Требуется подтверждение: ${view.description}`,
        paragraphs: [
          'Здравствуйте!',
          `${view.requestedByName} (${view.requestedByEmail}) просит подтвердить действие с циклом ${view.cycleId}: ${view.description}.`,
          ...(view.reason ? [`Основание, указанное в запросе: ${view.reason}.`] : []),
          `По правилу двух ключей действие будет выполнено, только когда его подтвердит другой сотрудник министерства. Подтвердить или отклонить запрос можно до ${until}; после этого срока запрос истечёт.`,
        ],
      };
    case 'confirmed':
      return {
        subject: `Запрос подтверждён: ${view.description}`,
        paragraphs: [
          'Здравствуйте!',
          `Ваш запрос «${view.description}» (цикл ${view.cycleId}) подтвердил(а) ${view.decidedByName ?? 'сотрудник министерства'}; действие выполнено.`,
        ],
      };
    case 'refused':
      return {
        subject: `В запросе отказано: ${view.description}`,
        paragraphs: [
          'Здравствуйте!',
          `В вашем запросе «${view.description}» (цикл ${view.cycleId}) отказал(а) ${view.decidedByName ?? 'сотрудник министерства'}; действие не выполнено.`,
          `Причина отказа: ${view.decisionReason ?? 'не указана'}.`,
        ],
      };
    case 'expired':
      return {
        subject: `Истёк срок подтверждения: ${view.description}`,
        paragraphs: [
          'Здравствуйте!',
          `Ваш запрос «${view.description}» (цикл ${view.cycleId}) никто не подтвердил до ${until}; срок истёк, действие не выполнено.`,
          'Если действие по-прежнему нужно, создайте запрос заново.',
        ],
      };
  }
}

/** Russian e-mail about a four-eyes request; plain text and HTML carry the same words and the «Подтверждения» link. */
export function renderCycleActionMail(view: CycleActionMailView): RenderedMail {
  const { subject, paragraphs } = lines(view);
  const footer = 'Это письмо отправлено автоматически системой Uplift. Отвечать на него не нужно.';
  const text = [...paragraphs, `Страница «Подтверждения»: ${view.confirmationsUrl}`, '', footer].join('\n\n');
  const html = [
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(view.confirmationsUrl)}">Открыть страницу «Подтверждения»</a></p>`,
    `<p style="color:#666;font-size:12px">${escapeHtml(footer)}</p>`,
  ].join('\n');
  return { subject, text, html };
}
