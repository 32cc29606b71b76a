export * from './types';
export * from './identification';
export * from './partners';
export * from './dynamics';
export * from './lateness-risk';
