export { ConfigError, defaultWebDistDir, loadConfig } from './config';
export type { AppConfig } from './config';
