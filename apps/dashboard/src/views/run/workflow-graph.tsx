import { useEffect, useRef, useState } from 'preact/hooks';
import type { WorkflowState } from '../../api/types';
import { useClientSize } from '../../components/use-client-size';
import { DISPLAY_LABELS, displayOf, layoutOf, subStepSummaryOf } from './run-model';

const NODE_WIDTH = 184;
const NODE_HEIGHT = 56;
/** Between depths (columns across, rows down) and between the steps of one depth. */
const DEPTH_GAP = 56;
const SIBLING_GAP = 20;
/**
 * How far nodes and gaps narrow so that the graph fits its panel (a CREATE_SITE's seven columns
 * on a laptop, its two branches side by side on a phone); a graph that would need more scrolls.
 */
const MIN_WIDTH_SCALE = 0.68;
/** Below this width the graph runs top to bottom, so a phone sees it without scrolling sideways. */
const NARROW = '(max-width: 600px)';

function useIsNarrow(): boolean {
  const [isNarrow, setIsNarrow] = useState(() => window.matchMedia(NARROW).matches);
  useEffect(() => {
    const query = window.matchMedia(NARROW);
    const update = () => setIsNarrow(query.matches);
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  return isNarrow;
}

/**
 * The workflow's steps by depth (columns left to right; rows top to bottom on a narrow screen),
 * arrows from each dependency. Nodes are buttons over an SVG of the arrows, so they take focus
 * and read as text; the lifecycle is a word, not only a colour.
 */
export function WorkflowGraph({
  state,
  selectedStepId,
  onSelect,
}: {
  state: WorkflowState;
  selectedStepId: string | null;
  onSelect: (stepId: string) => void;
}) {
  const isNarrow = useIsNarrow();
  const scroller = useRef<HTMLDivElement>(null);
  const available = useClientSize(scroller)?.width ?? null;
  const { columns, positions } = layoutOf(state.steps);
  const breadth = Math.max(1, ...columns.map((column) => column.length));
  /** The graph's width at full size, with depth across or down. */
  const widthOf = (vertical: boolean) =>
    vertical
      ? breadth * NODE_WIDTH + (breadth - 1) * SIBLING_GAP
      : columns.length * NODE_WIDTH + (columns.length - 1) * DEPTH_GAP;
  // Top to bottom on a phone, and wherever only that way fits the panel (a tablet).
  const isVertical =
    isNarrow ||
    (available !== null &&
      widthOf(false) * MIN_WIDTH_SCALE > available &&
      widthOf(true) * MIN_WIDTH_SCALE <= available);
  // Widths and the gaps across narrow together to fit the panel; heights stay.
  const scale = available ? Math.min(1, Math.max(MIN_WIDTH_SCALE, available / widthOf(isVertical))) : 1;
  const nodeWidth = Math.floor(NODE_WIDTH * scale);
  const depthGap = isVertical ? DEPTH_GAP : Math.floor(DEPTH_GAP * scale);
  const siblingGap = isVertical ? Math.floor(SIBLING_GAP * scale) : SIBLING_GAP;
  // Depth runs along `main` (x, or y when vertical), the steps of one depth along `cross`.
  const mainSize = isVertical ? NODE_HEIGHT : nodeWidth;
  const crossSize = isVertical ? nodeWidth : NODE_HEIGHT;
  const mainExtent = columns.length * mainSize + (columns.length - 1) * depthGap;
  const crossExtent = breadth * crossSize + (breadth - 1) * siblingGap;
  const mainOf = (depth: number) => depth * (mainSize + depthGap);
  const crossOf = (depth: number, index: number) => {
    const count = columns[depth]?.length ?? 1;
    return ((breadth - count) * (crossSize + siblingGap)) / 2 + index * (crossSize + siblingGap);
  };
  const width = isVertical ? crossExtent : mainExtent;
  const height = isVertical ? mainExtent : crossExtent;
  const xOf = (depth: number, index: number) => (isVertical ? crossOf(depth, index) : mainOf(depth));
  const yOf = (depth: number, index: number) => (isVertical ? mainOf(depth) : crossOf(depth, index));
  /** Where an arrow leaves a node (its end along the depth axis) and where one enters it. */
  const exitOf = (depth: number, index: number): [number, number] =>
    isVertical
      ? [xOf(depth, index) + nodeWidth / 2, yOf(depth, index) + NODE_HEIGHT]
      : [xOf(depth, index) + nodeWidth, yOf(depth, index) + NODE_HEIGHT / 2];
  const entryOf = (depth: number, index: number): [number, number] =>
    isVertical
      ? [xOf(depth, index) + nodeWidth / 2, yOf(depth, index) - 2]
      : [xOf(depth, index) - 2, yOf(depth, index) + NODE_HEIGHT / 2];
  return (
    <div class="graph-scroll" tabIndex={-1} ref={scroller}>
      <div class="graph" style={{ width: `${width}px`, height: `${height}px` }} data-testid="graph">
        <svg width={width} height={height} aria-hidden="true" class="graph-edges">
          <defs>
            <marker
              id="arrow"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto"
            >
              <path d="M0,0 L10,5 L0,10 z" class="arrow-head" />
            </marker>
          </defs>
          {state.steps.flatMap((step) =>
            step.dependsOn.map((dependency) => {
              const from = positions.get(dependency);
              const to = positions.get(step.stepId);
              if (!from || !to) return null;
              const [x1, y1] = exitOf(from.column, from.row);
              const [x2, y2] = entryOf(to.column, to.row);
              const d = isVertical
                ? `M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}`
                : `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`;
              return (
                <path key={`${dependency}-${step.stepId}`} d={d} class="edge" marker-end="url(#arrow)" />
              );
            }),
          )}
        </svg>
        {state.steps.map((step) => {
          const position = positions.get(step.stepId);
          if (!position) return null;
          const display = displayOf(step, state.status);
          const subStepSummary = subStepSummaryOf(step);
          return (
            <button
              type="button"
              key={step.stepId}
              class={`node lifecycle-${display.toLowerCase()}${selectedStepId === step.stepId ? ' selected' : ''}`}
              style={{
                left: `${xOf(position.column, position.row)}px`,
                top: `${yOf(position.column, position.row)}px`,
                width: `${nodeWidth}px`,
                height: `${NODE_HEIGHT}px`,
              }}
              data-testid={`node-${step.stepId}`}
              data-lifecycle={step.lifecycle}
              data-display={display}
              aria-pressed={selectedStepId === step.stepId}
              onClick={() => onSelect(step.stepId)}
            >
              <span class="node-name">{step.stepId}</span>
              <span class="node-state">
                {DISPLAY_LABELS[display]}
                {step.iteration ? ` · iteration ${step.iteration.current}/${step.iteration.max}` : ''}
                {step.attempts > 1 && !step.iteration ? ` · attempt ${step.attempts}` : ''}
                {subStepSummary ? ` · ${subStepSummary}` : ''}
              </span>
            </button>
          );
        })}
      </div>
    </div>
  );
}
