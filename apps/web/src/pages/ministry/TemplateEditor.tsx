/**
 * The template's text in CodeMirror with YAML highlighting; the lines with problems are marked (a tinted line and a
 * gutter sign), and `goToLine` moves the cursor there. Lazy: CodeMirror loads only with the launch page.
 */
import { yaml } from '@codemirror/lang-yaml';
import CodeMirror, {
  Decoration,
  EditorView,
  GutterMarker,
  RangeSet,
  StateEffect,
  StateField,
  gutter,
  type DecorationSet,
  type Extension,
} from '@uiw/react-codemirror';
import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef } from 'react';

const setProblemLines = StateEffect.define<number[]>();

class ProblemMarker extends GutterMarker {
  override toDOM() {
    const el = document.createElement('span');
    el.textContent = '●';
    el.title = 'Ошибка в этой строке';
    el.className = 'cm-problem-marker';
    return el;
  }
}
const problemMarker = new ProblemMarker();
const problemLine = Decoration.line({ class: 'cm-problem-line' });

/** The marked lines (1-based), kept across edits by mapping them through each change. */
const problemLines = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    let next = marks.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setProblemLines)) {
        const doc = tr.state.doc;
        const lines = [...new Set(effect.value)].filter((l) => l >= 1 && l <= doc.lines).sort((a, b) => a - b);
        next = Decoration.set(lines.map((l) => problemLine.range(doc.line(l).from)));
      }
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

const problemGutter = gutter({
  class: 'cm-problem-gutter',
  markers: (view) => {
    const marks = view.state.field(problemLines);
    const ranges: { from: number }[] = [];
    marks.between(0, view.state.doc.length, (from) => {
      ranges.push({ from });
    });
    return RangeSet.of(ranges.map((r) => problemMarker.range(r.from)));
  },
});

const theme = EditorView.theme({
  '.cm-problem-line': { backgroundColor: 'rgba(255, 77, 79, 0.12)' },
  '.cm-problem-gutter': { width: '14px' },
  '.cm-problem-marker': { color: '#cf1322', fontSize: '10px', paddingLeft: '3px' },
});

export interface TemplateEditorHandle {
  goToLine(line: number): void;
}

interface Props {
  value: string;
  onChange(value: string): void;
  /** 1-based lines to mark. */
  problemLines: number[];
  /** The editor's accessible name. */
  label: string;
  height?: string;
}

const TemplateEditor = forwardRef<TemplateEditorHandle, Props>(function TemplateEditor(
  { value, onChange, problemLines: lines, label, height = '420px' },
  ref,
) {
  const viewRef = useRef<EditorView | null>(null);
  const extensions = useMemo<Extension[]>(
    () => [yaml(), problemLines, problemGutter, theme, EditorView.lineWrapping, EditorView.contentAttributes.of({ 'aria-label': label })],
    [label],
  );

  useEffect(() => {
    viewRef.current?.dispatch({ effects: setProblemLines.of(lines) });
  }, [lines]);

  useImperativeHandle(ref, () => ({
    goToLine(line: number) {
      const view = viewRef.current;
      if (!view) return;
      const target = view.state.doc.line(Math.min(Math.max(1, line), view.state.doc.lines));
      view.dispatch({ selection: { anchor: target.from, head: target.to }, scrollIntoView: true });
      view.focus();
    },
  }));

  return (
    <CodeMirror
      value={value}
      height={height}
      extensions={extensions}
      onChange={onChange}
      onCreateEditor={(view) => {
        viewRef.current = view;
        view.dispatch({ effects: setProblemLines.of(lines) });
      }}
      basicSetup={{ foldGutter: true, highlightActiveLine: true, autocompletion: false }}
      style={{ border: '1px solid #d9d9d9', borderRadius: 6, overflow: 'hidden', fontSize: 13 }}
    />
  );
});

export default TemplateEditor;
