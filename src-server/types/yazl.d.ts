/**
 * Minimal typings of yazl 3 (zip writer; the package ships none): only what the public-link
 * folder download uses. See node_modules/yazl/README.md.
 */
declare module 'yazl' {
  import type { Readable } from 'node:stream';
  /** Options of one zip entry. */
  export interface EntryOptions {
    mtime?: Date;
    mode?: number;
    /** false = store (no deflate). */
    compress?: boolean;
    forceZip64Format?: boolean;
  }
  /** A zip being written to `outputStream` as entries are added and their streams pumped. */
  export class ZipFile {
    readonly outputStream: Readable;
    addReadStreamLazy(
      metadataPath: string,
      options: EntryOptions,
      getReadStream: (cb: (err: Error | null, stream?: Readable) => void) => void,
    ): void;
    addEmptyDirectory(metadataPath: string, options?: EntryOptions): void;
    end(options?: { forceZip64Format?: boolean }): void;
    on(event: 'error', fn: (err: Error) => void): this;
  }
}
