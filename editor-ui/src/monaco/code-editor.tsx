// A Monaco editor for one TypeScript source: loads Monaco lazily, shows compile diagnostics as
// markers and a failing line as a highlighted line, and offers Save / Run as editor actions
// (Ctrl/Cmd+S, Ctrl/Cmd+Enter) so they work while typing.

import type * as Monaco from "monaco-editor/editor/editor.api";
import { useEffect, useRef, useState } from "preact/hooks";
import { loadMonaco, type MonacoModule } from "./load";
import { plainTextMarkdown } from "./plain-text";
import "./code-editor.css";

/** A diagnostic at a 1-based line and column (as the compiler reports them). */
export interface SourceMarker {
  line: number;
  column: number;
  message: string;
}

/** What a parent can do with a mounted editor. */
export interface EditorHandle {
  getValue(): string;
  setValue(value: string): void;
  /** Moves the cursor to a position, scrolls it into view and focuses the editor. */
  reveal(line: number, column?: number): void;
  focus(): void;
}

export interface CodeEditorProps {
  /** Names the model (unique per open source), e.g. `hooks/hk_1/draft.ts`. */
  path: string;
  /** The text when the editor (or a new `path`) opens; later edits are the editor's own. */
  initialValue: string;
  /** The accessible name of the editor. */
  label: string;
  readOnly?: boolean;
  /** CSS height of the editor, e.g. "460px". */
  height?: string;
  /** Compile diagnostics, shown as error markers (an empty list clears them). */
  markers?: SourceMarker[];
  /** A line to highlight as where a run failed; null clears it. */
  errorLine?: { line: number; message: string } | null;
  onChange?(value: string): void;
  onSave?(): void;
  onRun?(): void;
  handle?: { current: EditorHandle | null };
}

const MARKER_OWNER = "hookrun";

export function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const [loaded, setLoaded] = useState<MonacoModule | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editor, setEditor] = useState<Monaco.editor.IStandaloneCodeEditor | null>(null);
  const [model, setModel] = useState<Monaco.editor.ITextModel | null>(null);
  // The latest callbacks, so editor actions registered once always call the current ones.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    let cancelled = false;
    loadMonaco().then(
      (module) => !cancelled && setLoaded(module),
      (error: Error) => !cancelled && setLoadError(error.message),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  // The editor itself, created once Monaco is there.
  useEffect(() => {
    if (!loaded || !host.current) return;
    const { monaco } = loaded;
    const created = monaco.editor.create(host.current, {
      model: null,
      ariaLabel: latest.current.label,
      readOnly: latest.current.readOnly ?? false,
      domReadOnly: latest.current.readOnly ?? false,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      tabSize: 2,
      scrollBeyondLastLine: false,
      fixedOverflowWidgets: true,
      renderLineHighlight: "line",
      glyphMargin: true,
      lineNumbersMinChars: 3,
      "semanticHighlighting.enabled": true,
    });
    created.addAction({
      id: "hookrun.save",
      label: "Save the draft",
      keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS],
      precondition: undefined,
      run: () => latest.current.onSave?.(),
    });
    created.addAction({
      id: "hookrun.run-test",
      label: "Run test",
      keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter],
      run: () => latest.current.onRun?.(),
    });
    setEditor(created);
    return () => {
      created.dispose();
      setEditor(null);
    };
  }, [loaded]);

  // One model per path, disposed when the path changes or the editor goes away.
  useEffect(() => {
    if (!loaded || !editor) return;
    const { monaco } = loaded;
    const uri = monaco.Uri.parse(`file:///${props.path}`);
    monaco.editor.getModel(uri)?.dispose();
    const created = monaco.editor.createModel(props.initialValue, "typescript", uri);
    editor.setModel(created);
    const listener = created.onDidChangeContent(() => latest.current.onChange?.(created.getValue()));
    setModel(created);
    return () => {
      listener.dispose();
      editor.setModel(null);
      created.dispose();
      setModel(null);
    };
  }, [loaded, editor, props.path]);

  useEffect(() => {
    editor?.updateOptions({ readOnly: props.readOnly ?? false, domReadOnly: props.readOnly ?? false });
  }, [editor, props.readOnly]);

  useEffect(() => {
    if (!props.handle) return;
    const handle = props.handle;
    handle.current =
      editor && model
        ? {
            getValue: () => model.getValue(),
            setValue: (value) => {
              // Through an edit (not setValue) so the change can be undone.
              editor.pushUndoStop();
              editor.executeEdits("hookrun", [{ range: model.getFullModelRange(), text: value }]);
              editor.pushUndoStop();
            },
            reveal: (line, column = 1) => {
              editor.setPosition({ lineNumber: line, column });
              editor.revealLineInCenterIfOutsideViewport(line);
              editor.focus();
            },
            focus: () => editor.focus(),
          }
        : null;
    return () => {
      handle.current = null;
    };
  }, [editor, model, props.handle]);

  useEffect(() => {
    if (!loaded || !model) return;
    const { monaco } = loaded;
    monaco.editor.setModelMarkers(
      model,
      MARKER_OWNER,
      (props.markers ?? []).map((m) => ({
        ...markerRange(model, m),
        message: m.message,
        severity: monaco.MarkerSeverity.Error,
        source: "hookrun",
      })),
    );
  }, [loaded, model, props.markers]);

  useEffect(() => {
    if (!loaded || !editor || !model || !props.errorLine) return;
    const { line, message } = props.errorLine;
    if (line < 1 || line > model.getLineCount()) return;
    // The message is the run's (possibly a remote server's text): shown verbatim, never as Markdown.
    const hover = plainTextMarkdown(message);
    const decorations = editor.createDecorationsCollection([
      {
        range: new loaded.monaco.Range(line, 1, line, model.getLineMaxColumn(line)),
        options: {
          isWholeLine: true,
          className: "error-line",
          lineNumberClassName: "code-editor-error-line-number",
          glyphMarginClassName: "code-editor-error-glyph",
          glyphMarginHoverMessage: hover,
          hoverMessage: hover,
          overviewRuler: { color: "#b42318", position: loaded.monaco.editor.OverviewRulerLane.Full },
        },
      },
    ]);
    return () => decorations.clear();
  }, [loaded, editor, model, props.errorLine]);

  return (
    <div class="code-editor" style={{ height: props.height ?? "460px" }}>
      <div ref={host} class="code-editor-host" />
      {!editor && (
        <div class="code-editor-overlay" aria-busy={!loadError}>
          {loadError ? (
            <p class="notice error" role="alert">
              {loadError}. Reload the page to try again.
            </p>
          ) : (
            <p class="muted">Loading the code editor…</p>
          )}
        </div>
      )}
    </div>
  );
}

/** A diagnostic's range: the word at its position, else one character, else the line's end. */
function markerRange(model: Monaco.editor.ITextModel, m: SourceMarker) {
  const line = Math.min(Math.max(1, m.line), model.getLineCount());
  const maxColumn = model.getLineMaxColumn(line);
  const column = Math.min(Math.max(1, m.column), maxColumn);
  const word = model.getWordAtPosition({ lineNumber: line, column });
  if (word) {
    return {
      startLineNumber: line,
      startColumn: word.startColumn,
      endLineNumber: line,
      endColumn: word.endColumn,
    };
  }
  if (column < maxColumn) {
    return { startLineNumber: line, startColumn: column, endLineNumber: line, endColumn: column + 1 };
  }
  // At the end of the line (e.g. "unexpected end of file"): mark the last character.
  return {
    startLineNumber: line,
    startColumn: Math.max(1, column - 1),
    endLineNumber: line,
    endColumn: maxColumn,
  };
}
