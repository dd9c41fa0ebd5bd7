// Child process for the group-commit crash test: appends in concurrent rounds (one group commit each) until killed,
// printing one JSON line per acknowledged (durable) command. Usage: node group-commit-child.mjs <file> <first command id>
import { SqliteEventStore } from '../../dist/ledger/event-store/sqlite-event-store.js';

const [file, firstId] = process.argv.slice(2);
const store = SqliteEventStore.open(file); // synchronous=FULL: a resolved append has been fsynced
const WIDTH = 40;
let id = Number(firstId);
const last = async (stream) => store.lastRevision(stream);

for (let round = 0; ; round++) {
  const commands = [];
  for (let i = 0; i < WIDTH; i++) {
    const cmd = id++;
    const a = `a-${i}`;
    const b = `b-${(i + round) % WIDTH}`; // distinct within a round, so every expectation is exact
    const ev = (part) => ({ type: 'Crashed', data: { cmd, part, of: 3, pad: 'x'.repeat(200) }, meta: { actor: 'crash-test' } });
    commands.push(
      Promise.all([last(a), last(b)])
        .then(([ra, rb]) =>
          store.appendMulti([
            { stream: a, expectedRevision: ra < 0 ? 'no-stream' : ra, events: [ev(0), ev(1)] },
            { stream: b, expectedRevision: rb < 0 ? 'no-stream' : rb, events: [ev(2)] },
          ]),
        )
        .then((r) => {
          process.stdout.write(
            JSON.stringify({ cmd, events: r.events.map((e) => ({ leafIndex: e.leafIndex, stream: e.stream, hash: e.hash })) }) + '\n',
          );
        }),
    );
  }
  // A command that always fails inside the batch (its stream never exists): rolled back alone, never stored.
  commands.push(store.appendToStream(`never-${round}`, [{ type: 'Never', data: {}, meta: {} }], 3).catch(() => undefined));
  await Promise.all(commands);
}
