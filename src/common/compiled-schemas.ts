// The event catalogue's schemas compiled to functions, for Node (the CLI's verifiers, and the server, which holds every
// event it appends to the catalogue): TypeBox's TypeCompiler writes one check per schema (compiled once, on first use),
// several times faster than walking the schema, as a page must (its Content-Security-Policy runs no compiled code). Both
// answer alike; what is wrong with an event is still found by walking its schema.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { SchemaCheck } from '../verifier/event-catalogue.js';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

export const compiledSchemaCheck: SchemaCheck = (schema, value) => {
  let check = compiled.get(schema);
  if (check === undefined) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  return check.Check(value);
};
