// The run's stage graph (console.md §6.2 item 11): stages as columns in order, each stage's steps (which run in
// parallel) as rows, laid out by layout.ts and drawn as our own SVG: edges as paths, nodes as HTML buttons
// in foreignObjects (status icon + word, step name, duration ticking while it runs). Click or Enter selects a step;
// a step waiting for approval carries Approve / Reject. Fit, buttons, Ctrl+wheel and +/-/0 zoom a wide pipeline.
// Positions and sizes are SVG attributes, never inline styles (the CSP has no 'unsafe-inline').
import { Maximize, ZoomIn, ZoomOut } from 'lucide-react';
import { memo, useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { PipelineExecution, StepStatus } from '../api/types';
import { elapsed, formatDuration } from '../components/format';
import type { StepChoice } from './step-choice';
import { StatusBadge, statusLabel } from '../components/StatusBadge';
import pageStyles from '../pages/Page.module.css';
import { ApprovalActions } from './ApprovalActions';
import { STAGE_HEADER, type StepBox } from './graph-model';
import styles from './StageGraph.module.css';
import { useGraphLayout } from './useGraphLayout';
import { useNow } from './useNow';

const MIN_ZOOM = 0.2;
const MAX_ZOOM = 2;
const clampZoom = (z: number) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.round(z * 100) / 100));

interface Props {
  e: PipelineExecution;
  selected?: StepChoice;
  onSelect: (stage: number, step: number) => void;
}

export function StageGraph({ e, selected, onSelect }: Props) {
  const stages = e.status?.stages ?? [];
  const layout = useGraphLayout(e);
  const [zoom, setZoom] = useState(1);
  const viewport = useRef<HTMLDivElement>(null);
  const running = stages.some((st) => st.phase === 'Running' || st.steps.some((s) => s.phase === 'Running' || s.phase === 'Waiting'));
  const now = useNow(running);

  const fit = useCallback(() => {
    const width = viewport.current?.clientWidth ?? 0;
    if (width > 0 && layout.width > 0) setZoom(clampZoom(Math.min(1, width / layout.width)));
    else setZoom(1);
  }, [layout]);

  // Ctrl+wheel zooms (a native listener: React's wheel listener is passive and cannot keep the page from zooming).
  useEffect(() => {
    const el = viewport.current;
    if (!el) return undefined;
    const onWheel = (ev: WheelEvent) => {
      if (!ev.ctrlKey && !ev.metaKey) return;
      ev.preventDefault();
      setZoom((z) => clampZoom(z * (ev.deltaY < 0 ? 1.1 : 1 / 1.1)));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [layout]);

  // Keep the selected step in view when j/k or a link moves the selection (not on first render).
  const firstSelection = useRef(true);
  useEffect(() => {
    if (firstSelection.current) {
      firstSelection.current = false;
      return;
    }
    if (!selected) return;
    const node = viewport.current?.querySelector(`[data-step-id="${selected.stage}-${selected.step}"]`);
    node?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }, [selected?.stage, selected?.step]); // eslint-disable-line react-hooks/exhaustive-deps

  const onKeyDown = (ev: KeyboardEvent<HTMLDivElement>) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === '+' || ev.key === '=') setZoom((z) => clampZoom(z * 1.25));
    else if (ev.key === '-') setZoom((z) => clampZoom(z / 1.25));
    else if (ev.key === '0') fit();
    else return;
    ev.preventDefault();
  };

  if (stages.length === 0) return null;
  return (
    <section className={styles.graph} aria-label="Stage graph">
      <div className={styles.toolbar}>
        <button type="button" className={pageStyles.button} onClick={fit}><Maximize size={14} aria-hidden="true" /> Fit</button>
        <button type="button" className={pageStyles.button} onClick={() => setZoom((z) => clampZoom(z / 1.25))} aria-label="Zoom out"><ZoomOut size={14} aria-hidden="true" /></button>
        <button type="button" className={pageStyles.button} onClick={() => setZoom((z) => clampZoom(z * 1.25))} aria-label="Zoom in"><ZoomIn size={14} aria-hidden="true" /></button>
        <span className={pageStyles.muted} aria-live="polite">{Math.round(zoom * 100)}%</span>
      </div>
      <div
        ref={viewport} className={styles.viewport} tabIndex={0} onKeyDown={onKeyDown}
        role="region" aria-label="Stages and steps (+ and − zoom, 0 fits)"
      >
        <svg
          className={styles.svg} width={Math.ceil(layout.width * zoom)} height={Math.ceil(layout.height * zoom)}
          viewBox={`0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`} data-zoom={zoom}
        >
          {layout.edges.map((points, i) => (
            <path key={`edge-${i}`} className={styles.edge} d={points.map((p, k) => `${k === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ')} />
          ))}
          {layout.stages.map((box, s) => {
            const stage = stages[s];
            if (!stage || !box) return null;
            const d = elapsed(stage.startTime, stage.completionTime, now);
            return (
              <g key={`stage-${s}`}>
                <rect className={styles.stage} x={box.x} y={box.y} width={box.width} height={box.height} rx={6} />
                <foreignObject x={box.x} y={box.y} width={box.width} height={STAGE_HEADER}>
                  <div className={styles.stageHead}>
                    <span className={styles.stageName} title={stage.name}>{stage.name}</span>
                    <StatusBadge phase={stage.phase} compact />
                    {d !== undefined && <span className={styles.duration}>{formatDuration(d)}</span>}
                  </div>
                </foreignObject>
              </g>
            );
          })}
          {layout.steps.map((box) => {
            const step = stages[box.stage]?.steps[box.step];
            if (!step) return null;
            return (
              <StepNode
                key={`step-${box.stage}-${box.step}`} e={e} box={box} step={step} stageName={stages[box.stage].name}
                selected={selected?.stage === box.stage && selected.step === box.step} onSelect={onSelect}
                // Only a step still running ticks: the others keep their props and skip the re-render.
                now={step.startTime && !step.completionTime ? now : undefined}
              />
            );
          })}
        </svg>
      </div>
    </section>
  );
}

interface StepNodeProps {
  e: PipelineExecution;
  box: StepBox;
  step: StepStatus;
  stageName: string;
  selected: boolean;
  now?: number;
  onSelect: (stage: number, step: number) => void;
}

const StepNode = memo(function StepNode({ e, box, step, stageName, selected, now, onSelect }: StepNodeProps) {
  const d = elapsed(step.startTime, step.completionTime, now);
  const classes = [styles.node, selected && styles.selected, step.phase === 'Running' && styles.running, step.phase === 'Waiting' && styles.waiting].filter(Boolean).join(' ');
  return (
    <foreignObject data-node="" x={box.x} y={box.y} width={box.width} height={box.height}>
      <div className={classes} data-phase={step.phase}>
        <button
          type="button" className={styles.nodeButton} aria-pressed={selected}
          data-step-id={`${box.stage}-${box.step}`}
          aria-label={`${step.name}: ${statusLabel(step.phase)}${d === undefined ? '' : `, ${formatDuration(d)}`} (stage ${stageName})`}
          onClick={() => onSelect(box.stage, box.step)}
        >
          <span className={styles.nodeTop}>
            <StatusBadge phase={step.phase} />
            <span className={styles.duration}>{d === undefined ? '' : formatDuration(d)}</span>
          </span>
          <span className={styles.stepName} title={step.name}>{step.name}</span>
        </button>
        {step.phase === 'Waiting' && !step.approval && <ApprovalActions e={e} stage={box.stage} step={box.step} />}
      </div>
    </foreignObject>
  );
});
