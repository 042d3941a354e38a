// The project (namespace) in the URL, switchable from the header. Keeps the section (pipelines or queue).
import { useLocation, useNavigate, useParams } from 'react-router';
import { useProjects } from '../api/queries';
import { paths } from '../routes-paths';
import styles from './AppShell.module.css';

export function ProjectSwitcher() {
  const { p } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const projects = useProjects();
  const names = projects.data?.items.map((x) => x.name) ?? [];
  if (p && !names.includes(p)) names.unshift(p);
  return (
    <label className={styles.switcher}>
      <span>Project</span>
      <select
        value={p ?? ''}
        onChange={(e) => {
          const next = e.target.value;
          if (!next) return;
          navigate(location.pathname.includes('/queue') ? paths.queue(next) : paths.pipelines(next));
        }}
        disabled={projects.isPending && !p}
      >
        <option value="" disabled>{projects.isPending ? 'Loading…' : projects.isError ? 'Unavailable' : 'Choose a project'}</option>
        {names.map((n) => <option key={n} value={n}>{n}</option>)}
      </select>
    </label>
  );
}
