// class-validator looks up a class's rules anew for every object it validates, scanning every class it knows for
// inheritance: the largest part of validating a filing. The rules of a class never change once its module has loaded, so
// each lookup is kept per class and options, and forgotten whenever a rule is added (a module loaded later).
import { getMetadataStorage } from 'class-validator';

type Metadata = { propertyName: string };
interface Storage {
  addValidationMetadata(metadata: unknown): void;
  getTargetValidationMetadatas(target: object, schema: string, always: boolean, strictGroups: boolean, groups?: string[]): Metadata[];
  groupByPropertyName(metadata: Metadata[]): Record<string, Metadata[]>;
}

const storage = getMetadataStorage() as unknown as Storage & { ledgerCached?: true };

if (!storage.ledgerCached) {
  storage.ledgerCached = true;
  let lookups = new Map<object, Map<string, Metadata[]>>();
  let grouped = new WeakMap<Metadata[], Record<string, Metadata[]>>();
  const add = storage.addValidationMetadata.bind(storage);
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  storage.addValidationMetadata = (metadata) => {
    lookups = new Map();
    grouped = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\n${always}\n${strictGroups}\n${groups?.join('\n') ?? ''}`;
    let forTarget = lookups.get(target);
    if (!forTarget) lookups.set(target, (forTarget = new Map()));
    let found = forTarget.get(key);
    if (!found) forTarget.set(key, (found = Object.freeze(lookup(target, schema, always, strictGroups, groups)) as Metadata[]));
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    if (!Object.isFrozen(metadata)) return group(metadata);
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
}
