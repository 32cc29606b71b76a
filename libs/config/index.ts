export { AUDIT_CHECKPOINT_INTERVAL_DEFAULT, ConfigError, defaultAuditCheckpointDir, defaultWebDistDir, JWT_TTL_MAX_SECONDS, loadAuditCheckpointConfig, loadConfig, LOGIN_PROTECTION_DEFAULTS } from './config';
export type { AppConfig, AuditCheckpointConfig, LoginProtection } from './config';
