export { DEFAULT_MAX_CACHED_WORKFLOWS } from './worker-defaults';
export { AUDIT_CHECKPOINT_INTERVAL_DEFAULT, ConfigError, DEV_TEMPORAL_PAYLOAD_KEYS, temporalPayloadKeys, defaultAuditCheckpointDir, defaultWebDistDir, JWT_TTL_MAX_SECONDS, loadAuditCheckpointConfig, loadConfig, LOGIN_PROTECTION_DEFAULTS, metricsPort } from './config';
export type { AppConfig, AuditCheckpointConfig, LoginProtection, ObservabilityConfig } from './config';
