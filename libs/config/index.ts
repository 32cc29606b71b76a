export { ConfigError, loadConfig } from './config';
export type { AppConfig } from './config';
