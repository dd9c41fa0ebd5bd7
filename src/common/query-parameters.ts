// Query parameters on routes that take none. A route that declares a query (`@Query() q: SomeQuery`) has the validation
// pipe refuse the parameters its class does not name; a route that declares none never ran the pipe on its query, so
// `GET /v1/me?foo=1` or `POST /v1/filings?x=1` was answered as if the parameter had not been sent. This guard refuses
// them with the same 400 validation-failed, naming each parameter, before anything else of the request is done.
import { type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ValidationProblem } from './problem.js';

/** The kinds of argument (RouteParamtypes) each route handler declares, read once per handler. */
const declaredArguments = new WeakMap<object, ReadonlySet<string>>();

/** True when the route's handler declares an argument of one of these kinds (`@Query()`, `@Body()`, `@Req()`, …). */
export function declares(controller: object, handler: { name: string }, ...kinds: RouteParamtypes[]): boolean {
  let declared = declaredArguments.get(handler);
  if (declared === undefined) {
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<string, unknown>;
    declared = new Set(Object.keys(args).map((key) => key.split(':')[0]));
    declaredArguments.set(handler, declared);
  }
  return kinds.some((kind) => declared.has(String(kind)));
}

/** True when the route's handler takes its query through `@Query()`, which the validation pipe checks. */
const takesQuery = (controller: object, handler: { name: string }) => declares(controller, handler, RouteParamtypes.QUERY);

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
