// The ledger routes' query parameters (in a .dto.ts file, so the OpenAPI document describes them).
import { QueryInteger, OptionalField } from '../common/validation.js';

const index = () => QueryInteger(0);

export class InclusionQuery {
  /** The leaf (0-based log position) to prove. */
  @index() leafIndex: number;
  /** The size of the tree (a checkpoint's) the leaf is proved in. */
  @index() treeSize: number;
}
export class ConsistencyQuery {
  /** The older tree size. */
  @index() from: number;
  /** The newer tree size. */
  @index() to: number;
}
export class EntriesQuery {
  /** The first leaf index. */
  @index() start: number;
  /** The leaf index after the last one. */
  @index() end: number;
}
export class CheckpointsQuery {
  /** Checkpoints per page. */
  @OptionalField() @QueryInteger(1, 1000) limit?: number;
  /** The `nextCursor` of the previous page. */
  @OptionalField() @QueryInteger(1) cursor?: number;
}
