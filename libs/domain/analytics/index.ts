export * from './types';
export * from './identification';
export * from './partners';
export * from './dynamics';
