/**
 * Maps anything thrown while serving a request to a {@link CairnError}: fastify's own
 * errors (validation, body limit, content type, JSON syntax, rate limit) get their stable
 * protocol codes; unknown errors become `internal` (the cause is logged, never sent).
 */
import { CairnError } from '../../src-shared/index.ts';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: unknown;
  message?: string;
}

/** The CairnError to answer with for `err`. */
export function toCairnError(err: unknown): CairnError {
  if (err instanceof CairnError) return err;
  const e = (err ?? {}) as FastifyLikeError;
  if (e.validation) return new CairnError('bad_request', e.message ?? 'request fails its schema');
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new CairnError('body_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? new CairnError('unsupported_media_type')
        : new CairnError('bad_request', 'bad Content-Length');
    default:
      break;
  }
  switch (e.statusCode) {
    case 400:
      return new CairnError('bad_request', e.message);
    case 404:
      return new CairnError('not_found');
    case 413:
      return new CairnError('body_too_large');
    case 415:
      return new CairnError('unsupported_media_type');
    case 429:
      return new CairnError('rate_limited');
    default:
      return new CairnError('internal');
  }
}
