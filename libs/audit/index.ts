export * from './audit-chain';
export * from './audit-event-labels';
export * from './audit-export';
export * from './workflow-history-archive';
export * from './checkpoints';
export * from './checkpoint-log';
