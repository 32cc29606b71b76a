/**
 * What a four-eyes request on a cycle asks, in words: one rule for the API's view of a request, its audit entries and
 * the e-mails the worker sends about it.
 */

export type CycleActionKindName = 'launch' | 'cancel' | 'extend_stage';

/** «18:00 25.12.2026» from 'YYYY-MM-DDTHH:mm(:ss)'. */
export function localDateTimeRu(local: string): string {
  const [date, time = '18:00'] = local.split('T');
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y} ${time.slice(0, 5)}`;
}

/** The request as its stored payload says: «Запуск цикла по шаблону …», «Отмена цикла …», «Продление этапа …». */
export function describeCycleAction(row: { kind: CycleActionKindName; payload: Record<string, unknown>; cycleId: string }): string {
  switch (row.kind) {
    case 'launch': {
      const p = row.payload as { templateTitle: string; templateVersion: number; programmeYear: string };
      return `Запуск цикла по шаблону «${p.templateTitle}» (версия ${p.templateVersion}) на ${p.programmeYear}`;
    }
    case 'cancel':
      return `Отмена цикла ${row.cycleId} и всех его открытых задач`;
    case 'extend_stage': {
      const p = row.payload as { stageTitle: string; localDateTime: string };
      return `Продление этапа «${p.stageTitle}» для всех до ${localDateTimeRu(p.localDateTime)}`;
    }
  }
}
