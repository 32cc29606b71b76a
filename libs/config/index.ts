export { ConfigError, defaultWebDistDir, JWT_TTL_MAX_SECONDS, loadConfig, LOGIN_PROTECTION_DEFAULTS } from './config';
export type { AppConfig, LoginProtection } from './config';
