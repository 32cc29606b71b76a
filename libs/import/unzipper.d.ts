/**
 * The part of unzipper (an exceljs dependency, shipped without types) that libs/import/xlsx-limits.ts uses:
 * reading a zip's central directory from a buffer and inflating one entry as a stream.
 */
declare module 'unzipper' {
  import type { Readable } from 'node:stream';

  export interface CentralDirectoryFile {
    path: string;
    type: 'File' | 'Directory';
    /** As the central directory declares it: the archive may lie. */
    uncompressedSize: number;
    compressedSize: number;
    stream(password?: string): Readable;
  }

  export interface CentralDirectory {
    files: CentralDirectoryFile[];
  }

  export const Open: {
    buffer(buffer: Buffer): Promise<CentralDirectory>;
  };
}
