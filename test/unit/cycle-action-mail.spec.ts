import { describeCycleAction } from '../../libs/domain/cycle-actions';
import { renderCycleActionMail, type CycleActionMailView } from '../../libs/mail';

const view: CycleActionMailView = {
  event: 'requested',
  description: describeCycleAction({ kind: 'cancel', payload: {}, cycleId: 'region-2026' }),
  cycleId: 'region-2026',
  requestedByName: 'Администраторова Анна Петровна',
  requestedByEmail: 'admin@region.test',
  reason: 'Приказ <№ 5>',
  expiresLocal: '03.12.2026 18:00',
  timeZone: 'Europe/Moscow',
  decidedByName: null,
  decisionReason: null,
  confirmationsUrl: 'https://uplift.example/cycle-actions',
};

describe('the four-eyes e-mails', () => {
  it('ask the confirmers what, by whom, until when and where, the same in text and HTML (escaped)', () => {
    const mail = renderCycleActionMail(view);
    expect(mail.subject).toBe('Требуется подтверждение: Отмена цикла region-2026 и всех его открытых задач');
    expect(mail.text).toContain('Администраторова Анна Петровна (admin@region.test) просит подтвердить');
    expect(mail.text).toContain('до 03.12.2026 18:00 (Europe/Moscow)');
    expect(mail.text).toContain('Основание, указанное в запросе: Приказ <№ 5>.');
    expect(mail.text).toContain('https://uplift.example/cycle-actions');
    expect(mail.html).toContain('Приказ &lt;№ 5&gt;');
    expect(mail.html).toContain('href="https://uplift.example/cycle-actions"');
  });

  it('tell the requester who confirmed, who refused and why, or that the time ran out', () => {
    expect(renderCycleActionMail({ ...view, event: 'confirmed', decidedByName: 'Экспертов Эдуард' }).text).toContain('подтвердил(а) Экспертов Эдуард');
    const refused = renderCycleActionMail({ ...view, event: 'refused', decidedByName: 'Экспертов Эдуард', decisionReason: 'Нет оснований' });
    expect(refused.subject).toMatch(/^В запросе отказано: /);
    expect(refused.text).toContain('Причина отказа: Нет оснований.');
    const expired = renderCycleActionMail({ ...view, event: 'expired' });
    expect(expired.subject).toMatch(/^Истёк срок подтверждения: /);
    expect(expired.text).toContain('никто не подтвердил до 03.12.2026 18:00 (Europe/Moscow)');
  });
});
