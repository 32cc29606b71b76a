/**
 * Where a template problem is in the text. The API gives a line for syntax errors; a schema or semantic problem
 * comes with its JSON pointer (`/stages/2/steps/0/deadline`), and the line is found here by reading the same text
 * with the `yaml` parser (JSON is read the same way): the line of the value the pointer names, or, for a field that
 * is missing, of the nearest enclosing value that exists (never the whole document).
 */
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { TemplateProblem } from './types';

export interface LocatedProblem {
  problem: TemplateProblem;
  /** 1-based; undefined when the problem concerns the whole document. */
  line?: number;
  /** True when the line came from the path, not from the API. */
  fromPath: boolean;
}

function pointerSegments(path: string): (string | number)[] {
  if (!path || path === '/') return [];
  return path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function locateProblems(source: string, problems: readonly TemplateProblem[]): LocatedProblem[] {
  let find: ((path: string) => number | undefined) | undefined;
  const lineOfPath = (path: string): number | undefined => {
    if (!find) {
      const lineCounter = new LineCounter();
      const doc = parseDocument(source, { lineCounter });
      find =
        doc.errors.length > 0
          ? () => undefined
          : (p: string) => {
              const segments = pointerSegments(p);
              for (let n = segments.length; n > 0; n -= 1) {
                const node: unknown = doc.getIn(segments.slice(0, n), true);
                if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
              }
              return undefined;
            };
    }
    return find(path);
  };
  return problems.map((problem) => {
    if (problem.line != null) return { problem, line: problem.line, fromPath: false };
    const line = lineOfPath(problem.path);
    return { problem, line, fromPath: line !== undefined };
  });
}
