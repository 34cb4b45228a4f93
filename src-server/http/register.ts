/**
 * Registers every route of src-shared/protocol/routes.ts with one generic loop, so the
 * server cannot drift from the contract: method, URL, params/query/body schemas, body
 * limit, success status and response schema all come from the route map.
 *
 * Per request, in fastify's hook order: onRequest = authentication (Bearer token) and the
 * namespace role check (before any body is read); preValidation = content-type check of
 * the route's body kind; validation = the route's JSON schemas; handler.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  CairnError,
  MAX_JSON_BODY_BYTES,
  routes,
  type RouteDef,
  type RouteName,
  type Role,
} from '../../src-shared/index.ts';
import { bearerToken, hashToken } from '../auth/token.ts';
import type { AuthContext } from '../store/metadata.ts';
import type { AppContext } from './context.ts';
import { handlers, type AuthLimiters, type Call } from './handlers.ts';

const ROLE_RANK: Record<Role, number> = { viewer: 1, editor: 2, owner: 3 };

/**
 * Resolves the Bearer token of a request to its device.
 * @throws CairnError `unauthorized` (missing, malformed, unknown or revoked token)
 */
export async function authenticate(ctx: AppContext, req: FastifyRequest): Promise<AuthContext> {
  const token = bearerToken(req.headers.authorization);
  if (!token) throw new CairnError('unauthorized', 'missing or malformed Bearer token');
  const auth = await ctx.store.authenticate(hashToken(token), Date.now());
  if (!auth) throw new CairnError('unauthorized');
  return auth;
}

function contentType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Registers all protocol routes on `app`. */
export function registerRoutes(app: FastifyInstance, ctx: AppContext, limiters: AuthLimiters): void {
  for (const [name, def] of Object.entries(routes) as [RouteName, RouteDef][]) {
    const handler = handlers[name] as (c: Call<RouteName>) => Promise<unknown>;
    app.route({
      method: def.method,
      url: def.url,
      bodyLimit: def.bodyLimit ?? MAX_JSON_BODY_BYTES,
      schema: {
        ...(def.params ? { params: def.params } : {}),
        ...(def.query ? { querystring: def.query } : {}),
        ...(def.bodyKind === 'json' && def.body ? { body: def.body } : {}),
        ...(def.response ? { response: { [def.status]: def.response } } : {}),
      },
      onRequest: async (req) => {
        if (!def.auth) return;
        req.auth = await authenticate(ctx, req);
        if (def.role) {
          const ns = (req.params as { ns?: string }).ns ?? '';
          const role = await ctx.store.role(req.auth.accountId, ns);
          // Unknown namespaces answer `forbidden` too: existence is not revealed.
          if (!role || ROLE_RANK[role] < ROLE_RANK[def.role]) throw new CairnError('forbidden');
        }
      },
      preValidation: async (req) => {
        if (def.bodyKind === 'json' && contentType(req) !== 'application/json') {
          throw new CairnError('unsupported_media_type', 'expected application/json');
        }
        if (def.bodyKind === 'binary' && contentType(req) !== 'application/octet-stream') {
          throw new CairnError('unsupported_media_type', 'expected application/octet-stream');
        }
      },
      handler: async (req, reply) => {
        const out = await handler({
          input: { params: req.params, query: req.query, body: req.body } as Call<RouteName>['input'],
          auth: req.auth,
          req,
          reply,
          ctx,
          limiters,
          now: Date.now(),
        });
        if (reply.statusCode === 200 && def.status !== 200) reply.code(def.status);
        if (def.status === 204) return reply.send();
        return out;
      },
    });
  }
}
