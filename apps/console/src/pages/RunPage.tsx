// A run: header (commit, trigger, actor, timing, queue wait, reason, who stopped it), the stage graph (stages as
// columns, parallel steps as rows with status icon + word + duration, approvals in place) and the selected step's
// log (?stage=&step= in the URL).
import { FileCode, Maximize2, RotateCcw } from 'lucide-react';
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useApi } from '../api/api-context';
import { apiPaths } from '../api/paths';
import { ApiError } from '../api/problem';
import { useExecution } from '../api/queries';
import type { PipelineExecution } from '../api/types';
import { commitUrl } from '../components/commit-url';
import { elapsed, formatDuration, formatTime, shortSha } from '../components/format';
import { runLabel } from '../components/RunsTable';
import { defaultStep } from '../graph/step-choice';
import { ErrorState, Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { StopDialog } from '../components/StopDialog';
import { useTabStatus } from '../components/tab-status';
import { useShortcuts } from '../components/shortcuts';
import { StageGraph } from '../graph/StageGraph';
import { StepLog } from '../log-viewer/StepLog';
import { paths } from '../routes-paths';
import styles from './Page.module.css';

const ACTIVE = new Set(['Pending', 'Queued', 'Provisioning', 'Running']);

export function RunPage() {
  const { p = '', pl = '', run = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const exe = useExecution(p, run);
  useTabStatus(exe.data?.status?.phase, `${pl} ${exe.data ? runLabel(exe.data) : run}`);
  const steps = (exe.data?.status?.stages ?? []).flatMap((st, s) => st.steps.map((_, t) => ({ stage: s, step: t })));
  const current = params.get('stage') !== null && params.get('step') !== null
    ? { stage: Number(params.get('stage')), step: Number(params.get('step')) }
    : exe.data && defaultStep(exe.data);
  const move = (delta: number) => {
    if (steps.length === 0) return;
    const at = current ? steps.findIndex((x) => x.stage === current.stage && x.step === current.step) : -1;
    const next = steps[Math.min(steps.length - 1, Math.max(0, at + delta))];
    setParams({ stage: String(next.stage), step: String(next.step) }, { replace: true });
  };
  useShortcuts({ j: () => move(1), k: () => move(-1) });
  if (exe.isPending) return <Loading what={`run ${run}`} />;
  if (exe.isError) return <ErrorState error={exe.error} what={`run ${run}`} onRetry={() => void exe.refetch()} />;
  const e = exe.data;
  const chosen = current;
  const stage = chosen && e.status?.stages?.[chosen.stage];
  const step = chosen && stage?.steps[chosen.step];
  return (
    <>
      <div className={styles.crumbs}>
        <Link to={paths.home()}>Projects</Link> / <Link to={paths.pipelines(p)}>{p}</Link> / <Link to={paths.pipeline(p, pl)}>{pl}</Link> / {runLabel(e)}
      </div>
      <div className={styles.head}>
        <h1>{pl} {runLabel(e)}</h1>
        <StatusBadge phase={e.status?.phase} />
        <RunActions e={e} label={`${pl} ${runLabel(e)}`} />
      </div>
      <RunFacts e={e} configLink={paths.runConfig(p, pl, run)} />
      <StageGraph
        e={e}
        selected={chosen}
        onSelect={(s, t) => setParams({ stage: String(s), step: String(t) }, { replace: true })}
      />
      {chosen && step ? (
        <section aria-label="Selected step">
          <div className={styles.head}>
            <h2 className={styles.muted}>{stage.name} › {step.name}</h2>
            <StatusBadge phase={step.phase} />
            {step.message && <span className={styles.muted}>{step.message}</span>}
            <div className={styles.actions}>
              <Link className={styles.button} to={paths.stepLog(p, pl, run, chosen.stage, chosen.step)}>
                <Maximize2 size={14} aria-hidden="true" /> Full screen
              </Link>
            </div>
          </div>
          {step.phase === 'Pending' || step.phase === 'Skipped'
            ? <p className={styles.muted}>{step.phase === 'Skipped' ? 'This step was skipped: it has no log.' : 'This step has not started: its log appears when it runs.'}</p>
            : <div className={styles.logPane}><StepLog key={`${run}/${chosen.stage}/${chosen.step}`} stepRef={{ ns: p, name: run, ...chosen }} label={`Log of ${stage.name} › ${step.name}`} stepStart={step.startTime} /></div>}
        </section>
      ) : (
        <p className={styles.muted}>{e.status?.stages?.length ? 'Select a step to see its log.' : 'The stages appear once the run’s configuration is read.'}</p>
      )}
    </>
  );
}

/** Who stopped the run and why (`stopped by "alice": wrong branch`), as the API recorded it in the status. */
export function stopRequest(e: PipelineExecution): string | undefined {
  return e.status?.conditions?.find((c) => c.type === 'StopRequested' && c.status === 'True')?.message;
}

function RunFacts({ e, configLink }: { e: PipelineExecution; configLink: string }) {
  const s = e.status ?? {};
  const wait = elapsed(s.queuedTime ?? e.metadata.creationTimestamp, s.startTime);
  const duration = elapsed(s.startTime, s.completionTime);
  const stopped = stopRequest(e);
  const commitPage = commitUrl(e.spec.commit, e.spec.repositoryUrl, e.spec.htmlUrl);
  const sha = <span className={styles.mono}>{shortSha(e.spec.commit)}</span>;
  return (
    <>
      {/* Who stopped it and why is said once, under "Stopped by", even when it is also the final reason. */}
      {s.reason && s.reason !== stopped && <div className={styles.banner} role="status">{s.reason}</div>}
      {e.spec.stop && ACTIVE.has(s.phase ?? '') && <div className={styles.banner} role="status">Stop requested: the run is stopping.</div>}
      <dl className={styles.facts}>
        <dt>Commit</dt>
        <dd>
          {commitPage && e.spec.commit ? <a href={commitPage} rel="noreferrer noopener" target="_blank" aria-label={`Commit ${shortSha(e.spec.commit)}`}>{sha}</a> : sha}
          {e.spec.title && <> · {e.spec.title}</>}
          {e.spec.author?.name && <span className={styles.muted}> · by {e.spec.author.name}</span>}
        </dd>
        <dt>Ref</dt><dd>{e.spec.branch ? `branch ${e.spec.branch}` : e.spec.tag ? `tag ${e.spec.tag}` : e.spec.ref ?? '—'}</dd>
        <dt>Trigger</dt>
        <dd>
          {e.spec.trigger?.event ?? '—'}
          {e.spec.trigger?.rerunOf && <> · rerun of {e.spec.trigger.rerunOf}</>}
          {e.spec.trigger?.deliveryId && <> · delivery <span className={styles.mono}>{e.spec.trigger.deliveryId}</span></>}
        </dd>
        <dt>Actor</dt><dd>{e.spec.trigger?.user ?? (e.spec.author?.name ? `${e.spec.author.name} (commit author)` : '—')}</dd>
        <dt>Created</dt><dd>{formatTime(s.queuedTime ?? e.metadata.creationTimestamp)}</dd>
        <dt>Queue wait</dt><dd>{wait === undefined ? (ACTIVE.has(s.phase ?? '') ? 'still waiting' : '—') : formatDuration(wait)}</dd>
        <dt>Started</dt><dd>{formatTime(s.startTime)}</dd>
        <dt>Finished</dt><dd>{formatTime(s.completionTime)}</dd>
        <dt>Duration</dt><dd>{duration === undefined ? '—' : `${formatDuration(duration)}${s.completionTime ? '' : ' so far'}`}</dd>
        {stopped && <><dt>Stopped by</dt><dd>{stopped.replace(/^stopped by /, '')}</dd></>}
        <dt>Config</dt><dd><Link to={configLink}><span className={styles.mono}>{e.spec.configPath ?? '.devops.yml'}</span></Link>{s.configWarnings?.length ? ` · ${s.configWarnings.length} warning${s.configWarnings.length === 1 ? '' : 's'}` : ''}</dd>
        {s.node && <><dt>Node</dt><dd>{s.node}{s.warmNode ? ' (warm cache)' : ''}</dd></>}
      </dl>
    </>
  );
}

function RunActions({ e, label }: { e: PipelineExecution; label: string }) {
  const api = useApi();
  const navigate = useNavigate();
  const [error, setError] = useState<string | undefined>();
  // One key per page view: a double click reruns once.
  const [rerunKey] = useState(() => `${e.metadata.uid ?? e.metadata.name}-rerun-${Date.now()}`);
  const ns = e.metadata.namespace ?? '';
  const active = ACTIVE.has(e.status?.phase ?? 'Pending');
  const rerun = async () => {
    setError(undefined);
    try {
      const next = await api.post<PipelineExecution>(apiPaths.rerun(ns, e.metadata.name), {}, { headers: { 'Idempotency-Key': rerunKey } });
      navigate(paths.run(ns, e.spec.pipelineRef.name, next.metadata.name));
    } catch (err) {
      setError(err instanceof ApiError ? `${err.problem.title}: ${err.problem.detail}` : String(err));
    }
  };
  return (
    <div className={styles.actions}>
      {error && <span role="alert" className={styles.muted}>{error}</span>}
      <Link className={styles.button} to={paths.runConfig(ns, e.spec.pipelineRef.name, e.metadata.name)}><FileCode size={14} aria-hidden="true" /> Config</Link>
      {!active ? <button type="button" className={styles.button} onClick={() => void rerun()}><RotateCcw size={14} aria-hidden="true" /> Rerun</button>
        : e.spec.stop ? <span className={styles.muted} role="status">Stopping…</span>
        : <StopDialog e={e} label={label} />}
    </div>
  );
}
