// Query parameters on routes that take none. A route that declares a query (`@Query() q: SomeQuery`) has the validation
// pipe refuse the parameters its class does not name; a route that declares none never ran the pipe on its query, so
// `GET /v1/me?foo=1` or `POST /v1/filings?x=1` was answered as if the parameter had not been sent. This guard refuses
// them with the same 400 validation-failed, naming each parameter, before anything else of the request is done.
import { type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ValidationProblem } from './problem.js';

/** Whether each route handler declares a query (read once per handler). */
const declaresQuery = new WeakMap<object, boolean>();

/** True when the route's handler takes its query through `@Query()`, which the validation pipe checks. */
function takesQuery(controller: object, handler: { name: string }): boolean {
  let declared = declaresQuery.get(handler);
  if (declared === undefined) {
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<string, unknown>;
    declared = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
    declaresQuery.set(handler, declared);
  }
  return declared;
}

/**
 * Refuses any query parameter on a route whose handler takes no query, except those `accepted` on every route (read
 * by the request's other gates, such as `minPosition`). Registered after authentication, like the pipe it stands in for.
 */
export class QueryParametersGuard implements CanActivate {
  constructor(private readonly accepted: ReadonlySet<string>) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const query = ctx.switchToHttp().getRequest<{ query?: unknown }>().query;
    if (query === null || typeof query !== 'object') return true;
    const names = Object.keys(query).filter((name) => !this.accepted.has(name));
    if (names.length === 0 || takesQuery(ctx.getClass(), ctx.getHandler())) return true;
    throw new ValidationProblem(
      names.map((field) => ({
        field,
        message: `${field || 'a parameter without a name'} is not a query parameter of this route, which takes none`,
      })),
    );
  }
}
