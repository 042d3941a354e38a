// The webhook deliveries a pipeline received and what became of each: "why did my push not run?". An accepted
// delivery links to the runs it made, each named by its execution name (e.g. web-3). The API answers the newest N
// (at most 200) without a cursor, so "Older deliveries" asks for more.
import { Link, useParams, useSearchParams } from 'react-router';
import { useDeliveries } from '../api/source-code-queries';
import type { Delivery, DeliveryOutcome } from '../api/source-code-types';
import { formatTime, relativeTime } from '../components/format';
import { Empty, ErrorState, Loading } from '../components/States';
import { ToneBadge, type Tone } from '../components/ToneBadge';
import { paths } from '../routes-paths';
import styles from './Page.module.css';

const RESULTS: Record<DeliveryOutcome, { tone: Tone; label: string }> = {
  created: { tone: 'success', label: 'Accepted' },
  duplicate: { tone: 'neutral', label: 'Duplicate' },
  ignored: { tone: 'waiting', label: 'Ignored' },
  refused: { tone: 'failure', label: 'Refused' },
};

const STEP = 50;
const MAX = 200;

export function DeliveriesPage() {
  const { p = '', pl = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const limit = Math.min(MAX, Math.max(STEP, Number(search.get('limit')) || STEP));
  const deliveries = useDeliveries(p, pl, limit);
  const head = (
    <>
      <div className={styles.crumbs}>
        <Link to={paths.home()}>Projects</Link> / <Link to={paths.pipelines(p)}>{p}</Link> / <Link to={paths.pipeline(p, pl)}>{pl}</Link>
      </div>
      <div className={styles.head}><h1>Webhook deliveries of {pl}</h1></div>
    </>
  );
  if (deliveries.isPending) return <>{head}<Loading what="deliveries" /></>;
  if (deliveries.isError) return <>{head}<ErrorState error={deliveries.error} what="deliveries" onRetry={() => void deliveries.refetch()} /></>;
  const items = deliveries.data.items;
  if (items.length === 0) {
    return (
      <>{head}
        <Empty title="No webhook delivery yet">
          Deliveries appear here when the git provider calls this pipeline's webhook (a push, a pull request, a tag). If a push did not start a run and nothing is listed, the webhook did not reach Keelson: check its URL and the provider's delivery log.
        </Empty>
      </>
    );
  }
  return (
    <>
      {head}
      <table className={styles.table}>
        <thead>
          <tr><th scope="col">Delivery</th><th scope="col">Provider</th><th scope="col">Event</th><th scope="col">Received</th><th scope="col">Result</th><th scope="col">Runs</th></tr>
        </thead>
        <tbody>
          {items.map((d, i) => <DeliveryRow key={`${d.id ?? ''}-${d.time}-${i}`} p={p} pl={pl} delivery={d} />)}
        </tbody>
      </table>
      <div className={styles.more}>
        {items.length >= limit && limit < MAX ? (
          <button type="button" className={styles.button} disabled={deliveries.isFetching}
            onClick={() => setSearch((s) => { s.set('limit', String(Math.min(MAX, limit + STEP))); return s; }, { replace: true })}>
            {deliveries.isFetching ? 'Loading…' : 'Older deliveries'}
          </button>
        ) : <span className={styles.muted}>{items.length} deliveries{items.length >= MAX ? ` (the newest ${MAX} are kept for viewing)` : ', all shown'}</span>}
      </div>
    </>
  );
}

function DeliveryRow({ p, pl, delivery: d }: { p: string; pl: string; delivery: Delivery }) {
  const result = RESULTS[d.outcome] ?? { tone: 'neutral' as Tone, label: d.outcome };
  return (
    <tr>
      <td className={styles.mono}>{d.id ?? <span className={styles.muted}>no id</span>}</td>
      <td>{d.provider ?? '—'}</td>
      <td>{d.event ?? '—'}</td>
      <td><time dateTime={d.time}>{relativeTime(d.time)}</time><div className={styles.muted}>{formatTime(d.time)}</div></td>
      <td>
        <ToneBadge tone={result.tone} label={result.label} />
        <span className={styles.muted}> HTTP {d.status}</span>
        {d.reason && <div className={styles.muted}>{d.reason}</div>}
      </td>
      <td>
        {d.executions?.length
          ? d.executions.map((name, i) => <span key={name}>{i > 0 && ', '}<Link to={paths.run(p, pl, name)}>{name}</Link></span>)
          : <span className={styles.muted}>—</span>}
      </td>
    </tr>
  );
}
