// Bodies on routes that take none. A route that declares a body (`@Body() body: SomeDto`) has the validation pipe refuse
// the fields its class does not name, and one that reads the request itself (`@Req()`) validates what it reads; a route
// that declares neither never looked at its body, so `DELETE /v1/keys/:keyId` with `{"evil":1}` was carried out as if
// the body had not been sent. This guard refuses any field of such a body with the same 400 validation-failed, naming
// each, before the request claims its Idempotency-Key or appends anything. Bodies no route could accept (an array,
// `__proto__`, malformed JSON, another media type) are refused earlier, by the hooks every request goes through.
import { type CanActivate, type ExecutionContext } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ValidationProblem } from './problem.js';
import { declares } from './query-parameters.js';

export class NoBodyGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const body = ctx.switchToHttp().getRequest<{ body?: unknown }>().body;
    // An empty object says nothing; anything but an object was refused before the guards ran.
    if (body === null || typeof body !== 'object') return true;
    const names = Object.keys(body);
    if (names.length === 0 || declares(ctx.getClass(), ctx.getHandler(), RouteParamtypes.BODY, RouteParamtypes.REQUEST)) return true;
    throw new ValidationProblem(
      names.map((field) => ({
        field,
        message: `${field || 'a field without a name'} is not a field of this request, which takes no body`,
      })),
    );
  }
}
