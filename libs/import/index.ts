/**
 * Importing the officials' spreadsheets (CSV or XLSX) for the identification. Node-only (csv-parse, exceljs):
 * the API and activities use it; workflows receive the parsed rows.
 */
export * from './types';
export { parseAssessmentFile, ASSESSMENT_COLUMNS } from './assessment';
export { parseSocialPassportFile, SOCIAL_PASSPORT_COLUMNS } from './social-passport';
export { decodeText } from './table';
export * from './file-templates';
