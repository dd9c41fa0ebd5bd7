// The shell blocks of a Markdown file, and the rule that says which of them the README test runs.

/** A fenced block whose info string is one of these is a shell block. */
export const SHELL_FENCES = ['sh', 'bash', 'shell'];

/** A shell block whose nearest non-blank line above is an HTML comment starting with this is not run. */
export const NOT_RUN_MARK = '<!-- not run by the README test';

export interface ShellBlock {
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  run: boolean;
}

export function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const blocks: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    let end = i + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    if (SHELL_FENCES.includes(open[3])) {
      let above = i - 1;
      while (above >= 0 && lines[above].trim() === '') above--;
      const run = !(above >= 0 && lines[above].trim().startsWith(NOT_RUN_MARK));
      blocks.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n'), run });
    }
    i = end;
  }
  return blocks;
}

/**
 * One bash script of the blocks that run, in order, each announced by a marker line naming its README line. Two
 * substitutions, and only these, adapt the text to the test: the server's address for `localhost:3000`, and
 * `node <clone>/bin/sandbox-ledger.js` for `npx sandbox-ledger` (what npx runs in a clone, without npm's own start-up).
 */
export function walkthroughScript(blocks: ShellBlock[], opts: { baseUrl: string; cli: string }): string {
  const host = opts.baseUrl.replace(/^https?:\/\//, '');
  const parts = ['set -euo pipefail'];
  for (const b of blocks.filter((x) => x.run)) {
    const code = b.code.replaceAll('localhost:3000', host).replaceAll('npx sandbox-ledger', opts.cli);
    parts.push(`printf '\\n>>> README.md line ${b.line}\\n'`, code);
  }
  return parts.join('\n') + '\n';
}
