// The run's pipeline file (.devops.yml, or the Rancher file it read) at its commit (GET …/config): line numbers that
// are #L12 links, and the compile errors and warnings listed above the text, each linking to its line, whose row
// is tinted and marked with an icon and a word (never colour alone).
import { AlertTriangle, XCircle } from 'lucide-react';
import { useEffect } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { useExecution, useExecutionConfig } from '../api/queries';
import type { ConfigMessage, ExecutionConfig } from '../api/types';
import { shortSha } from '../components/format';
import { runLabel } from '../components/RunsTable';
import { ErrorState, Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { parseLineHash, type LineRange } from '../log-viewer/line-links';
import { paths } from '../routes-paths';
import styles from './Page.module.css';
import own from './RunConfigPage.module.css';

type Kind = 'error' | 'warning';
interface Problem extends ConfigMessage {
  kind: Kind;
}

export function RunConfigPage() {
  const { p = '', pl = '', run = '' } = useParams();
  const exe = useExecution(p, run);
  const config = useExecutionConfig(p, run);
  const e = exe.data;
  // A run that failed on its configuration says why in status.reason; the file below shows where.
  const failedOnConfig = e && !e.spec.config && e.status?.phase === 'Failed' ? e.status.reason : undefined;
  return (
    <>
      <div className={styles.crumbs}>
        <Link to={paths.pipelines(p)}>{p}</Link> / <Link to={paths.pipeline(p, pl)}>{pl}</Link> /{' '}
        <Link to={paths.run(p, pl, run)}>{e ? runLabel(e) : run}</Link> / config
      </div>
      <div className={styles.head}>
        <h1>{config.data?.path ?? e?.spec.configPath ?? 'Pipeline file'}</h1>
        {e && <StatusBadge phase={e.status?.phase} />}
        {config.data && <span className={styles.muted}>at <span className={styles.mono}>{shortSha(config.data.commit)}</span></span>}
      </div>
      {failedOnConfig && <div className={styles.banner} role="status"><XCircle size={14} aria-hidden="true" /> The run failed on its configuration: {failedOnConfig}</div>}
      {config.isPending ? <Loading what="the pipeline file" />
        : config.isError ? <ErrorState error={config.error} what="the pipeline file" onRetry={() => void config.refetch()} />
        : <ConfigFile file={config.data} />}
    </>
  );
}

function ConfigFile({ file }: { file: ExecutionConfig }) {
  const { hash } = useLocation();
  const selected = parseLineHash(hash);
  const lines = file.text.replace(/\r?\n$/, '').split(/\r?\n/);
  const problems: Problem[] = [
    ...file.errors.map((m) => ({ ...m, kind: 'error' as const })),
    ...file.warnings.map((m) => ({ ...m, kind: 'warning' as const })),
  ].sort((a, b) => a.line - b.line || a.column - b.column);
  const byLine = new Map<number, Problem[]>();
  for (const pr of problems) byLine.set(pr.line, [...(byLine.get(pr.line) ?? []), pr]);
  useEffect(() => {
    // jsdom has no scrollIntoView; a browser scrolls the selected line into the middle of the view.
    if (selected) document.getElementById(`L${selected.start}`)?.scrollIntoView?.({ block: 'center' });
  }, [selected?.start]);
  return (
    <>
      {problems.length > 0 ? (
        <section aria-label="Problems">
          <h2 className={styles.muted}>{count(file.errors.length, 'error')}, {count(file.warnings.length, 'warning')}</h2>
          <ul className={own.problems}>
            {problems.map((pr, i) => (
              <li key={i} className={own.problem}>
                <KindLabel kind={pr.kind} />{' '}
                <Link to={{ hash: `L${pr.line}` }} replace>line {pr.line}, column {pr.column}</Link>{': '}
                <span>{pr.message}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : <p className={styles.muted}>No errors or warnings: the file compiles as it is.</p>}
      <div className={own.file} role="region" aria-label={`${file.path} at ${shortSha(file.commit)}`} tabIndex={0}>
        {lines.map((text, i) => <Line key={i} n={i + 1} text={text} problems={byLine.get(i + 1)} selected={selected} />)}
      </div>
    </>
  );
}

function Line({ n, text, problems, selected }: { n: number; text: string; problems?: Problem[]; selected?: LineRange }) {
  const worst: Kind | undefined = problems?.some((pr) => pr.kind === 'error') ? 'error' : problems?.length ? 'warning' : undefined;
  const isSelected = selected !== undefined && n >= selected.start && n <= selected.end;
  const classes = [own.line, worst === 'error' ? own.tintError : worst === 'warning' ? own.tintWarning : '', isSelected ? own.selected : ''].filter(Boolean).join(' ');
  return (
    <div id={`L${n}`} className={classes} data-line={n} aria-current={isSelected ? 'location' : undefined}>
      <Link to={{ hash: `L${n}` }} replace className={own.no} aria-label={`Line ${n}`}>{n}</Link>
      <pre className={own.text}>{text || ' '}</pre>
      {worst && <span className={own.marker} title={problems!.map((pr) => pr.message).join('\n')}><KindLabel kind={worst} /></span>}
    </div>
  );
}

function KindLabel({ kind }: { kind: Kind }) {
  const Icon = kind === 'error' ? XCircle : AlertTriangle;
  return (
    <span className={`${own.kind} ${kind === 'error' ? own.error : own.warning}`}>
      <Icon size={14} aria-hidden="true" />{kind === 'error' ? 'Error' : 'Warning'}
    </span>
  );
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
