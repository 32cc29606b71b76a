/**
 * Server state of the identification screen (TanStack Query over the typed `api` client), and the file upload with
 * progress (PUT …/identification/files/:kind), whose refusal carries every bad cell by row and column.
 */
import { useQuery } from '@tanstack/react-query';
import { api, ApiError, errorMessage, unwrap, type Schemas } from '../../api/client';
import { xhrFetch } from '../work/upload';

export type FileKind = 'results' | 'social';
export type RankingView = Schemas['RankingView'];
export type RankedSchool = Schemas['RankedSchoolView'];
export type ImportSummary = Schemas['ImportSummaryView'];
export type Participant = Schemas['ParticipantView'];
export type ListChange = Schemas['ListChangeDto'];
export type FileFormat = Schemas['FileFormatView'];

export const identificationKeys = {
  ranking: (cycleId: string) => ['cycles', cycleId, 'identification', 'ranking'] as const,
  participants: (cycleId: string) => ['cycles', cycleId, 'participants'] as const,
  approvalTask: (cycleId: string) => ['cycles', cycleId, 'identification', 'approval-task'] as const,
  formats: ['identification', 'file-formats'] as const,
};

export function useRanking(cycleId: string, enabled = true) {
  return useQuery({
    queryKey: identificationKeys.ranking(cycleId),
    enabled,
    queryFn: () => unwrap(api.GET('/api/cycles/{cycleId}/identification/ranking', { params: { path: { cycleId } } })),
    // 422 (files not loaded yet, too few years) is an answer, not a failure worth retrying.
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });
}

export function useParticipants(cycleId: string) {
  return useQuery({
    queryKey: identificationKeys.participants(cycleId),
    queryFn: () => unwrap(api.GET('/api/cycles/{cycleId}/participants', { params: { path: { cycleId } } })),
  });
}

export function useFileFormats() {
  return useQuery({
    queryKey: identificationKeys.formats,
    queryFn: () => unwrap(api.GET('/api/identification/file-templates')),
    staleTime: 60 * 60_000,
  });
}

/**
 * The cycle's open approve_list task, or null while the cycle has not issued it (or it is done). Asked again every
 * 10 s while it is missing and the list is not approved, so the screen notices when the step opens.
 */
export function useApprovalTask(cycleId: string, watch: boolean) {
  return useQuery({
    queryKey: identificationKeys.approvalTask(cycleId),
    queryFn: async () => {
      const page = await unwrap(
        api.GET('/api/tasks', { params: { query: { cycleId, status: 'open', order: 'asc', limit: 200 } } }),
      );
      return page.items.find((t) => t.cycle?.action === 'approve_list') ?? null;
    },
    refetchInterval: (query) => (watch && query.state.data === null ? 10_000 : false),
  });
}

/** One bad cell of a refused file: the row as the spreadsheet shows it (0 = the whole file), the column as written. */
export interface CellError {
  row: number;
  column: string;
  message: string;
}

/** A refused file: the API's message, its lines, and the cells. */
export class FileRejected extends ApiError {
  constructor(
    status: number,
    message: string,
    details: string[],
    readonly cells: CellError[],
  ) {
    super(status, message, details);
  }
}

function cellsOf(body: unknown): CellError[] {
  if (typeof body !== 'object' || body === null || !('errors' in body) || !Array.isArray(body.errors)) return [];
  return body.errors.flatMap((e: unknown) => {
    if (typeof e !== 'object' || e === null) return [];
    const { row, column, message } = e as Record<string, unknown>;
    return typeof message === 'string'
      ? [{ row: typeof row === 'number' ? row : 0, column: typeof column === 'string' ? column : '', message }]
      : [];
  });
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const ACCEPTED_TABLES = '.csv,.xlsx,text/csv,' + XLSX;

function contentType(file: File): string {
  const name = file.name.toLowerCase();
  if (name.endsWith('.xlsx')) return XLSX;
  if (name.endsWith('.csv')) return 'text/csv';
  return file.type || 'application/octet-stream';
}

/** Imports the file as the cycle's results or social passports; throws FileRejected with the bad cells on 422. */
export async function uploadIdentificationFile(
  cycleId: string,
  kind: FileKind,
  file: File,
  onProgress: (percent: number) => void,
): Promise<ImportSummary> {
  let result;
  try {
    result = await api.PUT('/api/cycles/{cycleId}/identification/files/{kind}', {
      params: { path: { cycleId, kind }, header: { 'X-File-Name': encodeURIComponent(file.name) } },
      headers: { 'Content-Type': contentType(file) },
      // The typed body is a binary string; the serializer hands the File itself to the request.
      body: '',
      bodySerializer: () => file,
      fetch: xhrFetch(file, onProgress),
    });
  } catch (err) {
    throw new ApiError(0, errorMessage(err));
  }
  const { data, response } = result;
  // 422's body is not described in the OpenAPI document (it is `{message, details, errors}`): read as unknown.
  const failure: unknown = (result as { error?: unknown }).error;
  if (!response.ok) {
    const details =
      typeof failure === 'object' && failure !== null && 'details' in failure && Array.isArray(failure.details)
        ? failure.details.filter((d): d is string => typeof d === 'string')
        : [];
    const message = errorMessage(
      typeof failure === 'object' && failure !== null && 'message' in failure ? { message: failure.message } : undefined,
      response.status,
    );
    throw new FileRejected(response.status, message, details, cellsOf(failure));
  }
  return data as ImportSummary;
}

/** The template with example rows, through the typed client (the session cookie), saved under the server's name. */
export async function downloadTemplate(kind: FileKind, format: 'csv' | 'xlsx'): Promise<string> {
  const { data, response, error } = await api.GET('/api/identification/file-templates/{kind}', {
    params: { path: { kind }, query: { format } },
    parseAs: 'blob',
  });
  if (!response.ok || !data) throw new ApiError(response.status, errorMessage(error, response.status));
  const header = response.headers.get('content-disposition') ?? '';
  const exact = /filename\*=UTF-8''([^;]+)/i.exec(header);
  const name = exact ? decodeURIComponent(exact[1]) : `${kind}-template.${format}`;
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
