// What the CLI undoes when it is interrupted (Ctrl-C, SIGTERM) in the middle of a command: its scratch directories are
// removed and a progress bar gives the terminal back its cursor and line wrap. Then the process ends by the same signal,
// as it would have without these handlers (a shell sees 130 for SIGINT, 143 for SIGTERM).

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const undoers = new Set<() => void>();

function interrupted(signal: NodeJS.Signals): void {
  for (const undo of [...undoers].reverse()) {
    try {
      undo();
    } catch {
      // one that fails does not keep the others from running
    }
  }
  undoers.clear();
  for (const s of SIGNALS) process.removeListener(s, interrupted);
  process.kill(process.pid, signal);
}

/** Runs `undo` (synchronously) if the process is interrupted before the returned function is called. */
export function undoOnInterrupt(undo: () => void): () => void {
  if (undoers.size === 0) for (const s of SIGNALS) process.on(s, interrupted);
  undoers.add(undo);
  return () => {
    undoers.delete(undo);
    if (undoers.size === 0) for (const s of SIGNALS) process.removeListener(s, interrupted);
  };
}
